//! Firing timers: the one place where the passing of time changes operation records. Each due
//! timer is handed to its operation's state machine (waits elapse, retries become ready,
//! callbacks time out), which records its event and wakes the execution. Also the one place
//! that decides whether a time-skipping clock may jump to the next timer now: waits and retry
//! delays at once; towards a callback's timeout only after the process has been quiet for
//! `callback_quiet_ms` of real time, and then to `CALLBACK_REAL_MS` before it; to a heartbeat
//! deadline a heartbeat moved, never (a test may still answer or heartbeat, as it always can
//! with a runner whose callback timers run in real time).
//!
//! The execution-level deadlines fire here too: an execution whose timeout passed ends
//! TIMED_OUT, and an ended execution whose retention expired (or that was deleted) has its data
//! removed. A skipping clock never jumps to them (nothing the handler waits for): they fire when
//! the clock passes them on its way to a wait or retry, or as real time passes.
//!
//! Quiet is judged for the whole process: a test may answer one runner's callback from another
//! runner's handler, so the activity of every engine that asks for quiet counts.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use crate::core::Core;
use crate::error::Result;
use crate::lifecycle::{apply_outside, finish_execution};
use crate::model::{ErrorObject, TimerKind};
use crate::ops::execution::ExecEvent;
use crate::ops::OpEvent;
use crate::storage::{DueKinds, DueTimer, Storage, TaskFilter};

/// Timers fired per transaction, so one firing burst cannot hold the lock for long.
const BATCH: i64 = 256;

/// Fires every timer due at `now`: execution deadlines first (an execution that timed out
/// does not act on a wait that elapsed after its deadline), then operation timers, then the
/// removal of expired executions. Returns how many changed something.
pub(crate) fn fire_due(core: &Core, now: i64) -> Result<usize> {
    fire_due_known(core, now, None)
}

/// `fire_due`, told what is due when the caller has just read it (`known`); otherwise it is
/// looked for with one read first, since nearly every pass finds nothing.
pub(crate) fn fire_due_known(core: &Core, now: i64, known: Option<DueKinds>) -> Result<usize> {
    let due = match known {
        Some(due) => due,
        None => core.read(|s| s.due_kinds(now))?,
    };
    let mut fired = if due.deadlines { time_out_due(core, now)? } else { 0 };
    while due.timers {
        let (changed, seen) = core.write_retrying(|s| {
            let due = s.due_timers(now, BATCH)?;
            // Their executions are locked first, as every writer of an execution does; then
            // another worker may have fired a timer since we read it: then it is gone.
            let exec_ids: Vec<i64> = due.iter().map(|t| t.exec_id).collect();
            s.prefetch_exec_ids(&exec_ids)?;
            let taken = s.take_timers(&due)?;
            let firing: Vec<i64> = due.iter().zip(&taken).filter(|(_, taken)| **taken).map(|(t, _)| t.exec_id).collect();
            s.prefetch_ops(&firing)?;
            let mut changed = 0;
            for (timer, taken) in due.iter().zip(taken) {
                if taken && fire_one(s, timer, now)? {
                    changed += 1;
                }
            }
            Ok((changed, due.len()))
        })?;
        fired += changed;
        if (seen as i64) < BATCH {
            break;
        }
    }
    if due.purges {
        fired += purge_due(core, now)?;
    }
    if fired > 0 {
        core.wake_waiters();
    }
    Ok(fired)
}

/// Ends every live execution whose deadline passed: TIMED_OUT, `ExecutionTimedOut`. A running
/// invocation is not interrupted: its next checkpoint is refused, as after a stop.
fn time_out_due(core: &Core, now: i64) -> Result<usize> {
    let mut ended = 0;
    // Looked for without the write lock first: nearly every pass finds nothing.
    if core.read(|s| s.due_deadlines(now, 1))?.is_empty() {
        return Ok(0);
    }
    loop {
        let (changed, seen) = core.write_retrying(|s| {
            let due = s.due_deadlines(now, BATCH)?;
            let mut changed = 0;
            for &id in &due {
                // Judged again on the row as it is now: a resume may have moved the deadline.
                let mut exec = s.exec_by_id(id)?;
                if exec.deadline_ms.is_some_and(|d| d <= now) && exec.status.is_live() {
                    let timeout = exec.timeout_s;
                    let error = ErrorObject::new("Execution.TimedOut", &format!("the execution did not finish within its ExecutionTimeout of {timeout} seconds"));
                    if finish_execution(s, &mut exec, ExecEvent::TimeOut(error), now)? {
                        changed += 1;
                    }
                    s.update_exec(&exec)?;
                } else if !exec.status.is_live() {
                    exec.deadline_ms = None;
                    s.update_exec(&exec)?;
                }
            }
            Ok((changed, due.len()))
        })?;
        ended += changed;
        if (seen as i64) < BATCH {
            return Ok(ended);
        }
    }
}

