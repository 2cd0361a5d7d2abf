//! Callbacks completed from outside: success, failure, heartbeat, timeouts, closed and unknown
//! ids.

mod common;

use common::*;
use durable_engine::*;

async fn started_callback(engine: &Engine, options: CallbackOptions) -> (String, String) {
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = next(engine, &arn).await.unwrap();
    let start = OperationUpdate { callback_options: Some(options), ..update("1", "CALLBACK", "START") };
    let out = engine.checkpoint(&arn, &task.token, &[start]).unwrap();
    let callback_id = out.operations[0].callback_id.clone().unwrap();
    engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Pending, None)).unwrap();
    (arn, callback_id)
}

#[tokio::test]
async fn success_wakes_the_execution_and_closes_the_callback() {
    let engine = engine(false);
    let (arn, id) = started_callback(&engine, CallbackOptions::default()).await;
    engine.send_callback_success(&id, Some("\"payload\"")).unwrap();
    let task = next(&engine, &arn).await.unwrap();
    assert_eq!(task.updated_operation_ids, vec![ids::hash_step_id("1")]);
    let op = task.operations.iter().find(|o| o.callback_id.as_deref() == Some(id.as_str())).unwrap();
    assert_eq!(op.status, OperationStatus::Succeeded);
    assert_eq!(op.result.as_deref(), Some("\"payload\""));
    match engine.send_callback_success(&id, None) {
        Err(EngineError::CallbackClosed { status, .. }) => assert_eq!(status, "SUCCEEDED"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(engine.send_callback_failure("nope", None), Err(EngineError::CallbackNotFound { .. })));
    let types = event_types(&engine, &arn);
    assert_eq!(&types[1..4], ["CallbackStarted", "InvocationCompleted", "CallbackSucceeded"]);
}

#[tokio::test]
async fn failure_records_the_error_object() {
    let engine = engine(false);
    let (arn, id) = started_callback(&engine, CallbackOptions::default()).await;
    engine.send_callback_failure(&id, Some(ErrorObject::new("Denied", "no"))).unwrap();
    let op = engine.operations(&arn).unwrap().into_iter().find(|o| o.callback_id.is_some()).unwrap();
    assert_eq!(op.status, OperationStatus::Failed);
    assert_eq!(op.error.unwrap().error_type.as_deref(), Some("Denied"));
}

#[tokio::test]
async fn timeouts_fire_from_the_clock_and_heartbeats_push_them_back() {
    let engine = engine(true);
    let (arn, id) = started_callback(&engine, CallbackOptions { timeout_seconds: Some(60.0), heartbeat_timeout_seconds: Some(10.0) }).await;
    engine.send_callback_heartbeat(&id).unwrap();
    let task = next(&engine, &arn).await.unwrap();
    let op = task.operations.iter().find(|o| o.callback_id.is_some()).unwrap();
    assert_eq!(op.status, OperationStatus::TimedOut);
    assert_eq!(op.error.as_ref().unwrap().error_type.as_deref(), Some("Callback.Heartbeat"));
    let history = engine.history(&arn).unwrap();
    let started = history.iter().find(|e| e["EventType"] == "CallbackStarted").unwrap();
    assert_eq!(started["CallbackStartedDetails"]["Timeout"], 60);
    assert_eq!(started["CallbackStartedDetails"]["HeartbeatTimeout"], 10);
    assert!(history.iter().any(|e| e["EventType"] == "CallbackTimedOut"));
    assert!(matches!(engine.send_callback_heartbeat(&id), Err(EngineError::CallbackClosed { .. })));
}

#[tokio::test]
async fn callbacks_of_finished_executions_are_closed() {
    let engine = engine(false);
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    let out = engine.checkpoint(&arn, &task.token, &[update("1", "CALLBACK", "START")]).unwrap();
    let id = out.operations[0].callback_id.clone().unwrap();
    // The handler returns without awaiting the callback: the execution ends, the callback with it.
    engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Succeeded, None)).unwrap();
    match engine.send_callback_success(&id, Some("1")) {
        Err(EngineError::CallbackClosed { status, .. }) => assert_eq!(status, "SUCCEEDED"),
        other => panic!("unexpected {other:?}"),
    }
}
