//! What an accepted update does to its record (PROTOCOL.md §5.2): the new record, the history
//! events it produces and the timers it arms or clears. Pure: the caller persists the outcome.

use crate::history::{self, Event};
use crate::model::{Action, Operation, OperationStatus, OperationType, OperationUpdate};
use crate::validate::Parsed;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerKind {
    Wait,
    Retry,
    CallbackTimeout,
    CallbackHeartbeat,
}

impl TimerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TimerKind::Wait => "wait",
            TimerKind::Retry => "retry",
            TimerKind::CallbackTimeout => "cb_timeout",
            TimerKind::CallbackHeartbeat => "cb_heartbeat",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "wait" => TimerKind::Wait,
            "retry" => TimerKind::Retry,
            "cb_timeout" => TimerKind::CallbackTimeout,
            "cb_heartbeat" => TimerKind::CallbackHeartbeat,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    ArmTimer { kind: TimerKind, due_ms: i64 },
    /// The operation no longer needs any timer.
    ClearTimers,
    /// A CHAINED_INVOKE started: the target must be invoked.
    InvokeTarget,
}

/// The result of applying one update.
#[derive(Debug)]
pub struct Applied {
    pub record: Operation,
    pub events: Vec<Event>,
    pub effects: Vec<Effect>,
}

/// Seconds on the wire are numbers; timers and history use whole seconds.
fn whole_seconds(value: Option<f64>) -> i64 {
    value.map(|v| v.round() as i64).unwrap_or(0)
}

