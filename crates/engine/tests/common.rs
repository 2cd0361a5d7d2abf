//! Shared helpers for the engine's integration tests: an engine on fresh storage, update
//! builders and a driver for one invocation.
//!
//! The backend is chosen per run: SQLite (in memory, or a temp file where engines share it) by
//! default; PostgreSQL with `DURABLE_ENGINE_BACKEND=postgres`, inside the harness that makes a
//! fresh database for the run (`durable-test-pg`, which sets `DURABLE_NODE_TEST_PG_DB`). Each
//! test then gets a schema of its own in that database, so tests stay as isolated as they are
//! in memory.

#![allow(dead_code)]

use durable_engine::*;

/// The run's PostgreSQL database, when the suite runs on PostgreSQL.
pub fn postgres_db() -> Option<String> {
    if std::env::var("DURABLE_ENGINE_BACKEND").as_deref() != Ok("postgres") {
        return None;
    }
    Some(std::env::var("DURABLE_NODE_TEST_PG_DB").expect(
        "DURABLE_ENGINE_BACKEND=postgres needs DURABLE_NODE_TEST_PG_DB: run the suite through the harness, \
         e.g. `cargo run -p durable-engine --bin durable-test-pg -- cargo test -p durable-engine` (see package.json test:engine-pg)",
    ))
}

/// A location no other test uses: in memory, or a new schema of the run's database.
pub fn fresh_location() -> String {
    match postgres_db() {
        Some(db) => format!("{db}?schema=t_{}", ids::random_id().replace('-', "")),
        None => ":memory:".to_string(),
    }
}

/// A location several engines of one test share: a temp file, or a new schema.
pub fn shared_location(name: &str) -> String {
    match postgres_db() {
        Some(_) => fresh_location(),
        None => temp_path(name),
    }
}

/// Runs SQL directly on a shared location (for states the engine would never write itself).
pub fn raw_sql(location: &str, sql: &str) {
    if storage::is_postgres_url(location) {
        storage::postgres_admin::execute(location, sql).unwrap();
    } else {
        storage::SqliteStorage::open(location).unwrap().conn_for_tests().execute_batch(sql).unwrap();
    }
}

pub fn engine(skip_time: bool) -> Engine {
    open(EngineConfig { skip_time, ..Default::default() })
}

/// An engine with `config` on a fresh location.
pub fn open(config: EngineConfig) -> Engine {
    Engine::open(&fresh_location(), config).unwrap()
}

fn storage_at(location: &str) -> Box<dyn storage::Storage> {
    if storage::is_postgres_url(location) {
        Box::new(storage::PgStorage::open(location).unwrap())
    } else {
        Box::new(storage::SqliteStorage::open(location).unwrap())
    }
}

/// Engines on one location sharing one manual clock, each with its own owner id (and host id,
/// when given): real second holders of the same invocations.
pub fn engines_on(location: &str, clock: &std::sync::Arc<clock::ManualClock>, configs: &[EngineConfig]) -> Vec<Engine> {
    configs.iter().map(|c| Engine::open_with(storage_at(location), clock.clone(), c.clone())).collect()
}

pub fn manual_clock() -> std::sync::Arc<clock::ManualClock> {
    std::sync::Arc::new(clock::ManualClock::new(1_700_000_000_000))
}

pub fn claim(engine: &Engine, function: &str) -> Option<Task> {
    let filter = TaskFilter { arn: None, functions: Some(vec![function.to_string()]) };
    engine.try_next_tasks(&filter, 1).unwrap().pop()
}

pub fn temp_path(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("durable-engine-test-{}-{}", std::process::id(), ids::random_id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name).to_string_lossy().to_string()
}

pub fn update(step_id: &str, op_type: &str, action: &str) -> OperationUpdate {
    OperationUpdate {
        id: ids::hash_step_id(step_id),
        op_type: op_type.into(),
        action: action.into(),
        sub_type: Some(match op_type {
            "WAIT" => "Wait".to_string(),
            "CONTEXT" => "RunInChildContext".to_string(),
            "CALLBACK" => "Callback".to_string(),
            _ => "Step".to_string(),
        }),
        ..Default::default()
    }
}

pub fn succeed(step_id: &str, payload: &str) -> OperationUpdate {
    OperationUpdate { payload: Some(payload.into()), ..update(step_id, "STEP", "SUCCEED") }
}

pub fn wait_start(step_id: &str, seconds: f64) -> OperationUpdate {
    OperationUpdate { wait_options: Some(WaitOptions { wait_seconds: Some(seconds) }), ..update(step_id, "WAIT", "START") }
}

pub fn output(status: InvocationStatus, result: Option<&str>) -> InvocationOutput {
    InvocationOutput { status, result: result.map(str::to_string), error: None }
}

pub async fn next(engine: &Engine, arn: &str) -> Option<Task> {
    let filter = TaskFilter { arn: Some(arn.to_string()), functions: None };
    tokio::time::timeout(std::time::Duration::from_secs(10), engine.next_task(&filter)).await.expect("next_task timed out").unwrap()
}

pub fn event_types(engine: &Engine, arn: &str) -> Vec<String> {
    engine.history(arn).unwrap().iter().map(|e| e["EventType"].as_str().unwrap().to_string()).collect()
}
