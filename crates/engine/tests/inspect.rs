//! The reads people and tools make: listing pages with filters (checked against the same
//! selection made by hand over every execution), the change feed, one execution's timeline
//! with attempts and invocations, history pages, and the counters behind metrics.

mod common;

use common::*;
use durable_engine::*;

/// 30 executions of two functions, 1 s apart, every third one finished.
fn populated() -> (Engine, std::sync::Arc<clock::ManualClock>, Vec<(String, String, i64)>) {
    let clock = manual_clock();
    let engine = Engine::open_with(Box::new(storage::SqliteStorage::open(":memory:").unwrap()), clock.clone(), EngineConfig::default());
    let mut made = Vec::new();
    for i in 0..30 {
        let function = if i % 2 == 0 { "orders" } else { "refunds" };
        let name = format!("{}-{i:02}", if i < 15 { "early" } else { "late" });
        let started = engine.start_execution(function, Some(&name), None).unwrap().execution;
        made.push((function.to_string(), name, started.start_ms));
        clock.advance(1000);
    }
    for i in (0..30).step_by(3) {
        engine.stop_execution(&made[i].1, None).unwrap();
    }
    (engine, clock, made)
}

fn all_pages(engine: &Engine, mut q: ExecQuery) -> Vec<String> {
    let mut names = Vec::new();
    loop {
        let page = engine.list_page(&q).unwrap();
        assert!(page.executions.len() <= q.limit);
        names.extend(page.executions.iter().map(|e| e.name.clone()));
        match page.next_marker {
            Some(m) => q.after = Some(inspect::parse_exec_marker(&m).unwrap()),
            None => return names,
        }
    }
}

#[test]
fn pages_select_and_order_what_a_full_read_would() {
    let (engine, _clock, made) = populated();
    let stopped: Vec<bool> = (0..30).map(|i| i % 3 == 0).collect();
    let expect = |keep: &dyn Fn(usize) -> bool, newest_first: bool| {
        let mut v: Vec<String> = (0..30).filter(|i| keep(*i)).map(|i| made[i].1.clone()).collect();
        if newest_first {
            v.reverse();
        }
        v
    };
    let q = |limit| ExecQuery { limit, ..Default::default() };
    assert_eq!(all_pages(&engine, q(7)), expect(&|_| true, true));
    assert_eq!(all_pages(&engine, ExecQuery { oldest_first: true, ..q(4) }), expect(&|_| true, false));
    let orders = ExecQuery { function_name: Some("orders".into()), ..q(3) };
    assert_eq!(all_pages(&engine, orders), expect(&|i| i % 2 == 0, true));
    let running = ExecQuery { statuses: vec![ExecutionStatus::Running], ..q(5) };
    assert_eq!(all_pages(&engine, running), expect(&|i| !stopped[i], true));
    let both = ExecQuery { statuses: vec![ExecutionStatus::Running, ExecutionStatus::Stopped], ..q(50) };
    assert_eq!(all_pages(&engine, both).len(), 30);
    let late = ExecQuery { name_prefix: Some("late-".into()), ..q(4) };
    assert_eq!(all_pages(&engine, late), expect(&|i| i >= 15, true));
    let window = ExecQuery { started_after_ms: Some(made[5].2), started_before_ms: Some(made[9].2), ..q(2) };
    assert_eq!(all_pages(&engine, window), expect(&|i| (5..=9).contains(&i), true));
    let exact = ExecQuery { name: Some("late-20".into()), ..q(10) };
    assert_eq!(all_pages(&engine, exact), vec!["late-20".to_string()]);
    // A page lists without payloads; the marker resumes strictly after the last row.
    let first = engine.list_page(&q(1)).unwrap();
    assert!(first.executions[0].input.is_none());
    assert!(matches!(engine.list_page(&q(0)), Err(EngineError::InvalidParameter { .. })));
    assert!(matches!(engine.list_page(&q(1001)), Err(EngineError::InvalidParameter { .. })));
    match inspect::parse_exec_marker("12") {
        Err(EngineError::InvalidParameter { field, value, .. }) => assert_eq!((field.as_str(), value.as_str()), ("Marker", "\"12\"")),
        other => panic!("unexpected {other:?}"),
    }
    let counts: std::collections::HashMap<_, _> = engine.counts_by_status().unwrap().into_iter().collect();
    assert_eq!((counts[&ExecutionStatus::Running], counts[&ExecutionStatus::Stopped]), (20, 10));
}