/// Applies `update` (already validated against `current`) at time `now`.
pub fn apply(update: &OperationUpdate, parsed: Parsed, current: Option<Operation>, now: i64) -> Applied {
    let mut record = current.unwrap_or_else(|| {
        let mut op = Operation::new(&update.id, parsed.op_type, OperationStatus::Started, now);
        op.parent_id = update.parent_id.clone();
        op.name = update.name.clone();
        op.sub_type = update.sub_type.clone();
        op
    });
    let mut events = Vec::new();
    let mut effects = Vec::new();

    match (parsed.op_type, parsed.action) {
        (OperationType::Step, Action::Start) => {
            record.status = OperationStatus::Started;
            events.push(history::step_started(&record, now));
        }
        (OperationType::Step, Action::Succeed) => {
            record.status = OperationStatus::Succeeded;
            record.result = update.payload.clone();
            record.error = None;
            record.attempt = Some(record.attempt.unwrap_or(0) + 1);
            record.next_attempt_ms = None;
            record.end_ms = Some(now);
            events.push(history::step_succeeded(&record, None, now));
            effects.push(Effect::ClearTimers);
        }
        (OperationType::Step, Action::Fail) => {
            record.status = OperationStatus::Failed;
            record.error = update.error.clone();
            record.result = None;
            record.attempt = Some(record.attempt.unwrap_or(0) + 1);
            record.next_attempt_ms = None;
            record.end_ms = Some(now);
            events.push(history::step_failed(&record, None, now));
            effects.push(Effect::ClearTimers);
        }
        (OperationType::Step, Action::Retry) => {
            let delay = whole_seconds(update.step_options.as_ref().and_then(|o| o.next_attempt_delay_seconds));
            record.status = OperationStatus::Pending;
            record.attempt = Some(record.attempt.unwrap_or(0) + 1);
            record.result = update.payload.clone();
            record.error = update.error.clone();
            let due = now + delay * 1000;
            record.next_attempt_ms = Some(due);
            // A retry carrying an error is a failed attempt; one carrying state is a poll.
            if record.error.is_some() {
                events.push(history::step_failed(&record, Some(delay), now));
            } else {
                events.push(history::step_succeeded(&record, Some(delay), now));
            }
            effects.push(Effect::ArmTimer { kind: TimerKind::Retry, due_ms: due });
        }
        (OperationType::Context, Action::Start) => {
            record.replay_children = update.context_options.as_ref().and_then(|o| o.replay_children);
            events.push(history::context_started(&record, now));
        }
        (OperationType::Context, Action::Succeed | Action::Fail) => {
            if let Some(rc) = update.context_options.as_ref().and_then(|o| o.replay_children) {
                record.replay_children = Some(rc);
            }
            record.end_ms = Some(now);
            if parsed.action == Action::Succeed {
                record.status = OperationStatus::Succeeded;
                record.result = update.payload.clone();
                events.push(history::context_succeeded(&record, now));
            } else {
                record.status = OperationStatus::Failed;
                record.error = update.error.clone();
                events.push(history::context_failed(&record, now));
            }
        }
        (OperationType::Wait, Action::Start) => {
            let seconds = whole_seconds(update.wait_options.as_ref().and_then(|o| o.wait_seconds));
            record.wait_seconds = Some(seconds);
            let due = now + seconds * 1000;
            record.scheduled_end_ms = Some(due);
            events.push(history::wait_started(&record, now));
            effects.push(Effect::ArmTimer { kind: TimerKind::Wait, due_ms: due });
        }
        (OperationType::Callback, Action::Start) => {
            let options = update.callback_options.clone().unwrap_or_default();
            record.callback_id = Some(crate::ids::callback_id());
            record.callback_timeout_s = Some(whole_seconds(options.timeout_seconds)).filter(|s| *s > 0);
            record.callback_heartbeat_s = Some(whole_seconds(options.heartbeat_timeout_seconds)).filter(|s| *s > 0);
            record.input_payload = update.payload.clone();
            events.push(history::callback_started(&record, now));
            if let Some(t) = record.callback_timeout_s {
                effects.push(Effect::ArmTimer { kind: TimerKind::CallbackTimeout, due_ms: now + t * 1000 });
            }
            if let Some(h) = record.callback_heartbeat_s {
                effects.push(Effect::ArmTimer { kind: TimerKind::CallbackHeartbeat, due_ms: now + h * 1000 });
            }
        }
        (OperationType::ChainedInvoke, Action::Start) => {
            let options = update.chained_invoke_options.clone().unwrap_or_default();
            record.invoke_function = Some(options.function_name);
            record.invoke_tenant = options.tenant_id;
            record.input_payload = update.payload.clone();
            // The started event names the target execution, which the engine creates next.
            effects.push(Effect::InvokeTarget);
        }
        (OperationType::Wait | OperationType::Callback | OperationType::ChainedInvoke, Action::Cancel) => {
            record.status = OperationStatus::Cancelled;
            record.end_ms = Some(now);
            match parsed.op_type {
                OperationType::Wait => events.push(history::wait_cancelled(&record, now)),
                OperationType::Callback => events.push(history::callback_cancelled(&record, now)),
                _ => events.push(history::chained_invoke_finished(&record, now)),
            }
            effects.push(Effect::ClearTimers);
        }
        // EXECUTION updates are applied to the execution itself by the engine.
        _ => {}
    }
    Applied { record, events, effects }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ErrorObject, StepOptions, WaitOptions};

    fn update(t: &str, a: &str) -> OperationUpdate {
        OperationUpdate { id: "op".into(), op_type: t.into(), action: a.into(), ..Default::default() }
    }

    fn parsed(t: OperationType, a: Action) -> Parsed {
        Parsed { op_type: t, action: a }
    }

    #[test]
    fn step_start_then_succeed_counts_one_attempt() {
        let start = apply(&update("STEP", "START"), parsed(OperationType::Step, Action::Start), None, 10);
        assert_eq!(start.record.status, OperationStatus::Started);
        assert_eq!(start.events[0].event_type, "StepStarted");
        let mut ok = update("STEP", "SUCCEED");
        ok.payload = Some("42".into());
        let done = apply(&ok, parsed(OperationType::Step, Action::Succeed), Some(start.record), 20);
        assert_eq!(done.record.status, OperationStatus::Succeeded);
        assert_eq!(done.record.attempt, Some(1));
        assert_eq!(done.record.result.as_deref(), Some("42"));
        assert_eq!(done.record.end_ms, Some(20));
        assert_eq!(done.events[0].details["RetryDetails"]["CurrentAttempt"], 1);
    }

    #[test]
    fn retry_with_error_is_a_failed_attempt_with_a_timer() {
        let mut retry = update("STEP", "RETRY");
        retry.error = Some(ErrorObject::new("Error", "boom"));
        retry.step_options = Some(StepOptions { next_attempt_delay_seconds: Some(3.0) });
        let out = apply(&retry, parsed(OperationType::Step, Action::Retry), None, 1_000);
        assert_eq!(out.record.status, OperationStatus::Pending);
        assert_eq!(out.record.attempt, Some(1));
        assert_eq!(out.record.next_attempt_ms, Some(4_000));
        assert_eq!(out.events[0].event_type, "StepFailed");
        assert_eq!(out.events[0].details["RetryDetails"]["NextAttemptDelaySeconds"], 3);
        assert_eq!(out.effects, vec![Effect::ArmTimer { kind: TimerKind::Retry, due_ms: 4_000 }]);
    }

    #[test]
    fn retry_with_state_is_recorded_as_step_succeeded() {
        let mut retry = update("STEP", "RETRY");
        retry.payload = Some("{\"n\":1}".into());
        retry.step_options = Some(StepOptions { next_attempt_delay_seconds: Some(1.0) });
        let out = apply(&retry, parsed(OperationType::Step, Action::Retry), None, 0);
        assert_eq!(out.events[0].event_type, "StepSucceeded");
    }

    #[test]
    fn wait_start_schedules_its_end() {
        let mut start = update("WAIT", "START");
        start.wait_options = Some(WaitOptions { wait_seconds: Some(10.0) });
        let out = apply(&start, parsed(OperationType::Wait, Action::Start), None, 5_000);
        assert_eq!(out.record.scheduled_end_ms, Some(15_000));
        assert_eq!(out.record.wait_seconds, Some(10));
        assert_eq!(out.events[0].details["Duration"], 10);
        assert_eq!(out.effects, vec![Effect::ArmTimer { kind: TimerKind::Wait, due_ms: 15_000 }]);
    }

    #[test]
    fn callback_start_assigns_an_id_and_timers() {
        let mut start = update("CALLBACK", "START");
        start.callback_options = Some(crate::model::CallbackOptions { timeout_seconds: Some(5.0), heartbeat_timeout_seconds: None });
        let out = apply(&start, parsed(OperationType::Callback, Action::Start), None, 0);
        assert!(out.record.callback_id.as_ref().unwrap().len() >= 32);
        assert_eq!(out.events[0].details["Timeout"], 5);
        assert!(out.events[0].details.get("HeartbeatTimeout").is_none());
        assert_eq!(out.effects.len(), 1);
    }
}
