//! Firing timers, the one place where time changes operation records: waits elapse, retries
//! become ready, callbacks time out. Each firing records its event and makes the execution due.

use crate::apply::TimerKind;
use crate::engine::{append_events, Engine};
use crate::error::Result;
use crate::history;
use crate::model::{ErrorObject, ExecutionStatus, OperationStatus};
use crate::store::{ExecRow, Store};

/// Timers fired per transaction, so one firing burst cannot hold the lock for long.
const BATCH: i64 = 256;

/// Marks a change of an operation and makes its execution due for an invocation.
pub(crate) fn wake(exec: &mut ExecRow, now: i64) {
    exec.change_seq += 1;
    if exec.wake_ms.is_none_or(|w| w > now) {
        exec.wake_ms = Some(now);
    }
}

impl Engine {
    /// Fires every timer due at `now`. Returns how many changed a record.
    pub(crate) fn fire_due_timers(&self, now: i64) -> Result<usize> {
        let mut fired = 0;
        loop {
            let (changed, seen) = self.write(|s| {
                let due = s.due_timers(now, BATCH)?;
                let mut changed = 0;
                for (exec_id, op_id, kind, _due) in &due {
                    s.clear_timer(*exec_id, op_id, kind)?;
                    if fire_one(s, *exec_id, op_id, kind, now)? {
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
        if fired > 0 {
            self.notify.notify_waiters();
        }
        Ok(fired)
    }
}

fn fire_one(s: &Store, exec_id: i64, op_id: &str, kind: &str, now: i64) -> Result<bool> {
    let mut exec = s.exec_by_id(exec_id)?;
    if exec.status != ExecutionStatus::Running.as_str() {
        return Ok(false);
    }
    let Some(mut op) = s.get_op(exec_id, op_id)? else { return Ok(false) };
    let Some(kind) = TimerKind::parse(kind) else { return Ok(false) };
    let event = match kind {
        TimerKind::Wait if op.status == OperationStatus::Started => {
            op.status = OperationStatus::Succeeded;
            op.end_ms = Some(now);
            Some(history::wait_succeeded(&op, now))
        }
        TimerKind::Retry if op.status == OperationStatus::Pending => {
            // No history event: the service records READY silently (PROTOCOL.md §7).
            op.status = OperationStatus::Ready;
            None
        }
        TimerKind::CallbackTimeout | TimerKind::CallbackHeartbeat if op.status == OperationStatus::Started => {
            let (error_type, message) = if kind == TimerKind::CallbackTimeout {
                ("Callback.Timeout", "Callback timed out")
            } else {
                ("Callback.Heartbeat", "Callback timed out on heartbeat")
            };
            op.status = OperationStatus::TimedOut;
            op.error = Some(ErrorObject::new(error_type, message));
            op.end_ms = Some(now);
            s.clear_timers(exec_id, op_id)?;
            Some(history::callback_timed_out(&op, now))
        }
        _ => return Ok(false),
    };
    wake(&mut exec, now);
    let seq = s.op_seq_of(exec_id, op_id)?.unwrap_or(0);
    s.put_op(exec_id, &op, seq, exec.change_seq)?;
    if let Some(e) = event {
        append_events(s, &exec, &[e])?;
    }
    s.update_exec(&exec)?;
    Ok(true)
}
