//! The STEP state machine.
//!
//! | current            | event            | new       | history                                   | effects          |
//! |--------------------|------------------|-----------|-------------------------------------------|------------------|
//! | none, READY        | START            | STARTED   | StepStarted                               |                  |
//! | none, STARTED, READY | SUCCEED        | SUCCEEDED | StepSucceeded (attempt + 1)               |                  |
//! | none, STARTED, READY | FAIL           | FAILED    | StepFailed (attempt + 1)                  |                  |
//! | none, STARTED, READY | RETRY (delay)  | PENDING   | StepFailed with an error, else StepSucceeded (a poll's state) | arm retry timer |
//! | PENDING            | retry timer      | READY     | (none: the service records READY silently)| wake execution   |
//! | anything else      | an update        | refused, naming the operation and its state                              |
//! | anything else      | a timer          | ignored                                                                  |
//!
//! A step closes only from a state without a timer (its retry timer has fired by READY), so
//! closing clears none: one statement less on every step.

use super::{base, exclusive_payload_error, refuse, whole_seconds, Effect, OpEvent, Transition, Verdict};
use crate::error::Result;
use crate::history;
use crate::model::{Action, Operation, OperationStatus as S, OperationType, TimerKind};

pub const ACTIONS: &[Action] = &[Action::Start, Action::Succeed, Action::Fail, Action::Retry];

