//! Deciding what runs next: `next_task` fires due timers, recovers invocations whose process
//! died, claims the execution that is due, and otherwise sleeps until the next timer, a local
//! wake-up, or a poll for changes made by other processes. With time skipping it moves the
//! virtual clock to the next timer whenever nothing is running.

use std::time::Duration;

use crate::engine::Engine;
use crate::error::{EngineError, Result};
use crate::invocation::{Task, TaskFilter};
use crate::model::ExecutionStatus;

enum Claim {
    /// At least one task.
    Tasks(Vec<Task>),
    /// The filtered execution has finished: there will be no task.
    Finished,
    Idle { next_due: Option<i64>, running: bool },
}

impl Engine {
    /// Waits for the next invocation to run among the executions `filter` selects. Returns
    /// `None` when the filter names one execution and it has finished, or the engine closed.
    pub async fn next_task(&self, filter: &TaskFilter) -> Result<Option<Task>> {
        Ok(self.next_tasks(filter, 1).await?.pop())
    }

    /// Like `next_task`, but claims up to `max` due invocations at once (one transaction), so a
    /// worker running many executions has one waiter instead of one per free slot. Returns an
    /// empty list where `next_task` returns `None`.
    pub async fn next_tasks(&self, filter: &TaskFilter, max: usize) -> Result<Vec<Task>> {
        let max = max.max(1);
        loop {
            if self.is_closed() || self.tasks_stopped() {
                return Ok(Vec::new());
            }
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();

            let now = self.clock.now_ms();
            self.fire_due_timers(now)?;
            match self.try_claim(filter, now, max)? {
                Claim::Tasks(tasks) => return Ok(tasks),
                Claim::Finished => return Ok(Vec::new()),
                Claim::Idle { next_due, running } => {
                    if self.clock.skips_time() && !running {
                        if let Some(due) = next_due {
                            self.clock.advance_to(due);
                            continue;
                        }
                    }
                    let until_due = next_due.map(|d| (d - now).max(0) as u64).unwrap_or(u64::MAX);
                    let sleep_ms = until_due.min(self.config.poll_ms);
                    tokio::select! {
                        _ = &mut notified => {}
                        _ = tokio::time::sleep(Duration::from_millis(sleep_ms)) => {}
                    }
                }
            }
        }
    }

    /// When the next timer of the executions `filter` selects fires (engine clock, ms).
    pub fn next_due_time(&self, filter: &TaskFilter) -> Result<Option<i64>> {
        self.read(|s| s.next_due_time(filter))
    }

    /// Moves the virtual clock forward to `target_ms` (time skipping only), so a caller can
    /// interleave its own timed actions with the engine's timers.
    pub fn advance_clock_to(&self, target_ms: i64) -> Result<()> {
        if !self.clock.skips_time() {
            return Err(EngineError::parameter("clock", target_ms, "only a time-skipping engine can be moved forward"));
        }
        self.clock.advance_to(target_ms);
        self.notify.notify_waiters();
        Ok(())
    }

    fn try_claim(&self, filter: &TaskFilter, now: i64, max: usize) -> Result<Claim> {
        self.write(|s| {
            for mut exec in s.foreign_active_executions(filter, &self.owner)? {
                if self.is_abandoned(&exec, now) {
                    self.recover(s, &mut exec, now)?;
                }
            }
            let mut tasks = Vec::new();
            while tasks.len() < max {
                let Some(mut exec) = s.next_due_execution(filter, now)? else { break };
                tasks.push(self.begin(s, &mut exec, now)?);
            }
            if !tasks.is_empty() {
                return Ok(Claim::Tasks(tasks));
            }
            if let Some(arn) = &filter.arn {
                let exec = s.exec_by_arn(arn)?.ok_or_else(|| EngineError::ExecutionNotFound { arn: arn.clone() })?;
                if exec.status != ExecutionStatus::Running.as_str() {
                    return Ok(Claim::Finished);
                }
            }
            Ok(Claim::Idle { next_due: s.next_due_time(filter)?, running: s.any_active(filter)? })
        })
    }
}
