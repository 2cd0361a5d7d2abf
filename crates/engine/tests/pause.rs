//! Pausing and resuming executions (CONTROL-PLANE-UPDATE.md): idle and mid-invocation pauses,
//! what still completes while paused and is acted on after the resume, the paused execution
//! timeout, ClientToken idempotency, and every refusal leaving the execution as it was. Time is
//! a manual clock; nothing sleeps.

mod common;

use std::sync::Arc;

use common::*;
use durable_engine::*;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

fn manual_engine() -> (Engine, Arc<clock::ManualClock>) {
    let clock = manual_clock();
    let engine = engines_on(&fresh_location(), &clock, &[EngineConfig::default()]).pop().unwrap();
    (engine, clock)
}

fn due(engine: &Engine, function: &str) -> Option<Task> {
    claim(engine, function)
}

fn pause(reason: Option<&str>) -> ControlRequest {
    ControlRequest { reason: reason.map(str::to_string), ..Default::default() }
}

fn with_token(token: &str, reason: Option<&str>) -> ControlRequest {
    ControlRequest { client_token: Some(token.into()), reason: reason.map(str::to_string), timeout_paused: None }
}

/// An execution suspended on a wait of `wait_s` seconds.
fn suspended_on_wait(engine: &Engine, wait_s: f64) -> String {
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = due(engine, "f").unwrap();
    let out = engine.checkpoint(&arn, &task.token, &[wait_start("1", wait_s)]).unwrap();
    engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Pending, None)).unwrap();
    arn
}

#[test]
fn an_idle_execution_pauses_at_once_its_wait_completes_while_paused_and_the_resume_invokes_it() {
    let (engine, clock) = manual_engine();
    let arn = suspended_on_wait(&engine, 60.0);
    let at = engine.pause_execution(&arn, &pause(Some("maintenance"))).unwrap();
    let exec = engine.get_execution(&arn).unwrap();
    assert_eq!(exec.status, ExecutionStatus::Paused);
    let details = exec.pause.unwrap();
    assert_eq!((details.request_ms, details.reason.as_deref(), details.timeout_paused), (at, Some("maintenance"), true));
    let paused = engine.history(&arn).unwrap().pop().unwrap();
    assert_eq!(paused["EventType"], "ExecutionPaused");
    assert_eq!(paused["ExecutionPausedDetails"]["Reason"]["Payload"], "maintenance");
    assert_eq!(paused["ExecutionPausedDetails"]["ExecutionTimeoutPaused"], true);

    // The wait elapses while paused: its record completes, but nothing is invoked.
    clock.advance(61_000);
    assert!(due(&engine, "f").is_none());
    let wait = engine.operations(&arn).unwrap().into_iter().find(|o| o.op_type == OperationType::Wait).unwrap();
    assert_eq!(wait.status, OperationStatus::Succeeded);
    assert_eq!(engine.get_execution(&arn).unwrap().status, ExecutionStatus::Paused);

    engine.resume_execution(&arn, &pause(Some("done"))).unwrap();
    let exec = engine.get_execution(&arn).unwrap();
    assert_eq!((exec.status, exec.pause), (ExecutionStatus::Running, None));
    let task = due(&engine, "f").expect("an operation completed while paused: the resume invokes the function");
    assert_eq!(task.updated_operation_ids, vec![ids::hash_step_id("1")]);
    let types = event_types(&engine, &arn);
    assert_eq!(&types[types.len() - 3..], ["ExecutionPaused", "WaitSucceeded", "ExecutionResumed"]);
    let resumed = engine.history(&arn).unwrap().pop().unwrap();
    assert_eq!(resumed["ExecutionResumedDetails"]["Reason"]["Payload"], "done");
}

#[test]
fn a_resume_with_nothing_completed_keeps_waiting_for_the_pending_operations() {
    let (engine, clock) = manual_engine();
    let arn = suspended_on_wait(&engine, 3600.0);
    engine.pause_execution(&arn, &pause(None)).unwrap();
    engine.resume_execution(&arn, &pause(None)).unwrap();
    assert!(due(&engine, "f").is_none(), "nothing completed and no invocation was interrupted");
    clock.advance(HOUR_MS);
    assert!(due(&engine, "f").is_some(), "the wait still ends it");
}

