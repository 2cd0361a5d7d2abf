//! Shared helpers for the engine's integration tests: an engine on a temp file or in memory,
//! update builders and a driver for one invocation.

#![allow(dead_code)]

use durable_engine::*;

pub fn engine(skip_time: bool) -> Engine {
    Engine::open(":memory:", EngineConfig { skip_time, ..Default::default() }).unwrap()
}

/// Engines on one file sharing one manual clock, each with its own owner id (and host id,
/// when given): real second holders of the same invocations.
pub fn engines_on(path: &str, clock: &std::sync::Arc<clock::ManualClock>, configs: &[EngineConfig]) -> Vec<Engine> {
    configs
        .iter()
        .map(|c| Engine::open_with(Box::new(storage::SqliteStorage::open(path).unwrap()), clock.clone(), c.clone()))
        .collect()
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
