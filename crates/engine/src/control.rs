//! Control-plane operations on executions and on the engine's own invocations:
//! `StopDurableExecution` (PROTOCOL.md §7-8), `PauseDurableExecution`,
//! `ResumeDurableExecution` and `DeleteDurableExecution` (CONTROL-PLANE-UPDATE.md; what each
//! does to the execution is ops/execution.rs's), their ClientToken idempotency (stored with the
//! execution, so any process on the storage recognises a repeated request), renewing the leases
//! this engine holds, and ceasing to hand out invocations (a worker's graceful shutdown).

use std::sync::atomic::Ordering;

use crate::core::{lock, Core};
use crate::error::{EngineError, Result};
use crate::lifecycle::{append_events, control_state, finish_execution, resolve, set_control_state};
use crate::model::ErrorObject;
use crate::ops::execution::{self as exec_sm, Control, ExecEvent};
use crate::request::ERROR_LIMIT;

/// How long a ClientToken identifies a control request.
const CLIENT_TOKEN_WINDOW_MS: i64 = 15 * 60 * 1000;
/// `PauseReason` / `ResumeReason`: 0 to 1024 characters.
const REASON_LIMIT: usize = 1024;
/// `ClientToken`: 1 to 64 printable ASCII characters.
const CLIENT_TOKEN_LIMIT: usize = 64;

/// A control request as its caller gave it.
#[derive(Debug, Clone, Default)]
pub struct ControlRequest {
    pub client_token: Option<String>,
    pub reason: Option<String>,
    /// Pause only; `None` means the default (true).
    pub timeout_paused: Option<bool>,
}

fn check_request(request: &ControlRequest) -> Result<()> {
    if let Some(reason) = &request.reason {
        let chars = reason.chars().count();
        if chars > REASON_LIMIT {
            return Err(EngineError::parameter("Reason", format!("of {chars} characters"), format!("must be at most {REASON_LIMIT} characters")));
        }
    }
    if let Some(token) = &request.client_token {
        let printable = token.bytes().all(|b| (0x21..=0x7e).contains(&b));
        if token.is_empty() || token.len() > CLIENT_TOKEN_LIMIT || !printable {
            return Err(EngineError::parameter(
                "ClientToken",
                format!("{token:?}"),
                format!("must be 1 to {CLIENT_TOKEN_LIMIT} printable ASCII characters without spaces"),
            ));
        }
    }
    Ok(())
}

/// What a client may do with an execution in each status, for the refusal's message.
fn allowed(control: &Control) -> &'static str {
    match control {
        Control::Pause { .. } => "only a RUNNING execution can be paused",
        Control::Resume { .. } => "only a PAUSED or PAUSING execution can be resumed",
        Control::Delete => "only an ended execution (SUCCEEDED, FAILED, STOPPED or TIMED_OUT) can be deleted",
    }
}

/// Identifies a request by what it asks, so a repeated ClientToken is judged by its parameters.
fn digest(control: &Control) -> String {
    let text = match control {
        Control::Pause { reason, timeout_paused } => serde_json::json!(["pause", reason, timeout_paused]),
        Control::Resume { reason } => serde_json::json!(["resume", reason]),
        Control::Delete => serde_json::json!(["delete"]),
    };
    blake3::hash(text.to_string().as_bytes()).to_hex().to_string()
}

/// Pauses, resumes or deletes an execution (one transaction). A ClientToken repeated with the
/// same parameters within 15 minutes succeeds again without acting twice; with different ones
/// it is refused. Returns the request time (engine clock, ms).
pub(crate) fn apply(core: &Core, arn_or_name: &str, control: Control, client_token: Option<&str>) -> Result<i64> {
    let now = core.now();
    let key = digest(&control);
    core.write_retrying(|s| {
        let mut exec = resolve(s, arn_or_name)?;
        if let Some(token) = client_token {
            if let Some((seen, at)) = s.control_token(exec.id, token)?.filter(|(_, at)| now - at < CLIENT_TOKEN_WINDOW_MS) {
                if seen == key {
                    return Ok(at);
                }
                return Err(EngineError::ClientTokenReused { client_token: token.to_string(), arn: exec.arn.clone(), action: control.name().to_string() });
            }
        }
        let done = exec_sm::control(&exec.exec_op_id, &control_state(&exec), &control, now).map_err(|status| EngineError::ExecutionConflict {
            arn: exec.arn.clone(),
            name: exec.name.clone(),
            status: status.to_string(),
            action: control.name().to_string(),
            reason: allowed(&control).to_string(),
        })?;
        set_control_state(&mut exec, done.state);
        if control == Control::Delete {
            // Removed by the next pass of any engine's scheduler over the storage (timers.rs).
            exec.purge_ms = Some(now);
        }
        if !done.events.is_empty() {
            append_events(s, exec.id, &done.events)?;
            // Events appended outside a running invocation invalidate its cached next event id.
            exec.change_seq += 1;
        }
        s.update_exec(&exec)?;
        if let Some(token) = client_token {
            s.put_control_token(exec.id, token, &key, now)?;
        }
        Ok(now)
    })
    .inspect(|_| core.wake_waiters())
}

pub(crate) fn pause(core: &Core, arn_or_name: &str, request: &ControlRequest) -> Result<i64> {
    check_request(request)?;
    let control = Control::Pause { reason: request.reason.clone(), timeout_paused: request.timeout_paused.unwrap_or(true) };
    apply(core, arn_or_name, control, request.client_token.as_deref())
}

pub(crate) fn resume(core: &Core, arn_or_name: &str, request: &ControlRequest) -> Result<i64> {
    check_request(request)?;
    if request.timeout_paused.is_some() {
        return Err(EngineError::parameter("ExecutionTimeoutPaused", "given", "applies to a pause, not a resume"));
    }
    apply(core, arn_or_name, Control::Resume { reason: request.reason.clone() }, request.client_token.as_deref())
}

/// Marks an ended execution DELETING; its data is removed by the next scheduler pass (or
/// `timers::fire_due`). Returns the request time.
pub(crate) fn delete(core: &Core, arn_or_name: &str) -> Result<i64> {
    apply(core, arn_or_name, Control::Delete, None)
}

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
        // A PAUSING or PAUSED execution can be stopped too (the Lambda API: "running or paused").
        if !exec.status.is_live() {
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
