//! The invocation lifecycle: claiming an execution that is due (with a lease, so two engines
//! on one file never run the same invocation), building the invocation input, and recording
//! how the invocation ended — including invocations whose process died.

use crate::checkpoint::{make_token, paginate, pruned_state};
use crate::engine::{append_events, finish_execution, lock_map, to_execution, ActiveInvocation, Engine};
use crate::error::{EngineError, Result};
use crate::history;
use crate::ids;
use crate::model::{ErrorObject, Execution, ExecutionStatus, InvocationOutput, InvocationStatus, Operation};
use crate::store::{ExecRow, Store};

/// An invocation the caller must now run: the AWS invocation input plus what the caller needs
/// to find the handler.
#[derive(Debug, Clone)]
pub struct Task {
    pub function_name: String,
    pub arn: String,
    pub token: String,
    pub request_id: String,
    pub invocation_number: i64,
    pub operations: Vec<Operation>,
    pub next_marker: Option<String>,
    pub updated_operation_ids: Vec<String>,
}

/// Which executions a caller is willing to run.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub arn: Option<String>,
    pub functions: Option<Vec<String>>,
}

impl TaskFilter {
    pub(crate) fn functions_json(&self) -> Option<String> {
        self.functions.as_ref().map(|f| serde_json::to_string(f).unwrap_or_default())
    }
}

pub(crate) const CRASH_ERROR_TYPE: &str = "Runtime.ExitError";

