//! Control-plane operations: stopping executions (idle, mid-invocation, finished, unknown,
//! chained-invoke children), lease renewal, and ceasing to hand out invocations.

mod common;

use common::*;
use durable_engine::*;

#[tokio::test]
async fn stopping_an_idle_execution_ends_it_with_the_given_error() {
    let engine = engine(false);
    let arn = engine.start_execution("f", Some("to-stop"), None).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    let out = engine.checkpoint(&arn, &task.token, &[wait_start("1", 3600.0)]).unwrap();
    engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Pending, None)).unwrap();

    let at = engine.stop_execution("to-stop", Some(ErrorObject::new("Operator", "no longer needed"))).unwrap();
    let exec = engine.get_execution(&arn).unwrap();
    assert_eq!(exec.status, ExecutionStatus::Stopped);
    assert_eq!(exec.end_ms, Some(at));
    assert_eq!(exec.error.unwrap().error_type.as_deref(), Some("Operator"));
    let types = event_types(&engine, &arn);
    assert_eq!(types.last().unwrap(), "ExecutionStopped");
    let last = engine.history(&arn).unwrap().pop().unwrap();
    assert_eq!(last["ExecutionStoppedDetails"]["Error"]["Payload"]["ErrorMessage"], "no longer needed");
    // No timer or invocation follows.
    assert!(engine.next_due_time(&TaskFilter::default()).unwrap().is_none());
    assert!(next(&engine, &arn).await.is_none());
}

#[tokio::test]
async fn a_running_invocation_fails_at_its_next_checkpoint_and_its_end_is_recorded() {
    let engine = engine(false);
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    let out = engine.checkpoint(&arn, &task.token, &[update("1", "STEP", "START")]).unwrap();
    engine.stop_execution(&arn, None).unwrap();
    match engine.checkpoint(&arn, &out.token, &[succeed("1", "1")]) {
        Err(EngineError::InvalidToken { reason }) => assert!(reason.contains("STOPPED"), "{reason}"),
        other => panic!("unexpected {other:?}"),
    }
    let exec = engine.fail_invocation(&arn, &out.token, &ErrorObject::new("Stopped", "checkpoint refused")).unwrap();
    assert_eq!(exec.status, ExecutionStatus::Stopped);
    assert_eq!(engine.active_invocations(), 0);
    let types = event_types(&engine, &arn);
    assert_eq!(types, ["ExecutionStarted", "StepStarted", "ExecutionStopped", "InvocationCompleted"]);
    // The stopped execution is never invoked again.
    assert!(next(&engine, &arn).await.is_none());
}

#[tokio::test]
async fn stopping_a_finished_or_unknown_execution_is_refused() {
    let engine = engine(false);
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    engine.complete_invocation(&arn, &task.token, &output(InvocationStatus::Succeeded, Some("1"))).unwrap();
    match engine.stop_execution(&arn, None) {
        Err(e @ EngineError::ExecutionNotRunning { .. }) => {
            assert_eq!(e.code(), "ERR_EXECUTION_NOT_RUNNING");
            assert_eq!(e.aws_name(), "InvalidParameterValueException");
            assert!(e.to_string().contains("SUCCEEDED"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(engine.stop_execution("arn:aws:lambda:nope", None), Err(EngineError::ExecutionNotFound { .. })));
    let big = ErrorObject::new("Big", &"x".repeat(2 * 1024 * 1024));
    let other = engine.start_execution("f", None, None).unwrap().execution.arn;
    assert!(matches!(engine.stop_execution(&other, Some(big)), Err(EngineError::PayloadTooLarge { .. })));
    assert_eq!(engine.get_execution(&other).unwrap().status, ExecutionStatus::Running);
}

#[tokio::test]
async fn a_stopped_chained_invoke_target_reports_stopped_to_its_caller() {
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
    let target = engine
        .list_executions(Some("RUNNING"), Some("target"))
        .unwrap()
        .pop()
        .expect("the target execution");
    engine.stop_execution(&target.arn, None).unwrap();
    let op = engine.operations(&arn).unwrap().into_iter().find(|o| o.op_type == OperationType::ChainedInvoke).unwrap();
    assert_eq!(op.status, OperationStatus::Stopped);
    assert!(event_types(&engine, &arn).contains(&"ChainedInvokeStopped".to_string()));
}

#[tokio::test]
async fn leases_are_renewed_only_for_invocations_this_engine_still_holds() {
    let a = open(EngineConfig { lease_ms: 60_000, ..Default::default() });
    let arn = a.start_execution("f", None, None).unwrap().execution.arn;
    assert_eq!(a.renew_leases().unwrap(), 0);
    let task = next(&a, &arn).await.unwrap();
    assert_eq!(a.renew_leases().unwrap(), 1);
    a.complete_invocation(&arn, &task.token, &output(InvocationStatus::Succeeded, None)).unwrap();
    assert_eq!(a.renew_leases().unwrap(), 0);
}

#[tokio::test]
async fn stop_tasks_ends_waiting_callers_and_keeps_running_invocations_working() {
    let engine = std::sync::Arc::new(engine(false));
    let first = engine.start_execution("f", None, None).unwrap().execution.arn;
    let functions = TaskFilter { arn: None, functions: Some(vec!["f".into()]) };
    let task = engine.next_task(&functions).await.unwrap().unwrap();
    assert_eq!(task.arn, first);
    let waiting = {
        let engine = engine.clone();
        let functions = functions.clone();
        tokio::spawn(async move { engine.next_task(&functions).await })
    };
    // The single-threaded test runtime runs the waiter until it blocks waiting for work.
    for _ in 0..3 {
        tokio::task::yield_now().await;
    }
    engine.stop_tasks();
    let answered = tokio::time::timeout(std::time::Duration::from_secs(5), waiting).await.unwrap().unwrap().unwrap();
    assert!(answered.is_none());
    // New work is no longer handed out, but the running invocation still checkpoints.
    engine.start_execution("f", None, None).unwrap();
    assert!(engine.next_task(&functions).await.unwrap().is_none());
    let out = engine.checkpoint(&first, &task.token, &[succeed("1", "1")]).unwrap();
    engine.complete_invocation(&first, &out.token, &output(InvocationStatus::Succeeded, Some("1"))).unwrap();
    assert_eq!(engine.get_execution(&first).unwrap().status, ExecutionStatus::Succeeded);
}
