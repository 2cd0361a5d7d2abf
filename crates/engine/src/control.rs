//! Control-plane operations on executions and on the engine's own invocations:
//! `StopDurableExecution` (PROTOCOL.md §7-8), renewing the leases of the invocations this engine
//! runs, and ceasing to hand out invocations (a worker's graceful shutdown).

use std::sync::atomic::Ordering;

use crate::engine::{finish_execution, lock_map, resolve, Engine};
use crate::error::{EngineError, Result};
use crate::model::{ErrorObject, ExecutionStatus};
use crate::validate::ERROR_LIMIT;

impl Engine {
    /// Stops a running execution: status `STOPPED`, `ExecutionStopped` with `error` (an empty
    /// error object when none is given), its timers dropped, a caller waiting on it (chained
    /// invoke) told. An invocation running now is not interrupted: its next checkpoint is refused
    /// (the token belongs to an execution that is no longer running), and how it ended is still
    /// recorded. Returns the stop time (engine clock, ms).
    pub fn stop_execution(&self, arn_or_name: &str, error: Option<ErrorObject>) -> Result<i64> {
        if let Some(e) = &error {
            let size = serde_json::to_string(e).map(|t| t.len()).unwrap_or(0);
            if size > ERROR_LIMIT {
                return Err(EngineError::PayloadTooLarge { field: "stop error".into(), size, limit: ERROR_LIMIT });
            }
        }
        let now = self.clock.now_ms();
        self.write(|s| {
            let mut exec = resolve(s, arn_or_name)?;
            if exec.status != ExecutionStatus::Running.as_str() {
                return Err(EngineError::ExecutionNotRunning { arn: exec.arn, status: exec.status });
            }
            finish_execution(s, &mut exec, ExecutionStatus::Stopped, None, Some(error.unwrap_or_default()), now)?;
            s.update_exec(&exec)
        })?;
        self.notify.notify_waiters();
        Ok(now)
    }

    /// Extends the lease of every invocation this engine is running, so a long invocation is
    /// not taken over while its process is alive and well. Returns how many were renewed.
    pub fn renew_leases(&self) -> Result<usize> {
        let now = self.clock.now_ms();
        let lease = now + self.config.lease_ms;
        // The store lock is always taken before the map's (as the checkpoint path does).
        let running: Vec<(i64, i64)> = lock_map(&self.active).iter().map(|(id, a)| (*id, a.number)).collect();
        if running.is_empty() {
            return Ok(0);
        }
        self.write(|s| {
            let mut renewed = 0;
            for (exec_id, number) in running {
                if s.renew_owned_lease(exec_id, &self.owner, number, lease)? {
                    if let Some(a) = lock_map(&self.active).get_mut(&exec_id).filter(|a| a.number == number) {
                        a.lease_ms = lease;
                    }
                    renewed += 1;
                }
            }
            Ok(renewed)
        })
    }

    /// Stops handing out invocations: waiting and later `next_task` calls answer `None`, while
    /// invocations already handed out can still checkpoint and complete (graceful shutdown).
    pub fn stop_tasks(&self) {
        self.tasks_stopped.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    pub(crate) fn tasks_stopped(&self) -> bool {
        self.tasks_stopped.load(Ordering::SeqCst)
    }

    /// How many invocations this engine has handed out that have not ended yet.
    pub fn active_invocations(&self) -> usize {
        lock_map(&self.active).len()
    }
}
