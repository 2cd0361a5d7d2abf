//! Execution timeouts and the removal of ended executions: `ExecutionTimeout` ends an execution
//! TIMED_OUT on the engine's clock (idle or mid-invocation), `RetentionPeriodInDays` removes an
//! ended execution's data once expired, and `DeleteDurableExecution` removes it on request
//! (DELETING until the data is gone, then not found). A skipping clock never jumps to a
//! deadline alone. Manual and virtual clocks only; nothing sleeps.

mod common;

use common::*;
use durable_engine::*;
use durable_engine::clock::Clock;

const DAY_MS: i64 = 24 * 3_600_000;

fn manual_engine() -> (Engine, std::sync::Arc<clock::ManualClock>) {
    let clock = manual_clock();
    let engine = engines_on(&fresh_location(), &clock, &[EngineConfig::default()]).pop().unwrap();
    (engine, clock)
}

fn config(timeout_s: i64, retention_days: i64) -> DurableConfig {
    DurableConfig { execution_timeout_s: timeout_s, retention_days }
}

fn finished(engine: &Engine, durable: DurableConfig) -> String {
    let arn = engine.start_execution_with("f", None, None, durable).unwrap().execution.arn;
    let task = claim(engine, "f").unwrap();
    engine.complete_invocation(&arn, &task.token, &output(InvocationStatus::Succeeded, Some("1"))).unwrap();
    arn
}

#[test]
fn an_idle_execution_times_out_at_its_deadline_and_its_timers_are_dropped() {
    let (engine, clock) = manual_engine();
    let arn = engine.start_execution_with("f", Some("slow"), None, config(60, 14)).unwrap().execution.arn;
    let task = claim(&engine, "f").unwrap();
    let out = engine.checkpoint(&arn, &task.token, &[wait_start("1", 3600.0)]).unwrap();
    engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Pending, None)).unwrap();
    clock.advance(59_999);
    assert!(claim(&engine, "f").is_none());
    assert_eq!(engine.get_execution(&arn).unwrap().status, ExecutionStatus::Running);
    clock.advance(1);
    assert!(claim(&engine, "f").is_none(), "the scheduler's pass ends it; nothing is invoked");
    let exec = engine.get_execution(&arn).unwrap();
    assert_eq!(exec.status, ExecutionStatus::TimedOut);
    assert_eq!((exec.end_ms, exec.deadline_ms), (Some(clock.now_ms()), None));
    assert!(exec.error.unwrap().error_message.unwrap().contains("60 seconds"));
    let last = engine.history(&arn).unwrap().pop().unwrap();
    assert_eq!(last["EventType"], "ExecutionTimedOut");
    assert!(engine.next_due_time(&TaskFilter::default()).unwrap().is_none(), "the wait's timer went with it");
    clock.advance(3_600_000);
    assert_eq!(engine.run_due_timers().unwrap(), 0);
    assert_eq!(event_types(&engine, &arn).last().unwrap(), "ExecutionTimedOut");
}

#[test]
fn a_running_invocation_of_a_timed_out_execution_checkpoints_no_more() {
    let (engine, clock) = manual_engine();
    let arn = engine.start_execution_with("f", None, None, config(5, 14)).unwrap().execution.arn;
    let task = claim(&engine, "f").unwrap();
    let out = engine.checkpoint(&arn, &task.token, &[update("1", "STEP", "START")]).unwrap();
    clock.advance(5_000);
    engine.run_due_timers().unwrap();
    match engine.checkpoint(&arn, &out.token, &[succeed("1", "1")]) {
        Err(EngineError::InvalidToken { reason }) => assert!(reason.contains("TIMED_OUT"), "{reason}"),
        other => panic!("unexpected {other:?}"),
    }
    let exec = engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Succeeded, Some("2"))).unwrap();
    assert_eq!(exec.status, ExecutionStatus::TimedOut, "a late verdict does not revive it");
    assert_eq!(event_types(&engine, &arn), ["ExecutionStarted", "StepStarted", "ExecutionTimedOut", "InvocationCompleted"]);
}

#[test]
fn an_ended_execution_is_removed_when_its_retention_expires() {
    let (engine, clock) = manual_engine();
    let short = finished(&engine, config(3600, 1));
    let default = finished(&engine, EngineConfig::default().durable());
    assert_eq!(engine.get_execution(&default).unwrap().retention_days, 14);
    clock.advance(DAY_MS - 1);
    engine.run_due_timers().unwrap();
    assert_eq!(engine.get_execution(&short).unwrap().status, ExecutionStatus::Succeeded);
    clock.advance(1);
    engine.run_due_timers().unwrap();
    assert!(matches!(engine.get_execution(&short), Err(EngineError::ExecutionNotFound { .. })));
    assert!(matches!(engine.history(&short), Err(EngineError::ExecutionNotFound { .. })));
    assert_eq!(engine.get_execution(&default).unwrap().status, ExecutionStatus::Succeeded);
    clock.advance(13 * DAY_MS);
    assert!(claim(&engine, "f").is_none(), "the scheduler's pass removes expired executions too");
    assert!(matches!(engine.get_execution(&default), Err(EngineError::ExecutionNotFound { .. })));
    assert!(engine.list_executions(None, None).unwrap().is_empty());
    assert_eq!(engine.integrity_check().unwrap(), ["ok"]);
}

