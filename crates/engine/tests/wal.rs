//! The write-ahead log stays bounded under continuous writes (issue 9): with the bound switched
//! off, SQLite's passive checkpoints (the engine's background thread) let the -wal file grow as
//! long as writes continue; with it, the writer truncates the log between transactions.

mod common;

use common::*;
use durable_engine::*;

/// Writes `bytes` of execution inputs; returns the largest -wal size seen after a write.
fn largest_wal(path: &str, limit: Option<u64>, bytes: usize) -> u64 {
    let engine = Engine::open(path, EngineConfig { wal_limit_bytes: limit, ..Default::default() }).unwrap();
    let input = format!("\"{}\"", "x".repeat(8 * 1024));
    let wal = format!("{path}-wal");
    let mut largest = 0;
    for i in 0..bytes / input.len() {
        engine.start_execution("f", Some(&format!("e-{i}")), Some(&input)).unwrap();
        largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
    }
    largest
}

const WRITTEN: usize = 32 * 1024 * 1024;
const MIB: u64 = 1024 * 1024;
/// Issue 9's promise: the -wal file stays at most 64 MiB under continuous load. The writer
/// truncates past 16 MiB, but a truncation that finds a reader in the way waits and retries, so
/// on a loaded machine the log may pass the 16 MiB mark before it is cut; the promise is 64.
const PROMISE: u64 = 64 * MIB;

#[test]
fn the_wal_is_truncated_while_writes_continue() {
    let largest = largest_wal(&temp_path("bounded.db"), Some(storage::WAL_LIMIT_BYTES), WRITTEN);
    assert!(largest <= PROMISE, "the -wal file reached {} MiB", largest / MIB);
}

#[test]
fn without_the_bound_the_wal_grows_with_the_writes() {
    let largest = largest_wal(&temp_path("unbounded.db"), None, WRITTEN);
    eprintln!("unbounded: {} MiB", largest / MIB);
    assert!(largest > PROMISE, "the -wal file stayed at {} MiB", largest / MIB);
}