#[tokio::test]
async fn the_change_feed_names_every_row_that_changed_in_order() {
    let engine = engine(false);
    assert_eq!(engine.last_execution_change().unwrap(), 0);
    let a = engine.start_execution("f", Some("a"), None).unwrap().execution.arn;
    let b = engine.start_execution("f", Some("b"), None).unwrap().execution.arn;
    let seen = engine.last_execution_change().unwrap();
    assert_eq!(engine.execution_changes(0, 10).unwrap().iter().map(|c| c.execution.arn.clone()).collect::<Vec<_>>(), [a.clone(), b.clone()]);
    assert!(engine.execution_changes(seen, 10).unwrap().is_empty());
    let task = next(&engine, &a).await.unwrap();
    engine.complete_invocation(&a, &task.token, &output(InvocationStatus::Succeeded, Some("1"))).unwrap();
    let changes = engine.execution_changes(seen, 10).unwrap();
    assert!(changes.iter().all(|c| c.execution.arn == a && c.change_no > seen));
    assert_eq!(changes.last().unwrap().execution.status, ExecutionStatus::Succeeded);
    assert!(changes.windows(2).all(|w| w[0].change_no < w[1].change_no));
}

#[tokio::test]
async fn a_timeline_has_each_attempt_its_retry_delay_and_the_invocations() {
    let engine = engine(true);
    let big = format!("\"{}\"", "x".repeat(5000));
    let arn = engine.start_execution("f", Some("t"), Some(&big)).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    let retry = OperationUpdate {
        error: Some(ErrorObject::new("Flaky", "try again")),
        step_options: Some(StepOptions { next_attempt_delay_seconds: Some(3.0) }),
        ..update("1", "STEP", "RETRY")
    };
    let out = engine.checkpoint(&arn, &task.token, &[update("1", "STEP", "START"), retry]).unwrap();
    engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Pending, None)).unwrap();
    let task = next(&engine, &arn).await.unwrap();
    let out = engine.checkpoint(&arn, &task.token, &[update("1", "STEP", "START"), succeed("1", &big), wait_start("2", 60.0)]).unwrap();

    let t = engine.timeline(&arn, 100).unwrap();
    assert_eq!((t.input_size, t.execution.input.as_ref().unwrap().len()), (big.len(), 100));
    assert_eq!(t.operations.len(), 2);
    let step = &t.operations[0];
    assert_eq!((step.result_size, step.truncated, step.operation.result.as_ref().unwrap().len()), (big.len(), true, 100));
    let attempts: Vec<(u32, &str)> = step.attempts.iter().map(|a| (a.number, a.status)).collect();
    assert_eq!(attempts, [(1, "FAILED"), (2, "SUCCEEDED")]);
    let first = &step.attempts[0];
    assert_eq!(first.error.as_ref().unwrap().error_type.as_deref(), Some("Flaky"));
    assert_eq!(first.retry_at_ms, Some(first.end_ms.unwrap() + 3000));
    assert!(step.attempts[1].start_ms >= first.retry_at_ms.unwrap(), "the second attempt began when the retry was due");
    let wait = &t.operations[1];
    assert_eq!(wait.operation.op_type, OperationType::Wait);
    assert!(wait.operation.scheduled_end_ms.is_some() && wait.attempts.is_empty());
    // Invocation 1 ended; invocation 2 runs (no end yet).
    assert_eq!(t.invocations.iter().map(|i| (i.number, i.end_ms.is_some())).collect::<Vec<_>>(), [(1, true), (2, false)]);
    assert_eq!(t.last_event_id, engine.history(&arn).unwrap().len() as i64);
    // The whole record is one read away.
    assert_eq!(engine.operation(&arn, &step.operation.id).unwrap().result.unwrap(), big);
    assert!(matches!(engine.operation(&arn, "nope"), Err(EngineError::InvalidParameter { .. })));
    let links = engine.execution_links(&arn).unwrap();
    assert_eq!((links.name.as_str(), links.root_arn.as_str(), links.parent.is_none()), ("t", arn.as_str(), true));
    let v = engine.execution_version(&arn).unwrap();
    engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Pending, None)).unwrap();
    assert_ne!(engine.execution_version(&arn).unwrap(), v, "an invocation's end changes the version");
}

