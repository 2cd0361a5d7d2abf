//! The CALLBACK state machine.
//!
//! | current | event                 | new       | history           | effects                          |
//! |---------|-----------------------|-----------|-------------------|----------------------------------|
//! | none    | START (options)       | STARTED   | CallbackStarted   | new callback id; arm timeout and heartbeat timers if set |
//! | STARTED | CANCEL                | CANCELLED | CallbackCancelled | clear timers                     |
//! | STARTED | success (result)      | SUCCEEDED | CallbackSucceeded | clear timers, wake execution     |
//! | STARTED | failure (error)       | FAILED    | CallbackFailed    | clear timers, wake execution     |
//! | STARTED | heartbeat             | STARTED   | (none)            | re-arm the heartbeat timer       |
//! | STARTED | timeout timer         | TIMED_OUT | CallbackTimedOut (Callback.Timeout)   | clear timers, wake |
//! | STARTED | heartbeat timer       | TIMED_OUT | CallbackTimedOut (Callback.Heartbeat) | clear timers, wake |
//! | closed  | success, failure, heartbeat | refused: CallbackClosed naming its status        |
//! | exists  | START                 | refused; not STARTED: CANCEL refused; other timers ignored |

use super::{check_seconds, fresh, refuse, whole_seconds, CallbackCompletion, Effect, OpEvent, Transition, Verdict};
use crate::error::{EngineError, Result};
use crate::history;
use crate::model::{Action, ErrorObject, Operation, OperationStatus as S, OperationType, TimerKind};

pub const ACTIONS: &[Action] = &[Action::Start, Action::Cancel];

pub fn transition(current: Option<&Operation>, event: OpEvent<'_>, now: i64) -> Result<Verdict> {
    let started = current.filter(|r| r.status == S::Started);
    match event {
        OpEvent::Update(update, Action::Start) => {
            if current.is_some() {
                return Err(refuse(update, "Cannot start a CALLBACK that already exists."));
            }
            let options = update.callback_options.clone().unwrap_or_default();
            check_seconds(update, "CallbackOptions.TimeoutSeconds", options.timeout_seconds)?;
            check_seconds(update, "CallbackOptions.HeartbeatTimeoutSeconds", options.heartbeat_timeout_seconds)?;
            let mut op = fresh(update, OperationType::Callback, now);
            op.callback_id = Some(crate::ids::callback_id());
            op.callback_timeout_s = Some(whole_seconds(options.timeout_seconds)).filter(|s| *s > 0);
            op.callback_heartbeat_s = Some(whole_seconds(options.heartbeat_timeout_seconds)).filter(|s| *s > 0);
            op.input_payload = update.payload.clone();
            let mut t = Transition::to(op.clone()).event(history::callback_started(&op, now));
            if let Some(s) = op.callback_timeout_s {
                t = t.effect(Effect::ArmTimer { kind: TimerKind::CallbackTimeout, due_ms: now + s * 1000 });
            }
            if let Some(h) = op.callback_heartbeat_s {
                t = t.effect(Effect::ArmTimer { kind: TimerKind::CallbackHeartbeat, due_ms: now + h * 1000 });
            }
            Ok(Verdict::Apply(t))
        }
        OpEvent::Update(update, Action::Cancel) => {
            let Some(mut op) = started.cloned() else {
                return Err(refuse(update, "Cannot cancel a CALLBACK that does not exist or has already completed."));
            };
            op.status = S::Cancelled;
            op.end_ms = Some(now);
            let e = history::callback_cancelled(&op, now);
            Ok(Verdict::Apply(Transition::to(op).event(e).effect(Effect::ClearTimers)))
        }
        OpEvent::Update(update, _) => Err(refuse(update, "Invalid action for the given operation type (CALLBACK).")),
        OpEvent::Callback(completion) => {
            let Some(op) = started.cloned() else {
                let record = current.expect("a callback id names a record");
                return Err(EngineError::CallbackClosed {
                    callback_id: record.callback_id.clone().unwrap_or_default(),
                    status: record.status.to_string(),
                });
            };
            Ok(Verdict::Apply(complete(op, completion, now)))
        }
        OpEvent::Timer(kind @ (TimerKind::CallbackTimeout | TimerKind::CallbackHeartbeat)) => {
            let Some(mut op) = started.cloned() else { return Ok(Verdict::Ignore) };
            let (error_type, message) = if kind == TimerKind::CallbackTimeout {
                ("Callback.Timeout", "Callback timed out")
            } else {
                ("Callback.Heartbeat", "Callback timed out on heartbeat")
            };
            op.status = S::TimedOut;
            op.error = Some(ErrorObject::new(error_type, message));
            op.end_ms = Some(now);
            let e = history::callback_timed_out(&op, now);
            Ok(Verdict::Apply(Transition::to(op).event(e).effect(Effect::ClearTimers).effect(Effect::WakeExecution)))
        }
        _ => Ok(Verdict::Ignore),
    }
}