pub fn transition(current: Option<&Operation>, event: OpEvent<'_>, now: i64) -> Result<Verdict> {
    let status = current.map(|r| r.status);
    let open = matches!(status, None | Some(S::Started) | Some(S::Ready));
    match event {
        OpEvent::Update(update, action) => {
            let mut op = base(current, update, OperationType::Step, now);
            let t = match action {
                Action::Start => {
                    if !matches!(status, None | Some(S::Ready)) {
                        return Err(refuse(update, "Invalid current STEP state to start."));
                    }
                    op.status = S::Started;
                    let e = history::step_started(&op, now);
                    Transition::to(op).event(e)
                }
                Action::Succeed | Action::Fail => {
                    if !open {
                        return Err(refuse(update, "Invalid current STEP state to close."));
                    }
                    exclusive_payload_error(update, action)?;
                    op.attempt = Some(op.attempt.unwrap_or(0) + 1);
                    op.next_attempt_ms = None;
                    op.end_ms = Some(now);
                    let e = if action == Action::Succeed {
                        op.status = S::Succeeded;
                        op.result = update.payload.clone();
                        op.error = None;
                        history::step_succeeded(&op, None, now)
                    } else {
                        op.status = S::Failed;
                        op.error = update.error.clone();
                        op.result = None;
                        history::step_failed(&op, None, now)
                    };
                    Transition::to(op).event(e)
                }
                Action::Retry => {
                    if !open {
                        return Err(refuse(update, "Invalid current STEP state to re-attempt."));
                    }
                    let delay = update.step_options.as_ref().and_then(|o| o.next_attempt_delay_seconds);
                    match delay {
                        None => return Err(refuse(update, "Invalid StepOptions for the given action.")),
                        Some(d) if !d.is_finite() || d < 0.0 => {
                            return Err(refuse(update, format!("StepOptions.NextAttemptDelaySeconds must be a non-negative number, got {d}")))
                        }
                        _ => {}
                    }
                    if update.payload.is_some() && update.error.is_some() {
                        return Err(refuse(update, "Cannot provide both error and payload to RETRY a STEP."));
                    }
                    let delay = whole_seconds(delay);
                    let due = now + delay * 1000;
                    op.status = S::Pending;
                    op.attempt = Some(op.attempt.unwrap_or(0) + 1);
                    op.result = update.payload.clone();
                    op.error = update.error.clone();
                    op.next_attempt_ms = Some(due);
                    // A retry carrying an error is a failed attempt; one carrying state is a poll.
                    let e = if op.error.is_some() { history::step_failed(&op, Some(delay), now) } else { history::step_succeeded(&op, Some(delay), now) };
                    Transition::to(op).event(e).effect(Effect::ArmTimer { kind: TimerKind::Retry, due_ms: due })
                }
                Action::Cancel => return Err(refuse(update, "Invalid action for the given operation type (STEP).")),
            };
            Ok(Verdict::Apply(t))
        }
        OpEvent::Timer(TimerKind::Retry) if status == Some(S::Pending) => {
            let mut op = current.cloned().expect("a pending step has a record");
            op.status = S::Ready;
            Ok(Verdict::Apply(Transition::to(op).effect(Effect::WakeExecution)))
        }
        _ => Ok(Verdict::Ignore),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ErrorObject, StepOptions};
    use crate::ops::test_support::*;

    #[test]
    fn start_then_succeed_counts_one_attempt() {
        let start = applied(transition(None, OpEvent::Update(&update("STEP", "START"), Action::Start), 10));
        let rec = start.record.unwrap();
        assert_eq!(rec.status, S::Started);
        assert_eq!(start.events[0].event_type.as_str(), "StepStarted");
        let mut ok = update("STEP", "SUCCEED");
        ok.payload = Some("42".into());
        let done = applied(transition(Some(&rec), OpEvent::Update(&ok, Action::Succeed), 20));
        let rec = done.record.unwrap();
        assert_eq!((rec.status, rec.attempt, rec.end_ms), (S::Succeeded, Some(1), Some(20)));
        assert_eq!(done.events[0].details["RetryDetails"]["CurrentAttempt"], 1);
    }

    #[test]
    fn only_a_new_or_ready_step_starts_and_closed_ones_stay_closed() {
        for s in [S::Ready] {
            assert!(transition(Some(&record(OperationType::Step, s)), OpEvent::Update(&update("STEP", "START"), Action::Start), 0).is_ok());
        }
        for s in [S::Started, S::Pending, S::Succeeded, S::Failed] {
            let r = reason(transition(Some(&record(OperationType::Step, s)), OpEvent::Update(&update("STEP", "START"), Action::Start), 0));
            assert_eq!(r, "Invalid current STEP state to start.");
        }
        for s in [S::Pending, S::Succeeded, S::Failed] {
            let r = reason(transition(Some(&record(OperationType::Step, s)), OpEvent::Update(&update("STEP", "SUCCEED"), Action::Succeed), 0));
            assert_eq!(r, "Invalid current STEP state to close.");
        }
        let mut fail = update("STEP", "FAIL");
        fail.payload = Some("1".into());
        assert_eq!(reason(transition(None, OpEvent::Update(&fail, Action::Fail), 0)), "Cannot provide a Payload for FAIL action.");
    }

    #[test]
    fn retry_with_error_is_a_failed_attempt_that_becomes_ready_on_its_timer() {
        let mut retry = update("STEP", "RETRY");
        assert_eq!(reason(transition(None, OpEvent::Update(&retry, Action::Retry), 0)), "Invalid StepOptions for the given action.");
        retry.error = Some(ErrorObject::new("Error", "boom"));
        retry.step_options = Some(StepOptions { next_attempt_delay_seconds: Some(3.0) });
        let out = applied(transition(None, OpEvent::Update(&retry, Action::Retry), 1_000));
        let rec = out.record.unwrap();
        assert_eq!((rec.status, rec.attempt, rec.next_attempt_ms), (S::Pending, Some(1), Some(4_000)));
        assert_eq!(out.events[0].event_type.as_str(), "StepFailed");
        assert_eq!(out.events[0].details["RetryDetails"]["NextAttemptDelaySeconds"], 3);
        assert_eq!(out.effects, vec![Effect::ArmTimer { kind: TimerKind::Retry, due_ms: 4_000 }]);
        let ready = applied(transition(Some(&rec), OpEvent::Timer(TimerKind::Retry), 4_000));
        assert_eq!(ready.record.unwrap().status, S::Ready);
        assert!(ready.events.is_empty());
        assert_eq!(ready.effects, vec![Effect::WakeExecution]);
        assert!(ignored(transition(Some(&record(OperationType::Step, S::Succeeded)), OpEvent::Timer(TimerKind::Retry), 0)));
    }

    #[test]
    fn retry_with_state_is_recorded_as_step_succeeded() {
        let mut retry = update("STEP", "RETRY");
        retry.payload = Some("{\"n\":1}".into());
        retry.step_options = Some(StepOptions { next_attempt_delay_seconds: Some(1.0) });
        let out = applied(transition(None, OpEvent::Update(&retry, Action::Retry), 0));
        assert_eq!(out.events[0].event_type.as_str(), "StepSucceeded");
    }
}
