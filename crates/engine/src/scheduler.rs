//! Deciding what runs next: `next_tasks` fires due timers, recovers invocations whose owner
//! went away (lease.rs decides), claims the executions that are due, and otherwise sleeps until
//! the next timer, a local wake-up, or a poll for changes made by other processes. The one
//! place that moves a time-skipping clock: to the next timer, whenever nothing is running.

use std::time::Duration;

use crate::core::Core;
use crate::error::{EngineError, Result};
use crate::core::ActiveInvocation;
use crate::invocation::{activate, begin, recover, Task};
use crate::model::ExecutionStatus;
use crate::storage::TaskFilter;

/// Invocations one claim takes at most. A caller with more free slots asks again at once; the
/// bound keeps one claim's transaction short and lets workers sharing a database each take a
/// share of a burst (one claim taking a thousand would leave the others idle).
const CLAIM_BATCH: usize = 32;

enum Claim {
    /// Claimed invocations and their executions' ids, to activate once committed.
    Tasks(Vec<(Task, ActiveInvocation)>, Vec<i64>),
    /// The filtered execution has finished: there will be no task.
    Finished,
    Idle { next_due: Option<i64>, running: bool },
}

/// Waits for up to `max` due invocations among the executions `filter` selects, claimed in
/// one transaction. Returns an empty list when the filter names one execution and it has
/// finished, the engine stopped handing out tasks, or it closed.
/// With `while_running`, it waits only while an invocation of the selected executions is busy
/// (user code runs in it, so it cannot end now), answering nothing once none is, and never
/// moves the clock: a driver runs what becomes due meanwhile (a chained invoke's function, as
/// the service would) and asks again when an invocation becomes busy.
pub(crate) async fn next_tasks(core: &Core, filter: &TaskFilter, max: usize, while_running: bool) -> Result<Vec<Task>> {
    let max = max.max(1);
    loop {
        if core.is_closed() || core.tasks_stopped() {
            return Ok(Vec::new());
        }
        let notified = core.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();

        // Beside an invocation that could end now nothing runs: as on the service, an idle
        // caller ends before what it invoked answers. Answering at once lets an idle process exit.
        if while_running && !busy_in(core, filter)? {
            return Ok(Vec::new());
        }
        let now = core.now();
        match pass(core, filter, now, max)? {
            Claim::Tasks(tasks, ids) => return Ok(activate(core, tasks, &ids)),
            Claim::Finished => return Ok(Vec::new()),
            Claim::Idle { .. } if while_running => wait_for_change(core, notified).await,
            Claim::Idle { next_due, running } => {
                let mut hold = None;
                if core.clock.skips_time() && !running {
                    if let Some(due) = next_due {
                        match crate::timers::jump_towards(core, filter, due)? {
                            crate::timers::Jump::To(target) => {
                                core.clock.advance_to(target);
                                continue;
                            }
                            crate::timers::Jump::Hold(d) => hold = Some(d),
                        }
                    }
                }
                let until_due = next_due.map(|d| (d - now).max(0)).unwrap_or(i64::MAX);
                // Other processes' changes are seen by polling, or (PostgreSQL) wake us; the poll runs on
                // real time.
                let poll = Duration::from_millis(core.poll_ms);
                let sleep = hold.or_else(|| core.clock.real_wait(until_due)).map_or(poll, |d| d.min(poll));
                tokio::select! {
                    _ = &mut notified => {}
                    _ = tokio::time::sleep(sleep) => {}
                }
            }
        }
    }
}

async fn wait_for_change(core: &Core, notified: std::pin::Pin<&mut tokio::sync::futures::Notified<'_>>) {
    tokio::select! {
        _ = notified => {}
        _ = tokio::time::sleep(Duration::from_millis(core.poll_ms)) => {}
    }
}

