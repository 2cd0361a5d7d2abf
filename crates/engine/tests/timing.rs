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
        let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
        let task = next(&engine, &arn).await.unwrap();
        let n = 20_000;
        let updates: Vec<Vec<OperationUpdate>> = (1..=n).map(|i| vec![update(&i.to_string(), "STEP", "START"), succeed(&i.to_string(), "1")]).collect();
        let mut token = task.token;
        let start = std::time::Instant::now();
        for u in &updates {
            token = engine.checkpoint(&arn, &token, u).unwrap().token;
        }
        println!("{path}: {:.2} us per step checkpoint", start.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
}