fn process_alive(pid: i64) -> bool {
    #[cfg(unix)]
    {
        // Signal 0 checks existence; EPERM still means the process exists.
        let rc = unsafe { libc::kill(pid as libc::pid_t, 0) };
        rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

impl Engine {
    /// An active invocation may be taken over when its lease ran out or its process is gone.
    pub(crate) fn is_abandoned(&self, exec: &ExecRow, now: i64) -> bool {
        if !exec.inv_active {
            return false;
        }
        if exec.inv_owner.as_deref() == Some(self.owner.as_str()) {
            return false;
        }
        let lease_over = exec.inv_lease_ms.is_some_and(|l| l < now);
        let dead = exec.inv_pid.is_some_and(|pid| pid != self.pid && !process_alive(pid));
        lease_over || dead
    }

    /// Records the end of an invocation that will never report (its process died) and makes
    /// the execution due again.
    pub(crate) fn recover(&self, s: &Store, exec: &mut ExecRow, now: i64) -> Result<()> {
        let error = ErrorObject::new(CRASH_ERROR_TYPE, "The invocation ended without a result: its process exited or its lease expired.");
        let start = exec.inv_start_ms.unwrap_or(now);
        let request_id = exec.inv_request_id.clone().unwrap_or_default();
        append_events(s, exec, &[history::invocation_completed(start, now, &request_id, Some(&error))])?;
        exec.inv_active = false;
        exec.inv_owner = None;
        exec.inv_pid = None;
        exec.wake_ms = Some(now);
        s.update_exec(exec)
    }

    /// Marks `exec` as being invoked by this engine and builds its invocation input.
    pub(crate) fn begin(&self, s: &Store, exec: &mut ExecRow, now: i64) -> Result<Task> {
        let updated: Vec<String> = if exec.inv_count > 0 && exec.change_seq > exec.delivered_seq {
            s.ops_changed_since(exec.id, exec.delivered_seq)?.into_iter().map(|op| op.id).collect()
        } else {
            Vec::new()
        };
        exec.inv_count += 1;
        exec.inv_active = true;
        exec.inv_owner = Some(self.owner.clone());
        exec.inv_pid = Some(self.pid);
        exec.inv_lease_ms = Some(now + self.config.lease_ms);
        exec.inv_start_ms = Some(now);
        exec.inv_request_id = Some(ids::random_id());
        exec.wake_ms = None;
        exec.delivered_seq = exec.change_seq;
        s.update_exec(exec)?;
        let lease_ms = now + self.config.lease_ms;
        let op_count = s.count_ops(exec.id)?;
        lock_map(&self.active).insert(
            exec.id,
            ActiveInvocation { number: exec.inv_count, token_seq: 0, delivered_seq: exec.change_seq, lease_ms, op_count },
        );
        let page = paginate(pruned_state(s, exec.id)?, 0, self.config.page_size);
        Ok(Task {
            function_name: exec.function_name.clone(),
            arn: exec.arn.clone(),
            token: make_token(exec.id, exec.inv_count, 0),
            request_id: exec.inv_request_id.clone().unwrap_or_default(),
            invocation_number: exec.inv_count,
            operations: page.operations,
            next_marker: page.next_marker,
            updated_operation_ids: updated,
        })
    }

    /// Loads the execution whose active invocation `token` names, even if a checkpoint has
    /// already ended the execution.
    fn invocation_exec(&self, s: &Store, arn: &str, token: &str) -> Result<ExecRow> {
        let exec = s.exec_by_arn(arn)?.ok_or_else(|| EngineError::ExecutionNotFound { arn: arn.to_string() })?;
        let current = format!("{}.{}.", exec.id, exec.inv_count);
        if !exec.inv_active || !token.starts_with(&current) {
            return Err(EngineError::InvalidToken { reason: format!("{token:?} does not belong to the active invocation of {arn}") });
        }
        Ok(exec)
    }

    fn end_invocation(&self, s: &Store, exec: &mut ExecRow, now: i64, error: Option<&ErrorObject>) -> Result<()> {
        let start = exec.inv_start_ms.unwrap_or(now);
        let request_id = exec.inv_request_id.clone().unwrap_or_default();
        append_events(s, exec, &[history::invocation_completed(start, now, &request_id, error)])?;
        if let Some(done) = lock_map(&self.active).remove(&exec.id) {
            exec.delivered_seq = done.delivered_seq;
        }
        exec.inv_active = false;
        exec.inv_owner = None;
        exec.inv_pid = None;
        Ok(())
    }

    /// Records what the handler answered (PROTOCOL.md §2.2, §10).
    pub fn complete_invocation(&self, arn: &str, token: &str, output: &InvocationOutput) -> Result<Execution> {
        let now = self.clock.now_ms();
        let execution = self.write(|s| {
            let mut exec = self.invocation_exec(s, arn, token)?;
            self.end_invocation(s, &mut exec, now, None)?;
            exec.failed_invocations = 0;
            if exec.status == ExecutionStatus::Running.as_str() {
                match output.status {
                    InvocationStatus::Succeeded => {
                        finish_execution(s, &mut exec, ExecutionStatus::Succeeded, output.result.clone(), None, now)?
                    }
                    InvocationStatus::Failed => {
                        let error = output.error.clone().or_else(|| Some(ErrorObject::default()));
                        finish_execution(s, &mut exec, ExecutionStatus::Failed, None, error, now)?
                    }
                    InvocationStatus::Pending => {
                        if exec.change_seq > exec.delivered_seq {
                            // Something changed that this invocation never saw (a callback
                            // completed during it, say): invoke again now, even if that change
                            // left nothing pending.
                            exec.wake_ms = Some(now);
                        } else if s.ops_in_order(exec.id)?.iter().any(Operation::is_pending_on_service) {
                            exec.wake_ms = None;
                        } else {
                            let error = ErrorObject::new(
                                "InvalidParameterValueException",
                                "Cannot return PENDING status with no pending operations.",
                            );
                            finish_execution(s, &mut exec, ExecutionStatus::Failed, None, Some(error), now)?;
                        }
                    }
                }
            }
            s.update_exec(&exec)?;
            Ok(to_execution(&exec))
        })?;
        self.notify.notify_waiters();
        Ok(execution)
    }

    /// Records that the invocation itself failed (the handler threw instead of answering);
    /// the execution is invoked again after the retry delay, as Lambda retries it.
    pub fn fail_invocation(&self, arn: &str, token: &str, error: &ErrorObject) -> Result<Execution> {
        let now = self.clock.now_ms();
        let execution = self.write(|s| {
            let mut exec = self.invocation_exec(s, arn, token)?;
            self.end_invocation(s, &mut exec, now, Some(error))?;
            exec.failed_invocations += 1;
            if exec.status == ExecutionStatus::Running.as_str() {
                exec.wake_ms = Some(now + self.config.invocation_retry_delay_ms);
            }
            s.update_exec(&exec)?;
            Ok(to_execution(&exec))
        })?;
        self.notify.notify_waiters();
        Ok(execution)
    }
}
