//! `PRAGMA integrity_check` through the engine: an intact file answers "ok", a file with
//! damaged pages answers with SQLite's list of problems (it still opens).

mod common;

use common::*;
use durable_engine::*;

fn fill(path: &str, n: usize) {
    let engine = Engine::open(path, EngineConfig::default()).unwrap();
    for i in 0..n {
        let input = format!("{{\"n\":{i},\"pad\":\"{}\"}}", "x".repeat(200));
        engine.start_execution("f", Some(&format!("e-{i}")), Some(&input)).unwrap();
    }
    assert_eq!(engine.integrity_check().unwrap(), vec!["ok".to_string()]);
    engine.close();
}

#[test]
fn an_intact_database_is_ok() {
    let path = temp_path("intact.db");
    fill(&path, 50);
    let engine = Engine::open(&path, EngineConfig::default()).unwrap();
    assert_eq!(engine.integrity_check().unwrap(), vec!["ok".to_string()]);
    assert_eq!(Engine::open(":memory:", EngineConfig::default()).unwrap().integrity_check().unwrap(), vec!["ok".to_string()]);
}

#[test]
fn damaged_pages_are_reported() {
    let path = temp_path("damaged.db");
    fill(&path, 300);
    // Every engine is closed and dropped: the WAL has been copied back into the main file.
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    let pages = bytes.len() / page;
    assert!(pages > 8, "the file spans several pages ({pages})");
    // Page 1 (header and schema) stays intact so the file still opens; the rest is scribbled on.
    for p in 2..pages {
        for b in &mut bytes[p * page + 8..p * page + 64] {
            *b = 0xA5;
        }
    }
    std::fs::write(&path, &bytes).unwrap();
    let engine = Engine::open(&path, EngineConfig::default()).unwrap();
    let problems = engine.integrity_check().unwrap();
    assert_ne!(problems, vec!["ok".to_string()]);
    assert!(!problems.is_empty());
}

#[test]
fn a_table_page_that_stops_the_check_is_reported_as_damage() {
    let path = temp_path("unreadable.db");
    fill(&path, 300);
    // Page 2 is the root of the first table: overwritten whole, SQLite's check itself fails
    // with "database disk image is malformed" instead of listing problems.
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    bytes[page..2 * page].fill(0xFF);
    std::fs::write(&path, &bytes).unwrap();
    let engine = Engine::open(&path, EngineConfig::default()).unwrap();
    let problems = engine.integrity_check().expect("damage is a report, not a storage error");
    assert!(problems[0].contains("the check stopped") && problems[0].contains("malformed"), "{problems:?}");
    assert!(problems[1..].iter().any(|p| p.starts_with("table ")), "the damaged table is named: {problems:?}");
}