#[tokio::test]
async fn history_pages_walk_the_history_both_ways() {
    let engine = engine(true);
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    let steps: Vec<OperationUpdate> = (1..=6).map(|i| succeed(&i.to_string(), "1")).collect();
    let out = engine.checkpoint(&arn, &task.token, &steps).unwrap();
    engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Succeeded, None)).unwrap();
    let full: Vec<i64> = engine.history(&arn).unwrap().iter().map(|e| e["EventId"].as_i64().unwrap()).collect();
    for reverse in [false, true] {
        let (mut ids, mut marker) = (Vec::new(), None::<String>);
        loop {
            let page = engine.history_page(&arn, marker.as_deref(), 3, reverse).unwrap();
            ids.extend(page.events.iter().map(|e| e["EventId"].as_i64().unwrap()));
            marker = page.next_marker;
            if marker.is_none() {
                break;
            }
        }
        let mut want = full.clone();
        if reverse {
            want.reverse();
        }
        assert_eq!(ids, want, "reverse={reverse}");
    }
    assert!(matches!(engine.history_page(&arn, Some("x"), 3, false), Err(EngineError::InvalidParameter { .. })));
}

#[tokio::test]
async fn counters_and_gauges_follow_a_known_workload() {
    let engine = engine(false);
    let a = engine.start_execution("f", None, None).unwrap().execution.arn;
    engine.start_execution("f", None, None).unwrap();
    assert_eq!(engine.queue_gauges().unwrap(), QueueGauges { due_unclaimed: 2, pending_timers: 0, active_invocations: 0 });
    let task = next(&engine, &a).await.unwrap();
    let out = engine.checkpoint(&a, &task.token, &[succeed("1", "1"), succeed("2", "2"), wait_start("3", 60.0)]).unwrap();
    assert_eq!(engine.queue_gauges().unwrap(), QueueGauges { due_unclaimed: 1, pending_timers: 1, active_invocations: 1 });
    engine.fail_invocation(&a, &out.token, &ErrorObject::new("TypeError", "boom")).unwrap();
    let s = engine.stats();
    assert_eq!((s.steps_completed, s.checkpoint_requests), (2, 1));
    assert_eq!(s.latency_buckets.iter().sum::<u64>(), 1);
    assert_eq!(s.invocation_failures, vec![("TypeError".to_string(), 1)]);
    assert_eq!(s.lease_takeovers, 0);
}

#[tokio::test]
async fn a_takeover_is_counted_as_a_takeover_and_an_exit_error() {
    let path = temp_path("takeover.db");
    let clock = manual_clock();
    let config = EngineConfig { lease_ms: 60_000, host_id: Some("h".into()), ..Default::default() };
    let [a, b] = <[Engine; 2]>::try_from(engines_on(&path, &clock, &[config.clone(), config])).ok().unwrap();
    a.start_execution("f", None, None).unwrap();
    let _held = claim(&a, "f").unwrap();
    clock.advance(60_001);
    claim(&b, "f").expect("taken over");
    let s = b.stats();
    assert_eq!(s.lease_takeovers, 1);
    assert_eq!(s.invocation_failures, vec![("Runtime.ExitError".to_string(), 1)]);
}