#[test]
fn a_pause_during_an_invocation_takes_effect_at_its_next_checkpoint_and_the_resume_invokes_again() {
    let (engine, _clock) = manual_engine();
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = due(&engine, "f").unwrap();
    engine.pause_execution(&arn, &pause(Some("now"))).unwrap();
    assert_eq!(engine.get_execution(&arn).unwrap().status, ExecutionStatus::Pausing);
    assert!(!event_types(&engine, &arn).contains(&"ExecutionPaused".to_string()));

    // The checkpoint is kept (the step's result is not lost) and the pause takes effect.
    let out = engine.checkpoint(&arn, &task.token, &[update("1", "STEP", "START"), succeed("1", "42")]).unwrap();
    assert_eq!(engine.get_execution(&arn).unwrap().status, ExecutionStatus::Paused);
    match engine.checkpoint(&arn, &out.token, &[update("2", "STEP", "START")]) {
        Err(EngineError::InvalidToken { reason }) => assert!(reason.contains("PAUSED"), "{reason}"),
        other => panic!("a paused execution's invocation checkpoints no more: {other:?}"),
    }
    let after = engine.fail_invocation(&arn, &out.token, &ErrorObject::new("Paused", "checkpoint refused")).unwrap();
    assert_eq!(after.status, ExecutionStatus::Paused);
    assert_eq!(engine.active_invocations(), 0);
    assert!(due(&engine, "f").is_none(), "a paused execution is not invoked");
    let types = event_types(&engine, &arn);
    assert_eq!(types, ["ExecutionStarted", "StepStarted", "StepSucceeded", "ExecutionPaused", "InvocationCompleted"]);

    engine.resume_execution(&arn, &pause(None)).unwrap();
    let task = due(&engine, "f").expect("the pause interrupted an invocation: the resume invokes the function");
    let step = task.operations.iter().find(|o| o.id == ids::hash_step_id("1")).unwrap();
    assert_eq!(step.result.as_deref(), Some("42"));
}

#[test]
fn resuming_a_pausing_execution_cancels_the_pause_and_the_invocation_goes_on() {
    let (engine, _clock) = manual_engine();
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = due(&engine, "f").unwrap();
    engine.pause_execution(&arn, &pause(None)).unwrap();
    engine.resume_execution(&arn, &pause(None)).unwrap();
    let exec = engine.get_execution(&arn).unwrap();
    assert_eq!((exec.status, exec.pause), (ExecutionStatus::Running, None));
    let out = engine.checkpoint(&arn, &task.token, &[update("1", "STEP", "START")]).unwrap();
    engine.checkpoint(&arn, &out.token, &[succeed("1", "1")]).unwrap();
    assert_eq!(engine.get_execution(&arn).unwrap().status, ExecutionStatus::Running);
    let types = event_types(&engine, &arn);
    assert!(!types.iter().any(|t| t.starts_with("ExecutionPaused") || t.starts_with("ExecutionResumed")), "{types:?}");
}

#[test]
fn a_callback_completes_while_paused_and_a_paused_execution_can_be_stopped() {
    let (engine, _clock) = manual_engine();
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = due(&engine, "f").unwrap();
    let out = engine.checkpoint(&arn, &task.token, &[update("1", "CALLBACK", "START")]).unwrap();
    let callback_id = out.operations[0].callback_id.clone().unwrap();
    engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Pending, None)).unwrap();
    engine.pause_execution(&arn, &pause(None)).unwrap();
    engine.send_callback_success(&callback_id, Some("\"ok\"")).unwrap();
    assert!(due(&engine, "f").is_none());
    engine.stop_execution(&arn, None).unwrap();
    let exec = engine.get_execution(&arn).unwrap();
    assert_eq!((exec.status, exec.pause, exec.deadline_ms), (ExecutionStatus::Stopped, None, None));
}

#[test]
fn a_paused_timeout_is_extended_by_the_time_spent_paused() {
    let (engine, clock) = manual_engine();
    let durable = DurableConfig { execution_timeout_s: 100, retention_days: 14 };
    let started = engine.start_execution_with("f", None, None, durable).unwrap().execution;
    let arn = started.arn;
    assert_eq!(started.deadline_ms, Some(started.start_ms + 100_000));
    let task = due(&engine, "f").unwrap();
    let out = engine.checkpoint(&arn, &task.token, &[wait_start("1", 3600.0)]).unwrap();
    engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Pending, None)).unwrap();

    clock.advance(10_000);
    engine.pause_execution(&arn, &pause(None)).unwrap();
    assert_eq!(engine.get_execution(&arn).unwrap().deadline_ms, Some(started.start_ms + 366 * DAY_MS), "held at 366 days while paused");
    clock.advance(190_000);
    engine.run_due_timers().unwrap();
    assert_eq!(engine.get_execution(&arn).unwrap().status, ExecutionStatus::Paused, "the paused timeout does not pass");
    engine.resume_execution(&arn, &pause(None)).unwrap();
    assert_eq!(engine.get_execution(&arn).unwrap().deadline_ms, Some(started.start_ms + 290_000));
    clock.advance(89_999);
    engine.run_due_timers().unwrap();
    assert_eq!(engine.get_execution(&arn).unwrap().status, ExecutionStatus::Running);
    clock.advance(1);
    engine.run_due_timers().unwrap();
    assert_eq!(engine.get_execution(&arn).unwrap().status, ExecutionStatus::TimedOut);
}

