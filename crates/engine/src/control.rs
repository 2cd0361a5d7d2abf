//! Control-plane operations on executions and on the engine's own invocations:
//! `StopDurableExecution` (PROTOCOL.md §7-8), renewing the leases this engine holds, and
//! ceasing to hand out invocations (a worker's graceful shutdown).

use std::sync::atomic::Ordering;

use crate::core::{lock, Core};
use crate::error::{EngineError, Result};
use crate::lifecycle::{finish_execution, resolve};
use crate::model::{ErrorObject, ExecutionStatus};
use crate::ops::execution::ExecEvent;
use crate::request::ERROR_LIMIT;

/// Stops a running execution: status `STOPPED`, `ExecutionStopped` with `error` (an empty
/// error object when none is given), its timers dropped, a caller waiting on it (chained
/// invoke) told. An invocation running now is not interrupted: its next checkpoint is refused
/// (the token belongs to an execution that is no longer running), and how it ended is still
/// recorded. Returns the stop time (engine clock, ms).
pub(crate) fn stop(core: &Core, arn_or_name: &str, error: Option<ErrorObject>) -> Result<i64> {
    if let Some(e) = &error {
        let size = serde_json::to_string(e).map(|t| t.len()).unwrap_or(0);
        if size > ERROR_LIMIT {
            return Err(EngineError::PayloadTooLarge { field: "stop error".into(), size, limit: ERROR_LIMIT });
        }
    }
    let now = core.now();
    core.write_retrying(|s| {
        let mut exec = resolve(s, arn_or_name)?;
        if exec.status != ExecutionStatus::Running {
            return Err(EngineError::ExecutionNotRunning { arn: exec.arn, name: exec.name, status: exec.status.to_string() });
        }
        finish_execution(s, &mut exec, ExecEvent::Stop(error.clone().unwrap_or_default()), now)?;
        s.update_exec(&exec)
    })?;
    core.wake_waiters();
    Ok(now)
}

/// Extends the lease of every invocation this engine is running, so a long invocation is not
/// taken over while its engine is alive. Returns how many were renewed.
pub(crate) fn renew_leases(core: &Core) -> Result<usize> {
    let now = core.now();
    let expires = now + core.config.lease_ms;
    let running: Vec<(i64, i64)> = lock(&core.active).iter().map(|(id, a)| (*id, a.epoch)).collect();
    if running.is_empty() {
        return Ok(0);
    }
    // The storage lock is always taken before the map's (as the checkpoint path does).
    core.write_retrying(|s| {
        let mut renewed = 0;
        for &(exec_id, epoch) in &running {
            if s.renew_lease(exec_id, &core.me.owner, epoch, expires)? {
                if let Some(a) = lock(&core.active).get_mut(&exec_id).filter(|a| a.epoch == epoch) {
                    a.lease_expires_ms = expires;
                }
                renewed += 1;
            }
        }
        Ok(renewed)
    })
}

/// Stops handing out invocations: waiting and later `next_tasks` calls answer nothing, while
/// invocations already handed out can still checkpoint and complete.
pub(crate) fn stop_tasks(core: &Core) {
    core.tasks_stopped.store(true, Ordering::SeqCst);
    core.wake_waiters();
}

pub(crate) fn active_invocations(core: &Core) -> usize {
    lock(&core.active).len()
}

/// Renews this engine's leases every third of the lease length on a background thread, so an
/// invocation whose handler runs long without checkpointing keeps its owner while the engine
/// lives (and loses it within one lease length once the engine is gone).
pub(crate) fn start_renewer(core: &std::sync::Arc<Core>) -> Option<crate::periodic::Periodic> {
    let every = std::time::Duration::from_millis((core.config.lease_ms / 3).max(1) as u64);
    let weak = std::sync::Arc::downgrade(core);
    crate::periodic::Periodic::start("durable-lease-renewer", every, move || {
        let Some(core) = weak.upgrade().filter(|c| !c.is_closed()) else { return false };
        // A failed renewal is retried at the next tick; the lease has two more.
        let _ = renew_leases(&core);
        true
    })
}