fn complete(mut op: Operation, completion: &CallbackCompletion, now: i64) -> Transition {
    let event = match completion {
        CallbackCompletion::Heartbeat => {
            let mut t = Transition { record: None, events: Vec::new(), effects: Vec::new() };
            if let Some(h) = op.callback_heartbeat_s {
                t = t.effect(Effect::ArmTimer { kind: TimerKind::CallbackHeartbeat, due_ms: now + h * 1000 });
            }
            return t;
        }
        CallbackCompletion::Success(result) => {
            op.status = S::Succeeded;
            op.result = result.clone();
            history::callback_succeeded(&op, now)
        }
        CallbackCompletion::Failure(error) => {
            op.status = S::Failed;
            op.error = Some(error.clone());
            history::callback_failed(&op, now)
        }
    };
    op.end_ms = Some(now);
    Transition::to(op).event(event).effect(Effect::ClearTimers).effect(Effect::WakeExecution)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CallbackOptions;
    use crate::ops::test_support::*;

    fn started(timeout: Option<f64>, heartbeat: Option<f64>) -> Transition {
        let mut start = update("CALLBACK", "START");
        start.callback_options = Some(CallbackOptions { timeout_seconds: timeout, heartbeat_timeout_seconds: heartbeat });
        applied(transition(None, OpEvent::Update(&start, Action::Start), 0))
    }

    #[test]
    fn start_assigns_an_id_and_the_timers_asked_for() {
        let out = started(Some(5.0), None);
        assert!(out.record.as_ref().unwrap().callback_id.as_ref().unwrap().len() >= 32);
        assert_eq!(out.events[0].details["Timeout"], 5);
        assert!(out.events[0].details.get("HeartbeatTimeout").is_none());
        assert_eq!(out.effects, vec![Effect::ArmTimer { kind: TimerKind::CallbackTimeout, due_ms: 5_000 }]);
    }

    #[test]
    fn completions_close_it_once_and_heartbeats_push_the_deadline() {
        let rec = started(None, Some(2.0)).record.unwrap();
        let beat = applied(transition(Some(&rec), OpEvent::Callback(&CallbackCompletion::Heartbeat), 1_000));
        assert!(beat.record.is_none());
        assert_eq!(beat.effects, vec![Effect::ArmTimer { kind: TimerKind::CallbackHeartbeat, due_ms: 3_000 }]);
        let ok = applied(transition(Some(&rec), OpEvent::Callback(&CallbackCompletion::Success(Some("1".into()))), 2_000));
        let closed = ok.record.unwrap();
        assert_eq!(closed.status, S::Succeeded);
        assert!(ok.effects.contains(&Effect::WakeExecution));
        match transition(Some(&closed), OpEvent::Callback(&CallbackCompletion::Heartbeat), 0) {
            Err(EngineError::CallbackClosed { status, .. }) => assert_eq!(status, "SUCCEEDED"),
            other => panic!("unexpected {other:?}"),
        }
        assert!(ignored(transition(Some(&closed), OpEvent::Timer(TimerKind::CallbackTimeout), 0)));
    }

    #[test]
    fn timers_time_it_out_with_the_kind_of_timeout() {
        let rec = started(Some(5.0), Some(1.0)).record.unwrap();
        let out = applied(transition(Some(&rec), OpEvent::Timer(TimerKind::CallbackHeartbeat), 1_000));
        let r = out.record.unwrap();
        assert_eq!(r.status, S::TimedOut);
        assert_eq!(r.error.unwrap().error_type.as_deref(), Some("Callback.Heartbeat"));
    }
}