#[test]
fn without_its_timeout_paused_a_paused_execution_times_out_and_a_paused_timeout_still_ends_at_366_days() {
    let (engine, clock) = manual_engine();
    let durable = DurableConfig { execution_timeout_s: 100, retention_days: 14 };
    let counting = engine.start_execution_with("f", None, None, durable).unwrap().execution.arn;
    let held = engine.start_execution_with("g", None, None, EngineConfig::default().durable()).unwrap().execution.arn;
    engine.pause_execution(&counting, &ControlRequest { timeout_paused: Some(false), ..Default::default() }).unwrap();
    engine.pause_execution(&held, &pause(None)).unwrap();
    let last = engine.history(&counting).unwrap().pop().unwrap();
    assert_eq!(last["ExecutionPausedDetails"]["ExecutionTimeoutPaused"], false);
    clock.advance(100_000);
    engine.run_due_timers().unwrap();
    assert_eq!(engine.get_execution(&counting).unwrap().status, ExecutionStatus::TimedOut);
    assert_eq!(event_types(&engine, &counting).last().unwrap(), "ExecutionTimedOut");
    clock.advance(366 * DAY_MS - 100_001);
    engine.run_due_timers().unwrap();
    assert_eq!(engine.get_execution(&held).unwrap().status, ExecutionStatus::Paused);
    clock.advance(1);
    engine.run_due_timers().unwrap();
    assert_eq!(engine.get_execution(&held).unwrap().status, ExecutionStatus::TimedOut);
}

