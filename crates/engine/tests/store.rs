//! The SQLite file: persistence across engines, and refusal of paths and files that are not
//! durable-node databases, without touching them.

mod common;

use common::*;
use durable_engine::*;

#[tokio::test]
async fn executions_survive_reopening_the_file() {
    let path = temp_path("persist.db");
    let arn = {
        let engine = Engine::open(&path, EngineConfig::default()).unwrap();
        let arn = engine.start_execution("f", Some("keep"), Some("{}")).unwrap().execution.arn;
        let task = next(&engine, &arn).await.unwrap();
        let out = engine.checkpoint(&arn, &task.token, &[wait_start("1", 3600.0)]).unwrap();
        engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Pending, None)).unwrap();
        arn
    };
    let engine = Engine::open(&path, EngineConfig::default()).unwrap();
    let exec = engine.get_execution("keep").unwrap();
    assert_eq!(exec.arn, arn);
    assert_eq!(exec.status, ExecutionStatus::Running);
    let ops = engine.operations(&arn).unwrap();
    let wait = ops.iter().find(|o| o.op_type == OperationType::Wait).unwrap();
    assert_eq!(wait.scheduled_end_ms.unwrap() - wait.start_ms, 3_600_000, "the due time is stored");
    assert_eq!(engine.list_executions(Some("RUNNING"), None).unwrap().len(), 1);
    assert!(engine.list_executions(Some("BOGUS"), None).is_err());
}

#[test]
fn a_missing_directory_is_refused() {
    let path = std::env::temp_dir().join("no-such-dir-durable").join("x.db");
    match Engine::open(path.to_str().unwrap(), EngineConfig::default()) {
        Err(EngineError::DatabaseOpen { reason, .. }) => assert!(reason.contains("does not exist"), "{reason}"),
        Err(other) => panic!("unexpected {other:?}"),
        Ok(_) => panic!("opened a database in a missing directory"),
    }
    assert!(!path.exists());
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let path = temp_path("notes.txt");
    let content = "these are my notes, not a database\n".repeat(200);
    std::fs::write(&path, &content).unwrap();
    assert!(matches!(Engine::open(&path, EngineConfig::default()), Err(EngineError::NotADatabase { .. })));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
}

#[test]
fn another_applications_database_is_refused_and_left_alone() {
    let path = temp_path("other.db");
    // A valid SQLite file with tables, but stamped with another application id.
    drop(Engine::open(&path, EngineConfig::default()).unwrap());
    storage::SqliteStorage::open(&path).unwrap().conn_for_tests().execute_batch("PRAGMA application_id = 7;").unwrap();
    let before = std::fs::read(&path).unwrap();
    match Engine::open(&path, EngineConfig::default()) {
        Err(EngineError::NotADatabase { reason, .. }) => assert!(reason.contains("another application"), "{reason}"),
        other => panic!("unexpected {:?}", other.err()),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn an_empty_database_of_another_application_is_refused_and_left_alone() {
    // No tables and no application id, but a user_version: someone else's file, prepared empty.
    let path = temp_path("theirs.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA user_version = 3;").unwrap();
    drop(conn);
    let before = std::fs::read(&path).unwrap();
    match Engine::open(&path, EngineConfig::default()) {
        Err(EngineError::NotADatabase { reason, .. }) => assert!(reason.contains("user_version 3"), "{reason}"),
        other => panic!("unexpected {:?}", other.err()),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // Stamped with another application id and nothing else: refused too.
    let path = temp_path("stamped.db");
    rusqlite::Connection::open(&path).unwrap().execute_batch("PRAGMA application_id = 1234;").unwrap();
    match Engine::open(&path, EngineConfig::default()) {
        Err(EngineError::NotADatabase { reason, .. }) => assert!(reason.contains("application_id 1234"), "{reason}"),
        other => panic!("unexpected {:?}", other.err()),
    }
}

#[test]
fn settings_out_of_range_are_refused_naming_the_setting() {
    let path = temp_path("settings.db");
    match Engine::open(&path, EngineConfig { page_size: 0, ..Default::default() }) {
        Err(EngineError::InvalidParameter { field, value, reason }) => {
            assert_eq!((field.as_str(), value.as_str()), ("pageSize", "0"));
            assert!(reason.contains("from 1 to 1000"), "{reason}");
        }
        other => panic!("unexpected {:?}", other.err()),
    }
    assert!(!std::path::Path::new(&path).exists(), "nothing was created");
}

#[test]
fn the_database_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let path = temp_path("private.db");
    let _engine = Engine::open(&path, EngineConfig::default()).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[tokio::test]
async fn a_version_2_database_is_migrated_in_place_keeping_its_executions() {
    let path = temp_path("v2.db");
    let arn = {
        let engine = Engine::open(&path, EngineConfig::default()).unwrap();
        engine.start_execution("orders", Some("old"), Some("1")).unwrap().execution.arn
    };
    // What a version 2 file looks like: no host column, no change numbers or listing
    // indexes, user_version 2.
    let old = storage::SqliteStorage::open(&path).unwrap();
    old.conn_for_tests()
        .execute_batch(
            "DROP INDEX executions_change; DROP INDEX executions_start; DROP INDEX executions_function_start;
             DROP INDEX executions_function_status; DROP INDEX executions_name;
             ALTER TABLE executions DROP COLUMN change_no; ALTER TABLE executions DROP COLUMN inv_host; PRAGMA user_version = 2;",
        )
        .unwrap();
    drop(old);
    let engine = Engine::open(&path, EngineConfig::default()).unwrap();
    assert_eq!(engine.get_execution(&arn).unwrap().name, "old");
    let task = next(&engine, &arn).await.unwrap();
    assert_eq!(task.invocation_number, 1, "the migrated file takes leases with a host");
    let version: i64 = storage::SqliteStorage::open(&path).unwrap().conn_for_tests().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 4);
    // Version 4's change feed numbers the migrated rows and the ones changed since.
    let changes = engine.execution_changes(0, 10).unwrap();
    assert_eq!(changes.last().unwrap().execution.arn, arn);
    assert!(changes.last().unwrap().change_no > 1, "the claim after the migration took a new change number");
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let path = temp_path("v9.db");
    drop(Engine::open(&path, EngineConfig::default()).unwrap());
    storage::SqliteStorage::open(&path).unwrap().conn_for_tests().execute_batch("PRAGMA user_version = 9;").unwrap();
    let before = std::fs::read(&path).unwrap();
    match Engine::open(&path, EngineConfig::default()) {
        Err(EngineError::NotADatabase { reason, .. }) => assert!(reason.contains("schema version 9"), "{reason}"),
        other => panic!("unexpected {:?}", other.err()),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
}