/// Whether a running invocation of the selected executions is busy (user code runs in it).
fn busy_in(core: &Core, filter: &TaskFilter) -> Result<bool> {
    for arn in core.busy_arns() {
        let Some(root) = &filter.arn else { return Ok(true) };
        if &arn == root || core.read(|s| s.exec_by_arn(&arn))?.is_some_and(|e| &e.root_arn == root) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Claims what is due now without waiting (no clock jump): a poll for callers with their own
/// loop, and for tests that decide time with a manual clock.
pub(crate) fn try_next_tasks(core: &Core, filter: &TaskFilter, max: usize) -> Result<Vec<Task>> {
    if core.is_closed() || core.tasks_stopped() {
        return Ok(Vec::new());
    }
    let now = core.now();
    match pass(core, filter, now, max.max(1))? {
        Claim::Tasks(tasks, ids) => Ok(activate(core, tasks, &ids)),
        _ => Ok(Vec::new()),
    }
}

/// Moves a time-skipping clock forward to `target_ms`, so a caller can interleave its own
/// timed actions with the engine's timers.
pub(crate) fn advance_clock_to(core: &Core, target_ms: i64) -> Result<()> {
    if !core.clock.advance_to(target_ms) {
        return Err(EngineError::parameter("clock", target_ms, "only a time-skipping engine can be moved forward"));
    }
    core.wake_waiters();
    Ok(())
}

/// One look at the queue: fire what is due, then claim. Where the storage can judge a pass by
/// one read (`pass_probe`), a pass that finds nothing needs no transaction at all — but a
/// filter on one execution must still learn that it finished, and the same-host look reads
/// what the probe does not, so those always claim.
fn pass(core: &Core, filter: &TaskFilter, now: i64, max: usize) -> Result<Claim> {
    let host_check = core.host_check_due();
    let probe = if filter.arn.is_none() && !host_check { core.read(|s| s.pass_probe(filter, &core.me.owner, now))? } else { None };
    let fired = crate::timers::fire_due_known(core, now, probe.map(|p| p.due))?;
    match probe {
        Some(p) if !p.claimable && fired == 0 => Ok(Claim::Idle { next_due: p.next_due, running: p.running }),
        _ => try_claim(core, filter, now, max, host_check),
    }
}

fn try_claim(core: &Core, filter: &TaskFilter, now: i64, max: usize, host_check: bool) -> Result<Claim> {
    // Counted once the claim committed: a rolled-back takeover did not happen.
    let mut taken_over = 0;
    let claim = core.write_retrying(|s| {
        taken_over = 0;
        let may_take = |exec: &crate::storage::ExecRow| exec.invocation.lease.as_ref().is_some_and(|l| core.me.may_take_over(l, now));
        let host = host_check.then_some(core.me.host.as_str());
        for candidate in s.takeover_candidates(filter, &core.me.owner, host, now)? {
            if !may_take(&candidate) {
                continue;
            }
            // Judged again on the row as it is now (locked, where storage locks): another
            // engine may have taken it over, or its holder renewed it, since the read.
            let mut exec = s.exec_by_id(candidate.id)?;
            if exec.status.is_live() && may_take(&exec) {
                recover(s, &mut exec, now)?;
                taken_over += 1;
            }
        }
        let mut tasks = Vec::new();
        let mut ids = Vec::new();
        let due = s.next_due_executions(filter, now, max.min(CLAIM_BATCH))?;
        s.prefetch_ops(&due.iter().map(|e| e.id).collect::<Vec<_>>())?;
        for mut exec in due {
            tasks.push(begin(core, s, &mut exec, now)?);
            ids.push(exec.id);
        }
        if !tasks.is_empty() {
            return Ok(Claim::Tasks(tasks, ids));
        }
        if let Some(arn) = &filter.arn {
            let exec = s.exec_by_arn(arn)?.ok_or_else(|| EngineError::ExecutionNotFound { arn: arn.clone() })?;
            if exec.status != ExecutionStatus::Running {
                return Ok(Claim::Finished);
            }
        }
        let (next_due, running) = s.idle_state(filter)?;
        Ok(Claim::Idle { next_due, running })
    })?;
    core.stats.lease_taken_over(taken_over);
    core.stats.invocation_failed(crate::invocation::CRASH_ERROR_TYPE, taken_over);
    Ok(claim)
}
