//! The CONTEXT state machine (child contexts, map and parallel branches).
//!
//! | current        | event          | new       | history          | notes                              |
//! |----------------|----------------|-----------|------------------|------------------------------------|
//! | none           | START          | STARTED   | ContextStarted   | records ReplayChildren             |
//! | none, STARTED  | SUCCEED        | SUCCEEDED | ContextSucceeded | may set ReplayChildren             |
//! | none, STARTED  | FAIL           | FAILED    | ContextFailed    | may set ReplayChildren             |
//! | exists         | START          | refused: a CONTEXT starts once                            |
//! | closed         | SUCCEED, FAIL  | refused                                                   |
//! | any            | a timer        | ignored (contexts have none)                              |

use super::{base, exclusive_payload_error, refuse, OpEvent, Transition, Verdict};
use crate::error::Result;
use crate::history;
use crate::model::{Action, Operation, OperationStatus as S, OperationType};

pub const ACTIONS: &[Action] = &[Action::Start, Action::Succeed, Action::Fail];

pub fn transition(current: Option<&Operation>, event: OpEvent<'_>, now: i64) -> Result<Verdict> {
    let OpEvent::Update(update, action) = event else { return Ok(Verdict::Ignore) };
    let mut op = base(current, update, OperationType::Context, now);
    let replay_children = update.context_options.as_ref().and_then(|o| o.replay_children);
    let t = match action {
        Action::Start => {
            if current.is_some() {
                return Err(refuse(update, "Cannot start a CONTEXT that already exists."));
            }
            op.replay_children = replay_children;
            let e = history::context_started(&op, now);
            Transition::to(op).event(e)
        }
        Action::Succeed | Action::Fail => {
            if !matches!(current.map(|r| r.status), None | Some(S::Started)) {
                return Err(refuse(update, "Invalid current CONTEXT state to close."));
            }
            exclusive_payload_error(update, action)?;
            if replay_children.is_some() {
                op.replay_children = replay_children;
            }
            op.end_ms = Some(now);
            let e = if action == Action::Succeed {
                op.status = S::Succeeded;
                op.result = update.payload.clone();
                history::context_succeeded(&op, now)
            } else {
                op.status = S::Failed;
                op.error = update.error.clone();
                history::context_failed(&op, now)
            };
            Transition::to(op).event(e)
        }
        _ => return Err(refuse(update, "Invalid action for the given operation type (CONTEXT).")),
    };
    Ok(Verdict::Apply(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::*;

    #[test]
    fn starts_once_and_closes_once() {
        let started = record(OperationType::Context, S::Started);
        assert!(transition(Some(&started), OpEvent::Update(&update("CONTEXT", "START"), Action::Start), 0).is_err());
        let ok = update("CONTEXT", "SUCCEED");
        let done = applied(transition(None, OpEvent::Update(&ok, Action::Succeed), 0));
        let rec = done.record.unwrap();
        assert_eq!(rec.status, S::Succeeded);
        assert_eq!(reason(transition(Some(&rec), OpEvent::Update(&ok, Action::Succeed), 0)), "Invalid current CONTEXT state to close.");
    }
}
