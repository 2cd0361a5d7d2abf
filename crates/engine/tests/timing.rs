//! Not a test of behaviour: prints how long the engine spends per step checkpoint without the
//! napi layer. Run with `cargo test --release -p durable-engine --test timing -- --ignored --nocapture`.

mod common;

use common::*;
use durable_engine::*;

#[tokio::test]
#[ignore]
async fn checkpoint_cost() {
    for path in [":memory:".to_string(), temp_path("timing.db")] {
        let engine = Engine::open(&path, EngineConfig { skip_time: true, ..Default::default() }).unwrap();
        // A new execution every 2,000 steps: an execution may have at most 3,000 operations.
        let (per_execution, executions) = (2_000, 10);
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
        println!("{path}: {:.2} us per step checkpoint", elapsed.as_secs_f64() * 1e6 / (per_execution * executions) as f64);
    }
}
