//! The WAIT state machine.
//!
//! | current | event              | new       | history       | effects                       |
//! |---------|--------------------|-----------|---------------|-------------------------------|
//! | none    | START (WaitSeconds)| STARTED   | WaitStarted   | arm wait timer at the end     |
//! | STARTED | CANCEL             | CANCELLED | WaitCancelled | clear timers                  |
//! | STARTED | wait timer         | SUCCEEDED | WaitSucceeded | wake execution                |
//! | exists  | START              | refused: a WAIT starts once                                   |
//! | not STARTED | CANCEL         | refused: nothing to cancel                                    |
//! | other   | a timer            | ignored                                                       |

use super::{check_seconds, fresh, refuse, whole_seconds, Effect, OpEvent, Transition, Verdict};
use crate::error::Result;
use crate::history;
use crate::model::{Action, Operation, OperationStatus as S, OperationType, TimerKind};

pub const ACTIONS: &[Action] = &[Action::Start, Action::Cancel];

pub fn transition(current: Option<&Operation>, event: OpEvent<'_>, now: i64) -> Result<Verdict> {
    let status = current.map(|r| r.status);
    match event {
        OpEvent::Update(update, Action::Start) => {
            if current.is_some() {
                return Err(refuse(update, "Cannot start a WAIT that already exists."));
            }
            let seconds = update.wait_options.as_ref().and_then(|o| o.wait_seconds);
            if seconds.is_none() {
                return Err(refuse(update, "WaitOptions.WaitSeconds is required to start a WAIT."));
            }
            check_seconds(update, "WaitOptions.WaitSeconds", seconds)?;
            let mut op = fresh(update, OperationType::Wait, now);
            let seconds = whole_seconds(seconds);
            let due = now + seconds * 1000;
            op.wait_seconds = Some(seconds);
            op.scheduled_end_ms = Some(due);
            let e = history::wait_started(&op, now);
            Ok(Verdict::Apply(Transition::to(op).event(e).effect(Effect::ArmTimer { kind: TimerKind::Wait, due_ms: due })))
        }
        OpEvent::Update(update, Action::Cancel) => {
            let Some(mut op) = current.filter(|_| status == Some(S::Started)).cloned() else {
                return Err(refuse(update, "Cannot cancel a WAIT that does not exist or has already completed."));
            };
            op.status = S::Cancelled;
            op.end_ms = Some(now);
            let e = history::wait_cancelled(&op, now);
            Ok(Verdict::Apply(Transition::to(op).event(e).effect(Effect::ClearTimers)))
        }
        OpEvent::Update(update, _) => Err(refuse(update, "Invalid action for the given operation type (WAIT).")),
        OpEvent::Timer(TimerKind::Wait) if status == Some(S::Started) => {
            let mut op = current.cloned().expect("a started wait has a record");
            op.status = S::Succeeded;
            op.end_ms = Some(now);
            let e = history::wait_succeeded(&op, now);
            Ok(Verdict::Apply(Transition::to(op).event(e).effect(Effect::WakeExecution)))
        }
        _ => Ok(Verdict::Ignore),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::WaitOptions;
    use crate::ops::test_support::*;

    #[test]
    fn start_schedules_the_end_and_the_timer_ends_it() {
        let mut start = update("WAIT", "START");
        assert!(reason(transition(None, OpEvent::Update(&start, Action::Start), 0)).contains("WaitSeconds is required"));
        start.wait_options = Some(WaitOptions { wait_seconds: Some(-1.0) });
        assert!(reason(transition(None, OpEvent::Update(&start, Action::Start), 0)).contains("got -1"));
        start.wait_options = Some(WaitOptions { wait_seconds: Some(10.0) });
        let out = applied(transition(None, OpEvent::Update(&start, Action::Start), 5_000));
        let rec = out.record.unwrap();
        assert_eq!((rec.scheduled_end_ms, rec.wait_seconds), (Some(15_000), Some(10)));
        assert_eq!(out.events[0].details["Duration"], 10);
        assert_eq!(out.effects, vec![Effect::ArmTimer { kind: TimerKind::Wait, due_ms: 15_000 }]);
        assert_eq!(reason(transition(Some(&rec), OpEvent::Update(&start, Action::Start), 0)), "Cannot start a WAIT that already exists.");
        let fired = applied(transition(Some(&rec), OpEvent::Timer(TimerKind::Wait), 15_000));
        assert_eq!(fired.record.unwrap().status, S::Succeeded);
        assert_eq!(fired.events[0].event_type.as_str(), "WaitSucceeded");
        assert_eq!(fired.effects, vec![Effect::WakeExecution]);
    }

    #[test]
    fn only_a_started_wait_cancels_or_fires() {
        let cancel = update("WAIT", "CANCEL");
        assert!(transition(None, OpEvent::Update(&cancel, Action::Cancel), 0).is_err());
        let started = record(OperationType::Wait, S::Started);
        let out = applied(transition(Some(&started), OpEvent::Update(&cancel, Action::Cancel), 0));
        assert_eq!(out.record.unwrap().status, S::Cancelled);
        assert!(ignored(transition(Some(&record(OperationType::Wait, S::Cancelled)), OpEvent::Timer(TimerKind::Wait), 0)));
    }
}
