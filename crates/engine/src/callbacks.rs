//! Completing callbacks from outside the execution (PROTOCOL.md §7-8): success, failure and
//! heartbeat by callback id. A callback id names exactly one operation of one execution; a
//! closed callback refuses further completions.

use crate::apply::TimerKind;
use crate::engine::{Engine, EventLog};
use crate::error::{EngineError, Result};
use crate::history;
use crate::model::{ErrorObject, ExecutionStatus, OperationStatus};
use crate::timers::wake;
use crate::validate::PAYLOAD_LIMIT;

enum Completion {
    Success(Option<String>),
    Failure(ErrorObject),
    Heartbeat,
}

impl Engine {
    pub fn send_callback_success(&self, callback_id: &str, result: Option<&str>) -> Result<()> {
        if let Some(r) = result {
            if r.len() > PAYLOAD_LIMIT {
                return Err(EngineError::PayloadTooLarge { field: "callback result".into(), size: r.len(), limit: PAYLOAD_LIMIT });
            }
        }
        self.complete_callback(callback_id, Completion::Success(result.filter(|r| !r.is_empty()).map(str::to_string)))
    }

    pub fn send_callback_failure(&self, callback_id: &str, error: Option<ErrorObject>) -> Result<()> {
        self.complete_callback(callback_id, Completion::Failure(error.unwrap_or_default()))
    }

    pub fn send_callback_heartbeat(&self, callback_id: &str) -> Result<()> {
        self.complete_callback(callback_id, Completion::Heartbeat)
    }

    fn complete_callback(&self, callback_id: &str, completion: Completion) -> Result<()> {
        let now = self.clock.now_ms();
        self.write(|s| {
            let (exec_id, (mut op, seq)) = match s.op_by_callback_id(callback_id)? {
                Some((exec_id, op)) => {
                    let seq = s.op_seq_of(exec_id, &op.id)?.unwrap_or(0);
                    (exec_id, (op, seq))
                }
                None => return Err(EngineError::CallbackNotFound { callback_id: callback_id.to_string() }),
            };
            let mut exec = s.exec_by_id(exec_id)?;
            if op.status != OperationStatus::Started || exec.status != ExecutionStatus::Running.as_str() {
                let status = if op.status == OperationStatus::Started { exec.status.clone() } else { op.status.to_string() };
                return Err(EngineError::CallbackClosed { callback_id: callback_id.to_string(), status });
            }
            let event = match completion {
                Completion::Heartbeat => {
                    if let Some(h) = op.callback_heartbeat_s {
                        s.arm_timer(exec_id, &op.id, TimerKind::CallbackHeartbeat.as_str(), now + h * 1000)?;
                    }
                    return Ok(());
                }
                Completion::Success(result) => {
                    op.status = OperationStatus::Succeeded;
                    op.result = result;
                    history::callback_succeeded(&op, now)
                }
                Completion::Failure(error) => {
                    op.status = OperationStatus::Failed;
                    op.error = Some(error);
                    history::callback_failed(&op, now)
                }
            };
            op.end_ms = Some(now);
            s.clear_timers(exec_id, &op.id)?;
            wake(&mut exec, now);
            s.put_op(exec_id, &op, seq, exec.change_seq)?;
            EventLog::open(s, exec_id)?.append(s, &[event])?;
            s.update_exec(&exec)
        })?;
        self.notify.notify_waiters();
        Ok(())
    }
}
