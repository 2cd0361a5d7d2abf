//! Completing callbacks from outside the execution (PROTOCOL.md §7-8): success, failure and
//! heartbeat by callback id. A callback id names exactly one operation of one execution; the
//! callback state machine (ops/callback.rs) decides what a completion does.

use crate::core::Core;
use crate::error::{EngineError, Result};
use crate::lifecycle::apply_outside;
use crate::model::ErrorObject;
use crate::ops::{CallbackCompletion, OpEvent};
use crate::request::PAYLOAD_LIMIT;

pub(crate) fn success(core: &Core, callback_id: &str, result: Option<&str>) -> Result<()> {
    if let Some(r) = result {
        if r.len() > PAYLOAD_LIMIT {
            return Err(EngineError::PayloadTooLarge { field: "callback result".into(), size: r.len(), limit: PAYLOAD_LIMIT });
        }
    }
    complete(core, callback_id, CallbackCompletion::Success(result.filter(|r| !r.is_empty()).map(str::to_string)))
}

pub(crate) fn failure(core: &Core, callback_id: &str, error: Option<ErrorObject>) -> Result<()> {
    complete(core, callback_id, CallbackCompletion::Failure(error.unwrap_or_default()))
}

pub(crate) fn heartbeat(core: &Core, callback_id: &str) -> Result<()> {
    complete(core, callback_id, CallbackCompletion::Heartbeat)
}

fn complete(core: &Core, callback_id: &str, completion: CallbackCompletion) -> Result<()> {
    let now = core.now();
    core.write_retrying(|s| {
        let Some((exec_id, op, seq)) = s.op_by_callback_id(callback_id)? else {
            return Err(EngineError::CallbackNotFound { callback_id: callback_id.to_string() });
        };
        let mut exec = s.exec_by_id(exec_id)?;
        // A paused execution's callbacks still complete; it acts on them once resumed.
        if !exec.status.is_live() {
            let status = if op.status.is_terminal() { op.status.to_string() } else { exec.status.to_string() };
            return Err(EngineError::CallbackClosed { callback_id: callback_id.to_string(), status });
        }
        apply_outside(s, &mut exec, &op, seq, OpEvent::Callback(&completion), now).map(|_| ())
    })?;
    crate::timers::note_activity(core, 0);
    core.wake_waiters();
    Ok(())
}
