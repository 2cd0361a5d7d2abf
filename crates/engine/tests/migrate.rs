//! `migrate`: a real SQLite file moved into a real PostgreSQL database (a fresh one per test, on
//! `DURABLE_NODE_TEST_PG`, default the local server) and back into a new SQLite file. Suspended
//! executions (a wait, a callback, a chained invoke) and one whose worker died move with their
//! operations, history, timers, callback ids and links, and finish on the target; histories are
//! equal before and after. Refusals (a live lease, a non-empty target, bad locations) write
//! nothing, and a copy that fails half-way leaves the target empty.

mod common;

use common::*;
use durable_engine::clock::Clock;
use durable_engine::migrate::{migrate_at, MigrationReport};
use durable_engine::storage::{postgres_admin, PgStorage, SqliteStorage, Storage};
use durable_engine::*;

const SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database of its own for one test, dropped when the test ends.
struct FreshDb {
    server: String,
    name: String,
    url: String,
}

impl FreshDb {
    fn new() -> FreshDb {
        let server = std::env::var("DURABLE_NODE_TEST_PG").unwrap_or_else(|_| SERVER.to_string());
        let name = format!("durable_migrate_{}", ids::random_id().replace('-', "")[..16].to_string());
        let url = postgres_admin::create_database(&server, &name)
            .unwrap_or_else(|e| panic!("the migrate tests need a PostgreSQL server where this user may CREATE DATABASE (DURABLE_NODE_TEST_PG): {e}"));
        FreshDb { server, name, url }
    }
}

impl Drop for FreshDb {
    fn drop(&mut self) {
        let _ = postgres_admin::drop_database(&self.server, &self.name);
    }
}

fn config() -> EngineConfig {
    EngineConfig { lease_ms: 60_000, host_id: Some("migrate-test-host".into()), ..Default::default() }
}

fn engine_at(location: &str, clock: &std::sync::Arc<clock::ManualClock>) -> Engine {
    engines_on(location, clock, &[config()]).pop().unwrap()
}