#[test]
fn refused_control_requests_change_nothing() {
    let (engine, _clock) = manual_engine();
    let done = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = due(&engine, "f").unwrap();
    engine.complete_invocation(&done, &task.token, &output(InvocationStatus::Succeeded, Some("1"))).unwrap();
    let running = suspended_on_wait(&engine, 3600.0);

    let conflict = |r: Result<i64>, status: &str, action: &str| match r {
        Err(e @ EngineError::ExecutionConflict { .. }) => {
            assert_eq!((e.code(), e.aws_name()), ("ERR_EXECUTION_CONFLICT", "ResourceConflictException"));
            assert!(e.to_string().contains(status) && e.to_string().contains(action), "{e}");
        }
        other => panic!("expected a conflict, got {other:?}"),
    };
    let before = (engine.history(&done).unwrap().len(), engine.history(&running).unwrap().len());
    conflict(engine.pause_execution(&done, &pause(None)), "SUCCEEDED", "pause");
    conflict(engine.resume_execution(&running, &pause(None)), "RUNNING", "resume");
    conflict(engine.delete_execution(&running), "RUNNING", "delete");
    engine.pause_execution(&running, &pause(None)).unwrap();
    conflict(engine.pause_execution(&running, &pause(None)), "PAUSED", "pause");
    conflict(engine.delete_execution(&running), "PAUSED", "delete");
    let long = "x".repeat(1025);
    match engine.resume_execution(&running, &pause(Some(&long))) {
        Err(EngineError::InvalidParameter { field, value, reason }) => {
            assert_eq!(field, "Reason");
            assert!(value.contains("1025") && reason.contains("1024"), "{value} {reason}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(engine.pause_execution("nope", &pause(None)), Err(EngineError::ExecutionNotFound { .. })));
    assert!(matches!(engine.pause_execution(&done, &with_token("has space", None)), Err(EngineError::InvalidParameter { .. })));
    assert_eq!(engine.get_execution(&done).unwrap().status, ExecutionStatus::Succeeded);
    assert_eq!(engine.get_execution(&running).unwrap().status, ExecutionStatus::Paused);
    assert_eq!((engine.history(&done).unwrap().len(), engine.history(&running).unwrap().len()), (before.0, before.1 + 1));
    // 1024 characters (not bytes) is within the limit.
    engine.resume_execution(&running, &pause(Some(&"é".repeat(1024)))).unwrap();
}

#[test]
fn a_repeated_client_token_succeeds_once_and_refuses_other_parameters() {
    let (engine, clock) = manual_engine();
    let arn = suspended_on_wait(&engine, 3600.0);
    let first = engine.pause_execution(&arn, &with_token("tok-1", Some("a"))).unwrap();
    let events = engine.history(&arn).unwrap().len();
    clock.advance(1_000);
    // Same token and parameters: success again, without pausing twice.
    assert_eq!(engine.pause_execution(&arn, &with_token("tok-1", Some("a"))).unwrap(), first);
    assert_eq!(engine.history(&arn).unwrap().len(), events);
    match engine.pause_execution(&arn, &with_token("tok-1", Some("b"))) {
        Err(e @ EngineError::ClientTokenReused { .. }) => {
            assert_eq!((e.code(), e.aws_name()), ("ERR_CLIENT_TOKEN_REUSED", "InvalidParameterValueException"));
            assert!(e.to_string().contains("tok-1"), "{e}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(engine.resume_execution(&arn, &with_token("tok-1", None)), Err(EngineError::ClientTokenReused { .. })));
    assert_eq!(engine.get_execution(&arn).unwrap().status, ExecutionStatus::Paused);
    // After 15 minutes the token names nothing: the same pause is judged afresh (a conflict).
    clock.advance(15 * 60_000);
    assert!(matches!(engine.pause_execution(&arn, &with_token("tok-1", Some("a"))), Err(EngineError::ExecutionConflict { .. })));
}

#[test]
fn a_pausing_invocation_that_ends_without_checkpointing_again_pauses_and_a_verdict_wins_over_a_pause() {
    let (engine, _clock) = manual_engine();
    // Suspends (PENDING) after the pause was requested: the pause takes effect then.
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = due(&engine, "f").unwrap();
    let out = engine.checkpoint(&arn, &task.token, &[wait_start("1", 60.0)]).unwrap();
    engine.pause_execution(&arn, &pause(None)).unwrap();
    let exec = engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Pending, None)).unwrap();
    assert_eq!(exec.status, ExecutionStatus::Paused);
    assert_eq!(&event_types(&engine, &arn)[2..], ["InvocationCompleted", "ExecutionPaused"]);

    // Returns a result after the pause was requested: the execution ends with it.
    let other = engine.start_execution("g", None, None).unwrap().execution.arn;
    let task = due(&engine, "g").unwrap();
    engine.pause_execution(&other, &pause(None)).unwrap();
    let exec = engine.complete_invocation(&other, &task.token, &output(InvocationStatus::Succeeded, Some("\"done\""))).unwrap();
    assert_eq!((exec.status, exec.pause, exec.result.as_deref()), (ExecutionStatus::Succeeded, None, Some("\"done\"")));
}

#[tokio::test]
async fn a_chained_invoke_target_that_ends_while_its_caller_is_paused_is_acted_on_after_the_resume() {
    let engine = engine(false);
    let arn = engine.start_execution("caller", None, None).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    let invoke = OperationUpdate {
        chained_invoke_options: Some(ChainedInvokeOptions { function_name: "target".into(), tenant_id: None }),
        sub_type: Some("ChainedInvoke".into()),
        ..update("1", "CHAINED_INVOKE", "START")
    };
    let out = engine.checkpoint(&arn, &task.token, &[invoke]).unwrap();
    engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Pending, None)).unwrap();
    engine.pause_execution(&arn, &pause(None)).unwrap();
    let target = engine.list_executions(None, Some("target")).unwrap().pop().unwrap();
    let task = next(&engine, &target.arn).await.unwrap();
    engine.complete_invocation(&target.arn, &task.token, &output(InvocationStatus::Succeeded, Some("7"))).unwrap();
    let op = engine.operations(&arn).unwrap().into_iter().find(|o| o.op_type == OperationType::ChainedInvoke).unwrap();
    assert_eq!((op.status, op.result.as_deref()), (OperationStatus::Succeeded, Some("7")));
    assert!(claim(&engine, "caller").is_none(), "the paused caller is not invoked");
    engine.resume_execution(&arn, &pause(None)).unwrap();
    assert!(claim(&engine, "caller").is_some());
}
