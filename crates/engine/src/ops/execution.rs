//! The EXECUTION state machine: how an execution ends, pauses, resumes and is deleted.
//!
//! | current                  | event                                            | new        | history             |
//! |--------------------------|--------------------------------------------------|------------|---------------------|
//! | RUNNING, PAUSING, PAUSED | EXECUTION SUCCEED, or handler SUCCEEDED          | SUCCEEDED  | ExecutionSucceeded  |
//! | RUNNING, PAUSING, PAUSED | EXECUTION FAIL, or handler FAILED                | FAILED     | ExecutionFailed     |
//! | RUNNING, PAUSING, PAUSED | StopDurableExecution                             | STOPPED    | ExecutionStopped    |
//! | RUNNING, PAUSING, PAUSED | its deadline passed (ExecutionTimeout)           | TIMED_OUT  | ExecutionTimedOut   |
//! | RUNNING                  | Pause, no invocation running                     | PAUSED     | ExecutionPaused     |
//! | RUNNING                  | Pause, an invocation running                     | PAUSING    | —                   |
//! | PAUSING                  | that invocation checkpoints, or ends             | PAUSED     | ExecutionPaused     |
//! | PAUSING                  | Resume (cancels the pause; the invocation goes on) | RUNNING  | —                   |
//! | PAUSED                   | Resume                                           | RUNNING    | ExecutionResumed    |
//! | SUCCEEDED, FAILED, STOPPED, TIMED_OUT | Delete, or its retention expired    | DELETING   | — (then removed)    |
//! | anything else            | Pause, Resume, Delete                            | refused (ResourceConflictException) |
//! | ended, DELETING          | an ending                                        | no change (the caller refuses or ignores it) |
//!
//! Every ending drops the execution's timers and its deadline, starts its retention period and
//! reports to a chained-invoke caller (lifecycle.rs carries the effects out). The deadline is
//! `ExecutionTimeout` after the start; a pause with `ExecutionTimeoutPaused` holds it at 366
//! days after the start while PAUSED, and the resume extends it by the time spent paused (never
//! past those 366 days).

use crate::history::{self, Event};
use crate::model::{Action, ErrorObject, ExecutionStatus, PauseState};

pub const ACTIONS: &[Action] = &[Action::Succeed, Action::Fail];

/// The longest an execution can live, paused or not: 366 days after its start.
pub const MAX_LIFETIME_MS: i64 = 366 * 24 * 3600 * 1000;

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
    if !current.is_live() {
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

/// A control-plane request on an execution.
#[derive(Debug, Clone, PartialEq)]
pub enum Control {
    Pause { reason: Option<String>, timeout_paused: bool },
    Resume { reason: Option<String> },
    Delete,
}

impl Control {
    pub fn name(&self) -> &'static str {
        match self {
            Control::Pause { .. } => "pause",
            Control::Resume { .. } => "resume",
            Control::Delete => "delete",
        }
    }
}

/// What the control requests read and change of an execution.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlState {
    pub status: ExecutionStatus,
    /// An invocation is running now.
    pub invoking: bool,
    pub start_ms: i64,
    pub deadline_ms: Option<i64>,
    pub pause: Option<PauseState>,
}

/// What a control request did: the new state and the events to record.
#[derive(Debug, Clone)]
pub struct Controlled {
    pub state: ControlState,
    pub events: Vec<Event>,
}

/// Applies a control request; `Err` carries the status that refuses it.
pub fn control(exec_op_id: &str, current: &ControlState, request: &Control, now: i64) -> Result<Controlled, ExecutionStatus> {
    let mut state = current.clone();
    let mut events = Vec::new();
    match (request, current.status) {
        (Control::Pause { reason, timeout_paused }, ExecutionStatus::Running) => {
            state.pause = Some(PauseState { request_ms: now, reason: reason.clone(), timeout_paused: *timeout_paused, paused_ms: None, deadline_before_ms: None });
            state.status = ExecutionStatus::Pausing;
            if !current.invoking {
                events.push(take_effect(exec_op_id, &mut state, now));
            }
        }
        (Control::Resume { .. }, ExecutionStatus::Pausing) => {
            state.status = ExecutionStatus::Running;
            state.pause = None;
        }
        (Control::Resume { reason }, ExecutionStatus::Paused) => {
            if let Some(p) = current.pause.as_ref().filter(|p| p.timeout_paused) {
                let paused_for = now - p.paused_ms.unwrap_or(now);
                let cap = current.start_ms + MAX_LIFETIME_MS;
                state.deadline_ms = p.deadline_before_ms.map(|d| (d + paused_for).min(cap));
            }
            state.status = ExecutionStatus::Running;
            state.pause = None;
            events.push(history::execution_resumed(exec_op_id, now, reason.as_deref(), now));
        }
        (Control::Delete, status) if status.is_terminal() => {
            state.status = ExecutionStatus::Deleting;
        }
        (_, status) => return Err(status),
    }
    Ok(Controlled { state, events })
}