/// Every execution's record, operations and history, by name: what must survive a move.
fn snapshot(engine: &Engine) -> Vec<(String, Execution, Vec<Operation>, Vec<serde_json::Value>)> {
    let mut all: Vec<_> = engine
        .list_executions(None, None)
        .unwrap()
        .into_iter()
        .map(|e| {
            let ops = engine.operations(&e.arn).unwrap();
            let history = engine.history(&e.arn).unwrap();
            (e.arn.clone(), e, ops, history)
        })
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

fn rows_in(location: &str) -> i64 {
    let store: Box<dyn Storage> =
        if storage::is_postgres_url(location) { Box::new(PgStorage::open(location).unwrap()) } else { Box::new(SqliteStorage::open(location).unwrap()) };
    store.count_execs_by_status().unwrap().iter().map(|(_, n)| n).sum()
}

struct Suspended {
    waiting: String,
    called_back: String,
    callback_id: String,
    caller: String,
    crashed: String,
}

/// On `engine`: a wait of an hour, a callback, a chained invoke whose target has not run, a
/// finished execution, and one whose invocation was claimed by a worker that then died.
async fn suspend_some(engine: &Engine) -> Suspended {
    let waiting = engine.start_execution("f", Some("waiting"), Some("{\"n\":1}")).unwrap().execution.arn;
    let task = claim(engine, "f").unwrap();
    let out = engine.checkpoint(&waiting, &task.token, &[succeed("1", "10"), wait_start("2", 3600.0)]).unwrap();
    engine.complete_invocation(&waiting, &out.token, &output(InvocationStatus::Pending, None)).unwrap();

    let called_back = engine.start_execution("f", Some("called-back"), None).unwrap().execution.arn;
    let task = claim(engine, "f").unwrap();
    let start = OperationUpdate { callback_options: Some(CallbackOptions { timeout_seconds: Some(86_400.0), heartbeat_timeout_seconds: None }), ..update("1", "CALLBACK", "START") };
    let out = engine.checkpoint(&called_back, &task.token, &[start]).unwrap();
    let callback_id = out.operations[0].callback_id.clone().unwrap();
    engine.complete_invocation(&called_back, &out.token, &output(InvocationStatus::Pending, None)).unwrap();

    let caller = engine.start_execution("f", Some("caller"), None).unwrap().execution.arn;
    let task = claim(engine, "f").unwrap();
    let invoke = OperationUpdate {
        payload: Some("{\"n\":2}".into()),
        chained_invoke_options: Some(ChainedInvokeOptions { function_name: "echo".into(), tenant_id: None }),
        ..update("1", "CHAINED_INVOKE", "START")
    };
    let out = engine.checkpoint(&caller, &task.token, &[invoke]).unwrap();
    engine.complete_invocation(&caller, &out.token, &output(InvocationStatus::Pending, None)).unwrap();

    let done = engine.start_execution("f", Some("done"), None).unwrap().execution.arn;
    let task = claim(engine, "f").unwrap();
    engine.complete_invocation(&done, &task.token, &output(InvocationStatus::Succeeded, Some("\"ok\""))).unwrap();

    // Claimed, a step committed, then its worker is gone: the lease stays until it expires.
    let crashed = engine.start_execution("f", Some("crashed"), None).unwrap().execution.arn;
    let task = claim(engine, "f").unwrap();
    engine.checkpoint(&crashed, &task.token, &[succeed("1", "7")]).unwrap();
    Suspended { waiting, called_back, callback_id, caller, crashed }
}

/// Answers every invocation `engine` hands out for `f` and `echo`, checking what each one sees;
/// returns the ARNs it ran.
fn run_due(engine: &Engine, s: &Suspended) -> Vec<String> {
    let filter = TaskFilter { arn: None, functions: Some(vec!["f".into(), "echo".into()]) };
    let mut ran = Vec::new();
    while let Some(task) = engine.try_next_tasks(&filter, 1).unwrap().pop() {
        let find = |t: OperationType| task.operations.iter().find(|o| o.op_type == t).cloned().unwrap();
        let result = if task.arn == s.called_back {
            let op = find(OperationType::Callback);
            assert_eq!(op.callback_id.as_deref(), Some(s.callback_id.as_str()));
            assert_eq!((op.status, op.result.as_deref()), (OperationStatus::Succeeded, Some("\"approved\"")));
            "\"approved\"".to_string()
        } else if task.function_name == "echo" {
            task.operations[0].input_payload.clone().unwrap()
        } else if task.arn == s.caller {
            find(OperationType::ChainedInvoke).result.unwrap()
        } else if task.arn == s.waiting {
            assert_eq!(find(OperationType::Wait).status, OperationStatus::Succeeded, "the wait's timer fired on the target");
            "1".to_string()
        } else {
            assert_eq!(task.arn, s.crashed);
            assert_eq!(task.invocation_number, 2, "the dead worker's invocation is taken over");
            "7".to_string()
        };
        engine.complete_invocation(&task.arn, &task.token, &output(InvocationStatus::Succeeded, Some(&result))).unwrap();
        ran.push(task.arn);
    }
    ran
}

/// Finishes every suspended execution on `engine`: the callback answered by its id, the invoke
/// target run and its caller resumed, the dead worker's invocation taken over, and — once the
/// clock has passed it — the wait's timer fired.
fn finish_all(engine: &Engine, clock: &clock::ManualClock, s: &Suspended) {
    engine.send_callback_success(&s.callback_id, Some("\"approved\"")).unwrap();
    let ran = run_due(engine, s);
    assert_eq!(ran.len(), 4, "callback, invoke target, its caller, the taken-over invocation: {ran:?}");
    assert!(!ran.contains(&s.waiting), "the wait is not due yet");
    clock.advance(3_600_000);
    assert_eq!(run_due(engine, s), vec![s.waiting.clone()]);
    for e in engine.list_executions(None, None).unwrap() {
        assert_eq!(e.status, ExecutionStatus::Succeeded, "{} finished", e.arn);
    }
}

#[tokio::test]
async fn suspended_executions_move_to_postgres_and_back_and_finish_there() {
    let clock = manual_clock();
    let file = temp_path("source.db");
    let source = engine_at(&file, &clock);
    let s = suspend_some(&source).await;
    let before = snapshot(&source);
    source.close();
    drop(source);

    // The dead worker's lease is still live now: the move is refused, naming it.
    let db = FreshDb::new();
    match migrate_at(&file, &db.url, clock.now_ms()) {
        Err(EngineError::MigrationSourceBusy { count, arn, host, .. }) => {
            assert_eq!((count, arn.as_str(), host.as_str()), (1, s.crashed.as_str(), "migrate-test-host"));
        }
        other => panic!("expected MigrationSourceBusy, got {other:?}"),
    }
    clock.advance(60_001);
    let report = migrate_at(&file, &db.url, clock.now_ms()).unwrap();
    let expected = MigrationReport {
        executions: before.len() as i64,
        running: before.iter().filter(|b| b.1.status == ExecutionStatus::Running).count() as i64,
        operations: before.iter().map(|b| b.2.len() as i64).sum(),
        events: before.iter().map(|b| b.3.len() as i64).sum(),
        timers: 2, // the wait and the callback's deadline
    };
    assert_eq!((expected.executions, expected.running), (6, 5), "three suspended, one abandoned, the invoke target, one done");
    assert_eq!(report, expected);
    assert_eq!(rows_in(&file), 6, "the source is only read");

    let pg = engine_at(&db.url, &clock);
    assert_eq!(snapshot(&pg), before, "records, operations and histories are equal on the target");
    finish_all(&pg, &clock, &s);
    // New executions get ids after the moved ones.
    let fresh = pg.start_execution("f", Some("after-the-move"), None).unwrap().execution.arn;
    assert!(pg.get_execution(&fresh).is_ok());
    let on_pg = snapshot(&pg);
    for (arn, _, _, history) in &before {
        let now = &on_pg.iter().find(|a| &a.0 == arn).unwrap().3;
        assert_eq!(&now[..history.len()], &history[..], "{arn}: the history goes on from where it was");
    }
    assert_eq!(pg.integrity_check().unwrap(), vec!["ok".to_string()]);
    pg.close();
    drop(pg);

    let back = temp_path("back.db");
    let report = migrate_at(&db.url, &back, clock.now_ms()).unwrap();
    assert_eq!(report.executions, on_pg.len() as i64);
    let sqlite = engine_at(&back, &clock);
    assert_eq!(snapshot(&sqlite), on_pg, "and back to a new SQLite file, equal again");
    sqlite.start_execution("f", Some("after-the-second-move"), None).unwrap();
    assert_eq!(sqlite.integrity_check().unwrap(), vec!["ok".to_string()]);
}

#[tokio::test]
async fn a_non_empty_target_is_refused_and_a_copy_that_fails_leaves_the_target_empty() {
    let clock = manual_clock();
    let file = temp_path("source.db");
    let source = engine_at(&file, &clock);
    for i in 0..700 {
        source.start_execution("f", Some(&format!("e{i}")), None).unwrap();
    }
    source.close();
    drop(source);

    let db = FreshDb::new();
    let occupied = Engine::open(&db.url, config()).unwrap();
    occupied.start_execution("g", Some("already-here"), None).unwrap();
    occupied.close();
    drop(occupied);
    match migrate_at(&file, &db.url, clock.now_ms()) {
        Err(EngineError::MigrationTargetNotEmpty { executions, .. }) => assert_eq!(executions, 1),
        other => panic!("expected MigrationTargetNotEmpty, got {other:?}"),
    }
    assert_eq!(rows_in(&db.url), 1);

    // An operation of the 650th execution (the second page) holds text where PostgreSQL has an
    // integer: the copy fails there, after the first page was written, and nothing stays.
    raw_sql(&file, "UPDATE operations SET start_ms = 'not a number' WHERE exec_id = 650");
    let empty = FreshDb::new();
    let e = migrate_at(&file, &empty.url, clock.now_ms()).unwrap_err();
    assert!(e.to_string().contains("operations.start_ms"), "{e}");
    assert_eq!(rows_in(&empty.url), 0, "all or nothing");

    // The same into a SQLite file migrate would create: the file is removed again.
    raw_sql(&file, "UPDATE operations SET start_ms = 5 WHERE exec_id = 650");
    raw_sql(&file, "UPDATE operations SET result = x'00ff' WHERE exec_id = 650");
    let target = temp_path("never.db");
    assert!(migrate_at(&file, &target, clock.now_ms()).is_err());
    assert!(!std::path::Path::new(&target).exists(), "no half-written file is left");
}

#[test]
fn bad_locations_are_one_clear_error_and_write_nothing() {
    let file = temp_path("source.db");
    drop(SqliteStorage::open(&file).unwrap());
    let missing = temp_path("missing.db");
    let err = |from: &str, to: &str| migrate_at(from, to, 0).unwrap_err();
    let server = std::env::var("DURABLE_NODE_TEST_PG").unwrap_or_else(|_| SERVER.to_string());
    let wrong_role = server.replacen("postgres://postgres@", "postgres://no_such_role_dn:hunter2@", 1);

    assert!(matches!(err(&missing, "postgres://x@127.0.0.1/y"), EngineError::DatabaseOpen { reason, .. } if reason == "no such file"));
    assert!(!std::path::Path::new(&missing).exists(), "a missing source is not created");
    assert!(matches!(err(&file, &file), EngineError::InvalidParameter { .. }));
    assert!(matches!(err(&file, ":memory:"), EngineError::InvalidParameter { .. }));
    for (url, expected) in [
        ("postgres://u:hunter2@127.0.0.1:notaport/x", "malformed PostgreSQL URL"),
        ("postgres://u:hunter2@127.0.0.1:1/x", "cannot reach the server"),
        (wrong_role.as_str(), "no_such_role_dn"),
    ] {
        let e = err(&file, url).to_string();
        assert!(e.contains(expected) && !e.contains("hunter2") && !e.contains('\n'), "{e}");
    }
    // Another application's SQLite file as the target: refused, and not changed.
    let foreign = temp_path("foreign.db");
    rusqlite_like_foreign(&foreign);
    let before = std::fs::read(&foreign).unwrap();
    assert!(matches!(err(&file, &foreign), EngineError::NotADatabase { .. }));
    assert_eq!(std::fs::read(&foreign).unwrap(), before);
}

/// A SQLite file of another application (a table of its own, no durable-node mark).
fn rusqlite_like_foreign(path: &str) {
    let store = SqliteStorage::open(&temp_path("scratch.db")).unwrap();
    store.conn_for_tests().execute_batch(&format!("ATTACH '{path}' AS other; CREATE TABLE other.invoices (id INTEGER); DETACH other;")).unwrap();
}
