//! The SQLite schema and its versioned migrations. A new file gets the current schema; a file
//! of an older version is migrated in one transaction on open; a file of a newer version, or of
//! another application, is refused without being written. Also the file's integrity check.

use rusqlite::Connection;

use crate::error::{EngineError, Result};

/// `PRAGMA application_id` of a durable-node database ("DNOD").
pub(super) const APPLICATION_ID: i64 = 0x444E_4F44;
pub(super) const SCHEMA_VERSION: i64 = 4;

/// The indexes of the listing and change-feed reads (`sqlite_views.rs`), in new files and in
/// the migration to version 4 alike.
macro_rules! view_indexes { () => { "
CREATE INDEX executions_change ON executions(change_no);
CREATE INDEX executions_start ON executions(start_ms);
CREATE INDEX executions_function_start ON executions(function_name, start_ms);
CREATE INDEX executions_function_status ON executions(function_name, status, start_ms);
CREATE INDEX executions_name ON executions(name);
" }; }

const SCHEMA: &str = concat!("
CREATE TABLE executions (
  id INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  function_name TEXT NOT NULL,
  name TEXT NOT NULL,
  exec_op_id TEXT NOT NULL,
  input TEXT,
  status TEXT NOT NULL,
  result TEXT,
  error TEXT,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER,
  timeout_s INTEGER NOT NULL,
  change_seq INTEGER NOT NULL DEFAULT 0,
  wake_ms INTEGER,
  inv_count INTEGER NOT NULL DEFAULT 0,
  inv_active INTEGER NOT NULL DEFAULT 0,
  inv_owner TEXT,
  inv_pid INTEGER,
  inv_lease_ms INTEGER,
  inv_start_ms INTEGER,
  inv_request_id TEXT,
  delivered_seq INTEGER NOT NULL DEFAULT 0,
  failed_invocations INTEGER NOT NULL DEFAULT 0,
  root_arn TEXT NOT NULL,
  parent_exec_id INTEGER,
  parent_op_id TEXT,
  inv_host TEXT,
  change_no INTEGER NOT NULL DEFAULT 0,
  UNIQUE (function_name, name)
);
CREATE INDEX executions_wake ON executions(wake_ms) WHERE wake_ms IS NOT NULL;
CREATE INDEX executions_status ON executions(status, start_ms);
CREATE INDEX executions_active ON executions(inv_active) WHERE inv_active = 1;
CREATE TABLE operations (
  exec_id INTEGER NOT NULL REFERENCES executions(id),
  id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  change_seq INTEGER NOT NULL,
  parent_id TEXT,
  name TEXT,
  type TEXT NOT NULL,
  sub_type TEXT,
  status TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER,
  input_payload TEXT,
  result TEXT,
  error TEXT,
  attempt INTEGER,
  next_attempt_ms INTEGER,
  scheduled_end_ms INTEGER,
  replay_children INTEGER,
  callback_id TEXT,
  wait_seconds INTEGER,
  callback_timeout_s INTEGER,
  callback_heartbeat_s INTEGER,
  invoke_function TEXT,
  invoke_tenant TEXT,
  PRIMARY KEY (exec_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX operations_callback ON operations(callback_id) WHERE callback_id IS NOT NULL;
CREATE TABLE events (
  exec_id INTEGER NOT NULL REFERENCES executions(id),
  event_id INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  ts_ms INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (exec_id, event_id)
) WITHOUT ROWID;
CREATE TABLE timers (
  exec_id INTEGER NOT NULL REFERENCES executions(id),
  op_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  due_ms INTEGER NOT NULL,
  PRIMARY KEY (exec_id, op_id, kind)
) WITHOUT ROWID;
CREATE INDEX timers_due ON timers(due_ms);
", view_indexes!());

/// Migrations from version N to N+1, by N.
const MIGRATIONS: &[(i64, &str)] = &[
    // 3: the lease names the holder's host, so liveness by pid is only judged on that host.
    (2, "ALTER TABLE executions ADD COLUMN inv_host TEXT;"),
    // 4: a change number per execution row (the console's live list) and the indexes that make
    // listings by function, status, name prefix and start time pages rather than scans.
    (3, concat!("ALTER TABLE executions ADD COLUMN change_no INTEGER NOT NULL DEFAULT 0;
      UPDATE executions SET change_no = id;", view_indexes!())),
];

/// What an opened file holds, judged before anything is written to it.
pub(super) enum Found {
    Empty,
    Version(i64),
}

/// Refuses files of other applications and of newer or unknown versions, without writing.
pub(super) fn inspect(conn: &Connection, path: &str) -> Result<Found> {
    let not_db = |reason: String| EngineError::NotADatabase { path: path.to_string(), reason };
    // Only a file SQLite cannot read as a database is "not a database"; a file it cannot open
    // or lock (permissions, a read-only directory, I/O) is a failure to open it.
    let failed = |e: rusqlite::Error| {
        if is_damage(&e) {
            not_db(e.to_string())
        } else {
            EngineError::DatabaseOpen { path: path.to_string(), reason: e.to_string() }
        }
    };
    let app_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(failed)?;
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).map_err(failed)?;
    if app_id != APPLICATION_ID && (app_id != 0 || tables != 0) {
        return Err(not_db(format!("it is an SQLite database of another application (application_id {app_id})")));
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(failed)?;
    if app_id == 0 {
        // An empty file stamped with a version by someone else is theirs, not a new database.
        if version != 0 {
            return Err(not_db(format!("it is an SQLite database of another application (user_version {version}, no durable-node application_id)")));
        }
        return Ok(Found::Empty);
    }
    let migratable = MIGRATIONS.iter().any(|(from, _)| *from == version);
    if version != SCHEMA_VERSION && !migratable {
        return Err(not_db(format!("schema version {version}, this engine reads versions up to {SCHEMA_VERSION}")));
    }
    Ok(Found::Version(version))
}

/// Creates the schema in an empty database or migrates an older one, in one transaction.
pub(super) fn prepare(conn: &Connection, found: Found) -> Result<()> {
    if matches!(found, Found::Version(v) if v == SCHEMA_VERSION) {
        return Ok(());
    }
    // IMMEDIATE: two processes opening the same file at once create or migrate it once.
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let step = (|| -> Result<()> {
        let app_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        if app_id == 0 {
            conn.execute_batch(SCHEMA)?;
            conn.pragma_update(None, "application_id", APPLICATION_ID)?;
            conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
            return Ok(());
        }
        let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (from, sql) in MIGRATIONS.iter().filter(|(from, _)| *from >= current) {
            conn.execute_batch(sql)?;
            conn.pragma_update(None, "user_version", from + 1)?;
        }
        Ok(())
    })();
    match step {
        Ok(()) => Ok(conn.execute_batch("COMMIT")?),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// SQLite's integrity check as a list of problems (`["ok"]` when intact). A file damaged so
/// that the check itself stops (a table's root page unreadable) is still answered with problems,
/// one per table and index that cannot be checked, rather than with the storage error.
pub(super) fn integrity(conn: &Connection) -> Result<Vec<String>> {
    match pragma_rows(conn, "PRAGMA integrity_check") {
        Ok(rows) => Ok(rows),
        Err(e) if is_damage(&e) => {
            let mut problems = vec![format!("the check stopped: {e}")];
            let tables: Vec<String> = match pragma_rows(conn, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") {
                Ok(names) => names,
                Err(e) if is_damage(&e) => return Ok(vec![format!("the schema cannot be read: {e}")]),
                Err(e) => return Err(e.into()),
            };
            for table in tables {
                match pragma_rows(conn, &format!("PRAGMA integrity_check(\"{}\")", table.replace('"', "\"\""))) {
                    Ok(rows) if rows == ["ok"] => {}
                    Ok(rows) => problems.extend(rows.into_iter().map(|r| format!("table {table}: {r}"))),
                    Err(e) if is_damage(&e) => problems.push(format!("table {table}: {e}")),
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(problems)
        }
        Err(e) => Err(e.into()),
    }
}

fn pragma_rows(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.collect()
}

fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase))
}