/// A PAUSING execution's invocation reached a checkpoint or ended: the pause takes effect.
/// `None` when no pause is pending.
pub fn pause_takes_effect(exec_op_id: &str, state: &mut ControlState, now: i64) -> Option<Event> {
    (state.status == ExecutionStatus::Pausing).then(|| take_effect(exec_op_id, state, now))
}

fn take_effect(exec_op_id: &str, state: &mut ControlState, now: i64) -> Event {
    state.status = ExecutionStatus::Paused;
    let pause = state.pause.get_or_insert(PauseState { request_ms: now, reason: None, timeout_paused: true, paused_ms: None, deadline_before_ms: None });
    pause.paused_ms = Some(now);
    if pause.timeout_paused {
        pause.deadline_before_ms = state.deadline_ms;
        state.deadline_ms = state.deadline_ms.map(|_| state.start_ms + MAX_LIFETIME_MS);
    }
    history::execution_paused(exec_op_id, pause.request_ms, pause.reason.as_deref(), pause.timeout_paused, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(invoking: bool) -> ControlState {
        ControlState { status: ExecutionStatus::Running, invoking, start_ms: 0, deadline_ms: Some(1_000), pause: None }
    }

    #[test]
    fn a_running_execution_ends_once() {
        let end = transition("x", ExecutionStatus::Running, ExecEvent::Stop(ErrorObject::default()), 7).unwrap();
        assert_eq!(end.status, ExecutionStatus::Stopped);
        assert_eq!(end.event.event_type.as_str(), "ExecutionStopped");
        assert!(transition("x", ExecutionStatus::Stopped, ExecEvent::Succeed(None), 8).is_none());
        assert!(transition("x", ExecutionStatus::Paused, ExecEvent::TimeOut(ErrorObject::default()), 8).is_some());
    }

    #[test]
    fn a_pause_with_its_timeout_paused_extends_the_deadline_by_the_time_paused() {
        let pause = Control::Pause { reason: Some("r".into()), timeout_paused: true };
        let paused = control("x", &running(false), &pause, 100).unwrap();
        assert_eq!(paused.state.status, ExecutionStatus::Paused);
        assert_eq!(paused.state.deadline_ms, Some(MAX_LIFETIME_MS));
        assert_eq!(paused.events[0].event_type.as_str(), "ExecutionPaused");
        let resumed = control("x", &paused.state, &Control::Resume { reason: None }, 600).unwrap();
        assert_eq!(resumed.state.deadline_ms, Some(1_500));
        assert_eq!(resumed.state.status, ExecutionStatus::Running);
        assert_eq!(control("x", &resumed.state, &Control::Resume { reason: None }, 700).unwrap_err(), ExecutionStatus::Running);
    }

    #[test]
    fn a_pause_during_an_invocation_waits_for_its_checkpoint_and_a_resume_cancels_it() {
        let pause = Control::Pause { reason: None, timeout_paused: false };
        let mut pausing = control("x", &running(true), &pause, 100).unwrap();
        assert_eq!(pausing.state.status, ExecutionStatus::Pausing);
        assert!(pausing.events.is_empty());
        assert_eq!(control("x", &pausing.state, &pause, 101).unwrap_err(), ExecutionStatus::Pausing);
        let cancelled = control("x", &pausing.state, &Control::Resume { reason: None }, 102).unwrap();
        assert_eq!((cancelled.state.status, cancelled.events.len()), (ExecutionStatus::Running, 0));
        let event = pause_takes_effect("x", &mut pausing.state, 150).unwrap();
        assert_eq!(pausing.state.status, ExecutionStatus::Paused);
        assert_eq!(pausing.state.deadline_ms, Some(1_000), "the timeout was not paused");
        assert_eq!(event.timestamp_ms, 150);
    }

    #[test]
    fn only_an_ended_execution_is_deleted() {
        assert_eq!(control("x", &running(false), &Control::Delete, 1).unwrap_err(), ExecutionStatus::Running);
        let ended = ControlState { status: ExecutionStatus::Failed, deadline_ms: None, ..running(false) };
        assert_eq!(control("x", &ended, &Control::Delete, 1).unwrap().state.status, ExecutionStatus::Deleting);
        let deleting = ControlState { status: ExecutionStatus::Deleting, ..ended };
        assert_eq!(control("x", &deleting, &Control::Delete, 1).unwrap_err(), ExecutionStatus::Deleting);
    }
}