#[test]
fn a_deleted_execution_shows_deleting_until_its_data_is_gone() {
    let (engine, _clock) = manual_engine();
    let arn = finished(&engine, EngineConfig::default().durable());
    let kept = finished(&engine, EngineConfig::default().durable());
    let at = engine.delete_execution(&arn).unwrap();
    assert_eq!(at, engine.now_ms());
    assert_eq!(engine.get_execution(&arn).unwrap().status, ExecutionStatus::Deleting);
    let page = engine.list_page(&ExecQuery { statuses: vec![ExecutionStatus::Deleting], limit: 10, ..Default::default() }).unwrap();
    assert_eq!(page.executions.len(), 1);
    match engine.delete_execution(&arn) {
        Err(EngineError::ExecutionConflict { status, .. }) => assert_eq!(status, "DELETING"),
        other => panic!("unexpected {other:?}"),
    }
    engine.run_due_timers().unwrap();
    assert!(matches!(engine.get_execution(&arn), Err(EngineError::ExecutionNotFound { .. })));
    assert!(matches!(engine.delete_execution(&arn), Err(EngineError::ExecutionNotFound { .. })));
    assert_eq!(engine.get_execution(&kept).unwrap().status, ExecutionStatus::Succeeded);
    assert_eq!(engine.integrity_check().unwrap(), ["ok"]);
}

#[tokio::test]
async fn a_deleted_caller_does_not_keep_its_chained_invoke_target_from_ending() {
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
    engine.stop_execution(&arn, None).unwrap();
    engine.delete_execution(&arn).unwrap();
    engine.run_due_timers().unwrap();
    let target = engine.list_executions(None, Some("target")).unwrap().pop().unwrap();
    let task = next(&engine, &target.arn).await.unwrap();
    let exec = engine.complete_invocation(&target.arn, &task.token, &output(InvocationStatus::Succeeded, Some("7"))).unwrap();
    assert_eq!(exec.status, ExecutionStatus::Succeeded);
}

#[test]
fn durable_config_out_of_range_is_refused_naming_the_field() {
    let engine = engine(false);
    for (durable, field) in [(config(0, 14), "ExecutionTimeout"), (config(31_622_401, 14), "ExecutionTimeout"), (config(60, 0), "RetentionPeriodInDays"), (config(60, 91), "RetentionPeriodInDays")] {
        match engine.start_execution_with("f", None, None, durable) {
            Err(EngineError::InvalidParameter { field: f, reason, .. }) => {
                assert_eq!(f, field);
                assert!(reason.contains("from 1 to"), "{reason}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(engine.list_executions(None, None).unwrap().is_empty());
}

#[tokio::test]
async fn a_skipping_clock_passes_a_deadline_on_its_way_to_a_later_wait_but_never_jumps_to_one_alone() {
    let engine = engine(true);
    // A callback nobody answers: the clock has nothing to jump to (it waits in real time, as it
    // did before timeouts were enforced).
    let waiting = engine.start_execution_with("f", None, None, config(60, 14)).unwrap().execution.arn;
    let task = next(&engine, &waiting).await.unwrap();
    let out = engine.checkpoint(&waiting, &task.token, &[update("1", "CALLBACK", "START")]).unwrap();
    engine.complete_invocation(&waiting, &out.token, &output(InvocationStatus::Pending, None)).unwrap();
    assert!(engine.next_due_time(&TaskFilter { arn: Some(waiting.clone()), functions: None }).unwrap().is_none());

    // A wait longer than the timeout: the clock jumps to the wait, passing the deadline first.
    let slow = engine.start_execution_with("g", None, None, config(60, 14)).unwrap().execution.arn;
    let task = next(&engine, &slow).await.unwrap();
    let out = engine.checkpoint(&slow, &task.token, &[wait_start("1", 3600.0)]).unwrap();
    engine.complete_invocation(&slow, &out.token, &output(InvocationStatus::Pending, None)).unwrap();
    assert!(next(&engine, &slow).await.is_none());
    assert_eq!(engine.get_execution(&slow).unwrap().status, ExecutionStatus::TimedOut);
    assert_eq!(event_types(&engine, &slow).last().unwrap(), "ExecutionTimedOut");
    // The skipped hour passed the first execution's deadline too.
    assert_eq!(engine.get_execution(&waiting).unwrap().status, ExecutionStatus::TimedOut);
}
