//! The CHAINED_INVOKE state machine: an operation that runs another function as a child
//! execution and takes its outcome.
//!
//! | current | event                    | new                       | history                     | effects            |
//! |---------|--------------------------|---------------------------|-----------------------------|--------------------|
//! | none    | START (FunctionName)     | STARTED                   | ChainedInvokeStarted (by the caller, naming the target) | start target |
//! | STARTED | CANCEL                   | CANCELLED                 | ChainedInvokeCancelled      | clear timers       |
//! | STARTED | child ended SUCCEEDED    | SUCCEEDED (its result)    | ChainedInvokeSucceeded      | wake execution     |
//! | STARTED | child ended FAILED       | FAILED (its error)        | ChainedInvokeFailed         | wake execution     |
//! | STARTED | child ended TIMED_OUT    | TIMED_OUT                 | ChainedInvokeTimedOut       | wake execution     |
//! | STARTED | child ended STOPPED      | STOPPED                   | ChainedInvokeStopped        | wake execution     |
//! | exists  | START                    | refused; not STARTED: CANCEL refused, child outcomes ignored |

use super::{fresh, refuse, Effect, OpEvent, Transition, Verdict};
use crate::error::Result;
use crate::history;
use crate::model::{Action, ErrorObject, ExecutionStatus, Operation, OperationStatus as S, OperationType};

pub const ACTIONS: &[Action] = &[Action::Start, Action::Cancel];

/// `FunctionName` may be a name, a qualified name or an ARN; the engine registers plain names.
pub fn function_name_of(target: &str) -> &str {
    match target.strip_prefix("arn:") {
        Some(_) => target.split(':').nth(6).unwrap_or(target),
        None => target.split(':').next().unwrap_or(target),
    }
}

pub fn transition(current: Option<&Operation>, event: OpEvent<'_>, now: i64) -> Result<Verdict> {
    let started = current.filter(|r| r.status == S::Started);
    match event {
        OpEvent::Update(update, Action::Start) => {
            if current.is_some() {
                return Err(refuse(update, "Cannot start a CHAINED_INVOKE that already exists."));
            }
            let options = match &update.chained_invoke_options {
                Some(o) if !o.function_name.is_empty() => o.clone(),
                _ => return Err(refuse(update, "ChainedInvokeOptions.FunctionName is required to start a CHAINED_INVOKE.")),
            };
            let function = function_name_of(&options.function_name);
            let valid = !function.is_empty() && function.len() <= 64 && function.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                return Err(refuse(update, format!("ChainedInvokeOptions.FunctionName {:?} is not a function name", options.function_name)));
            }
            let mut op = fresh(update, OperationType::ChainedInvoke, now);
            op.invoke_function = Some(options.function_name);
            op.invoke_tenant = options.tenant_id;
            op.input_payload = update.payload.clone();
            Ok(Verdict::Apply(Transition::to(op).effect(Effect::StartTarget)))
        }
        OpEvent::Update(update, Action::Cancel) => {
            let Some(mut op) = started.cloned() else {
                return Err(refuse(update, "Cannot cancel a CHAINED_INVOKE that does not exist or has already completed."));
            };
            op.status = S::Cancelled;
            op.end_ms = Some(now);
            let e = history::chained_invoke_finished(&op, now);
            Ok(Verdict::Apply(Transition::to(op).event(e).effect(Effect::ClearTimers)))
        }
        OpEvent::Update(update, _) => Err(refuse(update, "Invalid action for the given operation type (CHAINED_INVOKE).")),
        OpEvent::ChildEnded(child) => {
            let Some(mut op) = started.cloned() else { return Ok(Verdict::Ignore) };
            op.status = match child.status {
                ExecutionStatus::Succeeded => S::Succeeded,
                ExecutionStatus::TimedOut => S::TimedOut,
                ExecutionStatus::Stopped => S::Stopped,
                ExecutionStatus::Failed => S::Failed,
                ExecutionStatus::Running | ExecutionStatus::Pausing | ExecutionStatus::Paused | ExecutionStatus::Deleting => return Ok(Verdict::Ignore),
            };
            if op.status == S::Succeeded {
                op.result = child.result.clone();
            } else {
                let fallback = || ErrorObject::new("Error", &format!("invoked execution {}", child.status));
                op.error = Some(child.error.clone().unwrap_or_else(fallback));
            }
            op.end_ms = Some(now);
            let e = history::chained_invoke_finished(&op, now);
            Ok(Verdict::Apply(Transition::to(op).event(e).effect(Effect::WakeExecution)))
        }
        _ => Ok(Verdict::Ignore),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChainedInvokeOptions;
    use crate::ops::{test_support::*, ChildOutcome};

    #[test]
    fn targets_reduce_to_function_names() {
        assert_eq!(function_name_of("echo"), "echo");
        assert_eq!(function_name_of("echo:live"), "echo");
        assert_eq!(function_name_of("arn:aws:lambda:us-east-1:123456789012:function:echo:$LATEST"), "echo");
    }

    #[test]
    fn start_asks_for_the_target_and_its_end_completes_the_operation() {
        let mut start = update("CHAINED_INVOKE", "START");
        assert!(reason(transition(None, OpEvent::Update(&start, Action::Start), 0)).contains("FunctionName is required"));
        start.chained_invoke_options = Some(ChainedInvokeOptions { function_name: "bad name".into(), tenant_id: None });
        assert!(reason(transition(None, OpEvent::Update(&start, Action::Start), 0)).contains("is not a function name"));
        start.chained_invoke_options = Some(ChainedInvokeOptions { function_name: "echo".into(), tenant_id: None });
        let out = applied(transition(None, OpEvent::Update(&start, Action::Start), 0));
        assert_eq!(out.effects, vec![Effect::StartTarget]);
        let rec = out.record.unwrap();
        let child = ChildOutcome { status: ExecutionStatus::Stopped, result: None, error: None };
        let done = applied(transition(Some(&rec), OpEvent::ChildEnded(&child), 5));
        assert_eq!(done.record.unwrap().status, S::Stopped);
        assert_eq!(done.events[0].event_type.as_str(), "ChainedInvokeStopped");
    }
}
