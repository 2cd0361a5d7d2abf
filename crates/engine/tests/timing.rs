//! Not a test of behaviour: the engine's half of `npm run bench` (bench/run.ts runs it and reads
//! its `TIMING_JSON` line). Measures, on this machine and in this run, a raw single-row SQLite
//! WAL commit (synchronous=NORMAL, the physical floor of a step) and the engine's cost per step
//! checkpoint without napi, each in memory and on a file (and on PostgreSQL inside durable-test-pg). By hand:
//! `cargo test --release -p durable-engine --test timing -- --ignored --nocapture`.

mod common;

use common::*;
use durable_engine::*;

/// µs per commit of one small row, each in its own transaction.
fn raw_commit_us(path: &str, n: usize) -> f64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    if path != ":memory:" {
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    }
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.execute_batch("CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)").unwrap();
    let start = std::time::Instant::now();
    for i in 0..n {
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        conn.prepare_cached("INSERT INTO t (v) VALUES (?1)").unwrap().execute([format!("value {i}")]).unwrap();
        conn.execute_batch("COMMIT").unwrap();
    }
    start.elapsed().as_secs_f64() * 1e6 / n as f64
}

async fn engine_step_us(path: &str) -> f64 {
    let engine = Engine::open(path, EngineConfig { skip_time: true, ..Default::default() }).unwrap();
    // A new execution every 2,000 steps: an execution may have at most 3,000 operations.
    let (per_execution, executions) = (2_000, 5);
    let updates: Vec<Vec<OperationUpdate>> =
        (1..=per_execution).map(|i| vec![update(&i.to_string(), "STEP", "START"), succeed(&i.to_string(), "1")]).collect();
    let mut elapsed = std::time::Duration::ZERO;
    for _ in 0..executions {
        let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
        let mut token = next(&engine, &arn).await.unwrap().token;
        let start = std::time::Instant::now();
        for u in &updates {
            token = engine.checkpoint(&arn, &token, u).unwrap().token;
        }
        elapsed += start.elapsed();
    }
    elapsed.as_secs_f64() * 1e6 / (per_execution * executions) as f64
}

#[tokio::test]
#[ignore]
async fn checkpoint_cost() {
    let file = temp_path("timing.db");
    let raw_file = temp_path("raw.db");
    let raw_memory = raw_commit_us(":memory:", 20_000);
    let raw_file_us = raw_commit_us(&raw_file, 10_000);
    let step_memory = engine_step_us(":memory:").await;
    let step_file = engine_step_us(&file).await;
    println!("raw single-row commit: {raw_memory:.2} us in memory, {raw_file_us:.2} us on a WAL file");
    println!("engine per step checkpoint: {step_memory:.2} us in memory, {step_file:.2} us on a file");
    // On PostgreSQL too when the run has a database (inside durable-test-pg).
    let step_postgres = match postgres_db() {
        Some(_) => Some(engine_step_us(&fresh_location()).await),
        None => None,
    };
    if let Some(us) = step_postgres {
        println!("engine per step checkpoint on PostgreSQL: {us:.2} us");
    }
    println!(
        "TIMING_JSON {}",
        serde_json::json!({
            "rawCommitUs": { "memory": raw_memory, "file": raw_file_us },
            "engineStepUs": { "memory": step_memory, "file": step_file, "postgres": step_postgres },
        })
    );
}
