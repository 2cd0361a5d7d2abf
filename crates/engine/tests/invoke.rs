//! Chained invokes: the target runs as a linked execution whose outcome returns to the caller.

mod common;

use common::*;
use durable_engine::*;

#[tokio::test]
async fn the_target_runs_and_its_result_wakes_the_caller() {
    let engine = engine(true);
    let arn = engine.start_execution("caller", None, Some("{}")).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    let start = OperationUpdate {
        payload: Some("{\"n\":1}".into()),
        chained_invoke_options: Some(ChainedInvokeOptions { function_name: "echo:$LATEST".into(), tenant_id: None }),
        ..update("1", "CHAINED_INVOKE", "START")
    };
    let out = engine.checkpoint(&arn, &task.token, &[start]).unwrap();
    assert_eq!(out.operations[0].status, OperationStatus::Started);
    engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Pending, None)).unwrap();

    // The target is handed out under the caller's ARN filter.
    let target = next(&engine, &arn).await.unwrap();
    assert_eq!(target.function_name, "echo");
    assert_eq!(target.operations[0].input_payload.as_deref(), Some("{\"n\":1}"));
    engine.complete_invocation(&target.arn, &target.token, &output(InvocationStatus::Succeeded, Some("{\"n\":1}"))).unwrap();

    let resumed = next(&engine, &arn).await.unwrap();
    assert_eq!(resumed.arn, arn);
    let op = resumed.operations.iter().find(|o| o.op_type == OperationType::ChainedInvoke).unwrap();
    assert_eq!(op.status, OperationStatus::Succeeded);
    assert_eq!(op.result.as_deref(), Some("{\"n\":1}"));
    let history = engine.history(&arn).unwrap();
    let started = history.iter().find(|e| e["EventType"] == "ChainedInvokeStarted").unwrap();
    assert_eq!(started["ChainedInvokeStartedDetails"]["FunctionName"], "echo:$LATEST");
    assert_eq!(started["ChainedInvokeStartedDetails"]["DurableExecutionArn"], target.arn.as_str());
    assert!(history.iter().any(|e| e["EventType"] == "ChainedInvokeSucceeded"));
}

#[tokio::test]
async fn a_failed_target_fails_the_operation() {
    let engine = engine(true);
    let arn = engine.start_execution("caller", None, None).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    let start = OperationUpdate {
        chained_invoke_options: Some(ChainedInvokeOptions { function_name: "boom".into(), tenant_id: Some("t1".into()) }),
        ..update("1", "CHAINED_INVOKE", "START")
    };
    let out = engine.checkpoint(&arn, &task.token, &[start]).unwrap();
    engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Pending, None)).unwrap();
    let target = next(&engine, &arn).await.unwrap();
    let failed = InvocationOutput { status: InvocationStatus::Failed, result: None, error: Some(ErrorObject::new("Error", "target broke")) };
    engine.complete_invocation(&target.arn, &target.token, &failed).unwrap();
    let resumed = next(&engine, &arn).await.unwrap();
    let op = resumed.operations.iter().find(|o| o.op_type == OperationType::ChainedInvoke).unwrap();
    assert_eq!(op.status, OperationStatus::Failed);
    assert_eq!(op.error.as_ref().unwrap().error_message.as_deref(), Some("target broke"));
    let bad = OperationUpdate {
        chained_invoke_options: Some(ChainedInvokeOptions { function_name: "no such fn!".into(), tenant_id: None }),
        ..update("2", "CHAINED_INVOKE", "START")
    };
    assert!(matches!(engine.checkpoint(&arn, &resumed.token, &[bad]), Err(EngineError::InvalidCheckpoint { .. })));
}