/// Removes the data of every ended execution whose retention expired, or that was deleted
/// (DELETING until this runs; then it is not found). One execution per transaction, so a
/// large history never holds the lock for long.
fn purge_due(core: &Core, now: i64) -> Result<usize> {
    let mut removed = 0;
    loop {
        if core.read(|s| s.due_purges(now, 1))?.is_empty() {
            return Ok(removed);
        }
        let done = core.write_retrying(|s| {
            let Some(&id) = s.due_purges(now, 1)?.first() else { return Ok(false) };
            let exec = s.exec_by_id(id)?;
            if exec.purge_ms.is_some_and(|p| p <= now) && !exec.status.is_live() {
                s.purge_exec(id)?;
            } else if exec.status.is_live() {
                let mut exec = exec;
                exec.purge_ms = None;
                s.update_exec(&exec)?;
            }
            Ok(true)
        })?;
        if !done {
            return Ok(removed);
        }
        removed += 1;
    }
}

fn fire_one(s: &dyn Storage, timer: &DueTimer, now: i64) -> Result<bool> {
    let mut exec = s.exec_by_id(timer.exec_id)?;
    // A paused execution's waits, retries and callback deadlines still elapse; it acts on them
    // once resumed.
    if !exec.status.is_live() {
        return Ok(false);
    }
    let Some((op, seq)) = s.get_op(timer.exec_id, &timer.op_id)? else { return Ok(false) };
    apply_outside(s, &mut exec, &op, seq, OpEvent::Timer(timer.kind), now)
}

/// When the next timer of the selected executions fires, or an idle one is due (engine clock).
pub(crate) fn next_due(core: &Core, filter: &TaskFilter) -> Result<Option<i64>> {
    core.read(|s| s.next_due_time(filter))
}

/// Invocations running in engines of this process that ask for quiet, and the last activity
/// (real ms).
static INVOKING: AtomicI64 = AtomicI64::new(0);
static LAST_ACTIVITY_MS: AtomicI64 = AtomicI64::new(0);

fn real_now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Something happened that a test may react to; `invoking` moves the count of running
/// invocations (+1 begun, -1 ended).
pub(crate) fn note_activity(core: &Core, invoking: i64) {
    if core.config.callback_quiet_ms.is_none() {
        return;
    }
    if invoking != 0 {
        INVOKING.fetch_add(invoking, Ordering::SeqCst);
    }
    LAST_ACTIVITY_MS.store(real_now_ms(), Ordering::SeqCst);
}

/// The last stretch of a callback's timeout that a skipping clock leaves to real time, so a test
/// that answers a callback at a human pace (a pause of up to a second) still answers in time.
pub const CALLBACK_REAL_MS: i64 = 1_000;

/// What a time-skipping clock does about the next timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Jump {
    /// Move the clock to this time (it may be before the timer: the rest passes in real time).
    To(i64),
    /// Do not move it; ask again after this much real time.
    Hold(Duration),
}

/// Whether a time-skipping clock may jump towards the timer due at `due` now. Waits and retry
/// delays: at once. A callback's deadline, where `callback_quiet_ms` is set (the test runner):
/// only after the process has been quiet that long, and then only to `CALLBACK_REAL_MS` before
/// the deadline (a shorter timeout passes wholly in real time, as on the official runner). A
/// heartbeat deadline that a heartbeat has moved: never, so a callback that a test keeps
/// heartbeating within its heartbeat timeout cannot time out, and one it stops heartbeating
/// times out in real time.
pub(crate) fn jump_towards(core: &Core, filter: &TaskFilter, due: i64) -> Result<Jump> {
    let Some(quiet) = core.config.callback_quiet_ms else { return Ok(Jump::To(due)) };
    let Some(timer) = core.read(|s| s.next_timer(filter))?.filter(|t| t.due_ms == due && is_callback_deadline(t.kind)) else {
        return Ok(Jump::To(due));
    };
    let real_until_due = Jump::Hold(Duration::from_millis((due - core.now()).clamp(1, quiet.max(1)) as u64));
    if timer.kind == TimerKind::CallbackHeartbeat && heartbeated(core, &timer)? {
        return Ok(real_until_due);
    }
    let since = real_now_ms() - LAST_ACTIVITY_MS.load(Ordering::SeqCst);
    if INVOKING.load(Ordering::SeqCst) > 0 || since < quiet {
        return Ok(Jump::Hold(Duration::from_millis((quiet - since).clamp(1, quiet) as u64)));
    }
    let target = due - CALLBACK_REAL_MS;
    Ok(if target > core.now() { Jump::To(target) } else { real_until_due })
}

fn is_callback_deadline(kind: TimerKind) -> bool {
    matches!(kind, TimerKind::CallbackTimeout | TimerKind::CallbackHeartbeat)
}

/// Whether a heartbeat moved this heartbeat deadline (it is later than the callback's start
/// plus its heartbeat timeout): a test is heartbeating the callback.
fn heartbeated(core: &Core, timer: &DueTimer) -> Result<bool> {
    let op = core.read(|s| s.get_op(timer.exec_id, &timer.op_id))?;
    Ok(op.is_some_and(|(op, _)| op.callback_heartbeat_s.is_some_and(|h| timer.due_ms > op.start_ms + h * 1000)))
}
