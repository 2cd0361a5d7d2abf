//! The EXECUTION state machine: how an execution ends.
//!
//! | current  | event                                   | new        | history             |
//! |----------|-----------------------------------------|------------|---------------------|
//! | RUNNING  | EXECUTION SUCCEED, or handler SUCCEEDED | SUCCEEDED  | ExecutionSucceeded  |
//! | RUNNING  | EXECUTION FAIL, or handler FAILED       | FAILED     | ExecutionFailed     |
//! | RUNNING  | StopDurableExecution                    | STOPPED    | ExecutionStopped    |
//! | RUNNING  | its ExecutionTimeout passed             | TIMED_OUT  | ExecutionTimedOut   |
//! | ended    | anything                                | no change (the caller refuses or ignores it) |
//!
//! Every ending drops the execution's timers and reports to a chained-invoke caller
//! (lifecycle.rs carries the effects out).

use crate::history::{self, Event};
use crate::model::{Action, ErrorObject, ExecutionStatus};

pub const ACTIONS: &[Action] = &[Action::Succeed, Action::Fail];

#[derive(Debug, Clone, PartialEq)]
pub enum ExecEvent {
    Succeed(Option<String>),
    Fail(ErrorObject),
    Stop(ErrorObject),
    TimeOut(ErrorObject),
}

#[derive(Debug, Clone)]
pub struct Ending {
    pub status: ExecutionStatus,
    pub result: Option<String>,
    pub error: Option<ErrorObject>,
    pub event: Event,
}

/// `None` when the execution has already ended.
pub fn transition(exec_op_id: &str, current: ExecutionStatus, event: ExecEvent, now: i64) -> Option<Ending> {
    if current != ExecutionStatus::Running {
        return None;
    }
    let (status, result, error) = match event {
        ExecEvent::Succeed(result) => (ExecutionStatus::Succeeded, result, None),
        ExecEvent::Fail(error) => (ExecutionStatus::Failed, None, Some(error)),
        ExecEvent::Stop(error) => (ExecutionStatus::Stopped, None, Some(error)),
        ExecEvent::TimeOut(error) => (ExecutionStatus::TimedOut, None, Some(error)),
    };
    let event = match status {
        ExecutionStatus::Succeeded => history::execution_succeeded(exec_op_id, &result, now),
        ExecutionStatus::Failed => history::execution_failed(exec_op_id, &error, now),
        ExecutionStatus::Stopped => history::execution_stopped(exec_op_id, &error, now),
        _ => history::execution_timed_out(exec_op_id, &error, now),
    };
    Some(Ending { status, result, error, event })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_execution_ends_once() {
        let end = transition("x", ExecutionStatus::Running, ExecEvent::Stop(ErrorObject::default()), 7).unwrap();
        assert_eq!(end.status, ExecutionStatus::Stopped);
        assert_eq!(end.event.event_type.as_str(), "ExecutionStopped");
        assert!(transition("x", ExecutionStatus::Stopped, ExecEvent::Succeed(None), 8).is_none());
    }
}
