//! SQLite storage of executions, operations, history events and timers. Owns the schema, the
//! file checks on open and the row mapping; it makes no protocol decisions.

use std::path::Path;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row};

use crate::error::{EngineError, Result};
use crate::history::Event;
use crate::model::{ErrorObject, Operation, OperationStatus, OperationType};

/// `PRAGMA application_id` of a durable-node database ("DNOD").
const APPLICATION_ID: i64 = 0x444E_4F44;
const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = "
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
";

pub struct Store {
    pub(crate) conn: Connection,
}

/// The columns of `executions` the engine reasons about.
#[derive(Debug, Clone)]
pub struct ExecRow {
    pub id: i64,
    pub arn: String,
    pub function_name: String,
    pub name: String,
    pub exec_op_id: String,
    pub input: Option<String>,
    pub status: String,
    pub result: Option<String>,
    pub error: Option<ErrorObject>,
    pub start_ms: i64,
    pub end_ms: Option<i64>,
    pub timeout_s: i64,
    pub change_seq: i64,
    pub wake_ms: Option<i64>,
    pub inv_count: i64,
    pub inv_active: bool,
    pub inv_owner: Option<String>,
    pub inv_pid: Option<i64>,
    pub inv_lease_ms: Option<i64>,
    pub inv_start_ms: Option<i64>,
    pub inv_request_id: Option<String>,
    pub delivered_seq: i64,
    pub failed_invocations: i64,
    /// The ARN of the top-level execution (itself, unless a chained invoke started it).
    pub root_arn: String,
    pub parent_exec_id: Option<i64>,
    pub parent_op_id: Option<String>,
}

macro_rules! exec_columns { () => { "id, arn, function_name, name, exec_op_id, input, status, result, error, start_ms, end_ms, timeout_s, change_seq, wake_ms, inv_count, inv_active, inv_owner, inv_pid, inv_lease_ms, inv_start_ms, inv_request_id, delivered_seq, failed_invocations, root_arn, parent_exec_id, parent_op_id" }; }
pub(crate) use exec_columns;


macro_rules! op_columns { () => { "id, parent_id, name, type, sub_type, status, start_ms, end_ms, input_payload, result, error, attempt, next_attempt_ms, scheduled_end_ms, replay_children, callback_id, wait_seconds, callback_timeout_s, callback_heartbeat_s, invoke_function, invoke_tenant" }; }

fn json_error(text: Option<String>) -> Option<ErrorObject> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

fn error_text(e: &Option<ErrorObject>) -> Option<String> {
    e.as_ref().map(|e| serde_json::to_string(e).unwrap_or_default())
}

pub(crate) fn exec_from_row(r: &Row) -> rusqlite::Result<ExecRow> {
    Ok(ExecRow {
        id: r.get(0)?,
        arn: r.get(1)?,
        function_name: r.get(2)?,
        name: r.get(3)?,
        exec_op_id: r.get(4)?,
        input: r.get(5)?,
        status: r.get(6)?,
        result: r.get(7)?,
        error: json_error(r.get(8)?),
        start_ms: r.get(9)?,
        end_ms: r.get(10)?,
        timeout_s: r.get(11)?,
        change_seq: r.get(12)?,
        wake_ms: r.get(13)?,
        inv_count: r.get(14)?,
        inv_active: r.get::<_, i64>(15)? != 0,
        inv_owner: r.get(16)?,
        inv_pid: r.get(17)?,
        inv_lease_ms: r.get(18)?,
        inv_start_ms: r.get(19)?,
        inv_request_id: r.get(20)?,
        delivered_seq: r.get(21)?,
        failed_invocations: r.get(22)?,
        root_arn: r.get(23)?,
        parent_exec_id: r.get(24)?,
        parent_op_id: r.get(25)?,
    })
}

fn op_from_row(r: &Row) -> rusqlite::Result<Operation> {
    op_at(r, 0)
}

impl Store {
    /// Opens (creating if needed) a database file, or an in-memory one for ":memory:".
    /// Refuses a missing directory and any file that is not a durable-node database, without
    /// writing to it.
    pub fn open(path: &str) -> Result<Store> {
        let open_err = |reason: String| EngineError::DatabaseOpen { path: path.to_string(), reason };
        let conn = if path == ":memory:" {
            Connection::open_in_memory().map_err(|e| open_err(e.to_string()))?
        } else {
            let p = Path::new(path);
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                if !dir.is_dir() {
                    return Err(open_err(format!("directory {} does not exist", dir.display())));
                }
            }
            if p.is_dir() {
                return Err(open_err("it is a directory".into()));
            }
            if !p.exists() {
                create_private_file(p).map_err(|e| open_err(e.to_string()))?;
            }
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let conn = Connection::open_with_flags(p, flags).map_err(|e| open_err(e.to_string()))?;
            conn
        };
        let store = Store { conn };
        store.check_or_init(path)?;
        Ok(store)
    }

    fn check_or_init(&self, path: &str) -> Result<()> {
        let not_db = |reason: String| EngineError::NotADatabase { path: path.to_string(), reason };
        let app_id: i64 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| not_db(e.to_string()))?;
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| not_db(e.to_string()))?;
        if app_id != APPLICATION_ID && (app_id != 0 || tables != 0) {
            return Err(not_db(format!("it is an SQLite database of another application (application_id {app_id})")));
        }
        if app_id == APPLICATION_ID {
            let version: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if version != SCHEMA_VERSION {
                return Err(not_db(format!("schema version {version}, this engine reads version {SCHEMA_VERSION}")));
            }
        }
        if path != ":memory:" {
            self.conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Bounds the log file once a checkpoint has copied it back.
        self.conn.pragma_update(None, "journal_size_limit", 67_108_864)?;
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        // rusqlite keeps 16 prepared statements by default; the engine uses more, and a
        // re-prepared statement costs more than the insert it runs.
        self.conn.set_prepared_statement_cache_capacity(128);
        self.conn.busy_timeout(std::time::Duration::from_secs(10))?;
        if app_id == 0 {
            let tx = self.conn.unchecked_transaction()?;
            tx.execute_batch(SCHEMA)?;
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Raw access for tests that must build files the engine itself would never write.
    #[doc(hidden)]
    pub fn conn_for_tests(&self) -> &Connection {
        &self.conn
    }

    pub fn set_synchronous_full(&self, full: bool) -> Result<()> {
        self.conn.pragma_update(None, "synchronous", if full { "FULL" } else { "NORMAL" })?;
        Ok(())
    }

    /// Changes whenever another connection commits: a cheap way to notice other processes.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    pub fn exec_by_arn(&self, arn: &str) -> Result<Option<ExecRow>> {
        let mut stmt = self.conn.prepare_cached(concat!("SELECT ", exec_columns!(), " FROM executions WHERE arn = ?1"))?;
        Ok(stmt.query_row([arn], exec_from_row).optional()?)
    }

    pub fn exec_by_id(&self, id: i64) -> Result<ExecRow> {
        let mut stmt = self.conn.prepare_cached(concat!("SELECT ", exec_columns!(), " FROM executions WHERE id = ?1"))?;
        Ok(stmt.query_row([id], exec_from_row)?)
    }

    pub fn exec_by_name(&self, function_name: &str, name: &str) -> Result<Option<ExecRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(concat!("SELECT ", exec_columns!(), " FROM executions WHERE function_name = ?1 AND name = ?2"))?;
        Ok(stmt.query_row([function_name, name], exec_from_row).optional()?)
    }

    /// Executions whose name is `name`, for any function (names are usually unique).
    pub fn execs_named(&self, name: &str) -> Result<Vec<ExecRow>> {
        let mut stmt = self.conn.prepare_cached(concat!("SELECT ", exec_columns!(), " FROM executions WHERE name = ?1"))?;
        let rows = stmt.query_map([name], exec_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn list_execs(&self, status: Option<&str>, function_name: Option<&str>) -> Result<Vec<ExecRow>> {
        let mut stmt = self.conn.prepare_cached(concat!("SELECT ", exec_columns!(), " FROM executions WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR function_name = ?2) ORDER BY start_ms, id"))?;
        let rows = stmt.query_map(params![status, function_name], exec_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn insert_exec(&self, e: &ExecRow) -> Result<i64> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO executions (arn, function_name, name, exec_op_id, input, status, start_ms, timeout_s, wake_ms, root_arn, parent_exec_id, parent_op_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        stmt.execute(params![e.arn, e.function_name, e.name, e.exec_op_id, e.input, e.status, e.start_ms, e.timeout_s, e.wake_ms, e.root_arn, e.parent_exec_id, e.parent_op_id])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Writes back every mutable column of an execution row.
    pub fn update_exec(&self, e: &ExecRow) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "UPDATE executions SET status = ?2, result = ?3, error = ?4, end_ms = ?5, change_seq = ?6, wake_ms = ?7,
             inv_count = ?8, inv_active = ?9, inv_owner = ?10, inv_pid = ?11, inv_lease_ms = ?12, inv_start_ms = ?13,
             inv_request_id = ?14, delivered_seq = ?15, failed_invocations = ?16 WHERE id = ?1",
        )?;
        stmt.execute(params![
            e.id,
            e.status,
            e.result,
            error_text(&e.error),
            e.end_ms,
            e.change_seq,
            e.wake_ms,
            e.inv_count,
            e.inv_active as i64,
            e.inv_owner,
            e.inv_pid,
            e.inv_lease_ms,
            e.inv_start_ms,
            e.inv_request_id,
            e.delivered_seq,
            e.failed_invocations,
        ])?;
        Ok(())
    }

    /// Extends the lease of an active invocation.
    pub fn renew_lease(&self, exec_id: i64, lease_ms: i64) -> Result<()> {
        let mut stmt = self.conn.prepare_cached("UPDATE executions SET inv_lease_ms = ?2 WHERE id = ?1")?;
        stmt.execute(params![exec_id, lease_ms])?;
        Ok(())
    }

    /// Extends the lease of invocation `number` of an execution if `owner` still holds it.
    pub fn renew_owned_lease(&self, exec_id: i64, owner: &str, number: i64, lease_ms: i64) -> Result<bool> {
        let mut stmt = self.conn.prepare_cached(
            "UPDATE executions SET inv_lease_ms = ?4 WHERE id = ?1 AND inv_active = 1 AND inv_owner = ?2 AND inv_count = ?3",
        )?;
        Ok(stmt.execute(params![exec_id, owner, number, lease_ms])? == 1)
    }

    /// Statements without parameters or results (transaction control), prepared once.
    pub fn run(&self, sql: &str) -> Result<()> {
        self.conn.prepare_cached(sql)?.execute([])?;
        Ok(())
    }

    pub fn savepoint(&self) -> Result<()> {
        self.run("SAVEPOINT request")
    }

    pub fn release_savepoint(&self) -> Result<()> {
        self.run("RELEASE request")
    }

    /// Undoes everything since `savepoint` and closes it.
    pub fn rollback_savepoint(&self) -> Result<()> {
        self.run("ROLLBACK TO request")?;
        self.run("RELEASE request")
    }

    /// Operations of an execution other than its EXECUTION record.
    pub fn count_ops(&self, exec_id: i64) -> Result<i64> {
        let mut stmt = self.conn.prepare_cached("SELECT count(*) FROM operations WHERE exec_id = ?1 AND type != 'EXECUTION'")?;
        Ok(stmt.query_row([exec_id], |r| r.get(0))?)
    }

    /// The id of the last event of an execution (0 when none).
    pub fn last_event_id(&self, exec_id: i64) -> Result<i64> {
        let mut stmt = self.conn.prepare_cached("SELECT coalesce(max(event_id), 0) FROM events WHERE exec_id = ?1")?;
        Ok(stmt.query_row([exec_id], |r| r.get(0))?)
    }

    /// A record and its start sequence.
    pub fn get_op_with_seq(&self, exec_id: i64, id: &str) -> Result<Option<(Operation, i64)>> {
        let mut stmt =
            self.conn.prepare_cached(concat!("SELECT ", op_columns!(), ", seq FROM operations WHERE exec_id = ?1 AND id = ?2"))?;
        Ok(stmt.query_row(params![exec_id, id], |r| Ok((op_at(r, 0)?, r.get(21)?))).optional()?)
    }

    pub fn get_op(&self, exec_id: i64, id: &str) -> Result<Option<Operation>> {
        let mut stmt = self.conn.prepare_cached(concat!("SELECT ", op_columns!(), " FROM operations WHERE exec_id = ?1 AND id = ?2"))?;
        Ok(stmt.query_row(params![exec_id, id], op_from_row).optional()?)
    }

    pub fn ops_in_order(&self, exec_id: i64) -> Result<Vec<Operation>> {
        let mut stmt = self.conn.prepare_cached(concat!("SELECT ", op_columns!(), " FROM operations WHERE exec_id = ?1 ORDER BY seq"))?;
        let rows = stmt.query_map([exec_id], op_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn ops_changed_since(&self, exec_id: i64, seq: i64) -> Result<Vec<Operation>> {
        let mut stmt = self.conn.prepare_cached(concat!("SELECT ", op_columns!(), " FROM operations WHERE exec_id = ?1 AND change_seq > ?2 ORDER BY seq"))?;
        let rows = stmt.query_map(params![exec_id, seq], op_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn op_by_callback_id(&self, callback_id: &str) -> Result<Option<(i64, Operation)>> {
        let mut stmt = self
            .conn
            .prepare_cached(concat!("SELECT exec_id, ", op_columns!(), " FROM operations WHERE callback_id = ?1"))?;
        let found = stmt
            .query_row([callback_id], |r| {
                Ok((r.get(0)?, op_at(r, 1)?))
            })
            .optional()?;
        Ok(found)
    }

    /// Inserts or replaces an operation record; `seq` is its start order, `change_seq` marks
    /// the change for delivery.
    pub fn put_op(&self, exec_id: i64, op: &Operation, seq: i64, change_seq: i64) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(concat!("INSERT OR REPLACE INTO operations (exec_id, seq, change_seq, ", op_columns!(), ")
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)"))?;
        stmt.execute(params![
            exec_id,
            seq,
            change_seq,
            op.id,
            op.parent_id,
            op.name,
            op.op_type.as_str(),
            op.sub_type,
            op.status.as_str(),
            op.start_ms,
            op.end_ms,
            op.input_payload,
            op.result,
            error_text(&op.error),
            op.attempt,
            op.next_attempt_ms,
            op.scheduled_end_ms,
            op.replay_children.map(|b| b as i64),
            op.callback_id,
            op.wait_seconds,
            op.callback_timeout_s,
            op.callback_heartbeat_s,
            op.invoke_function,
            op.invoke_tenant,
        ])?;
        Ok(())
    }

    pub fn op_seq_of(&self, exec_id: i64, id: &str) -> Result<Option<i64>> {
        let mut stmt = self.conn.prepare_cached("SELECT seq FROM operations WHERE exec_id = ?1 AND id = ?2")?;
        Ok(stmt.query_row(params![exec_id, id], |r| r.get(0)).optional()?)
    }

    pub fn insert_event(&self, exec_id: i64, event_id: i64, event: &Event) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached("INSERT INTO events (exec_id, event_id, event_type, ts_ms, body) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        stmt.execute(params![exec_id, event_id, event.event_type, event.timestamp_ms, event.body().to_string()])?;
        Ok(())
    }

    /// (event_id, event_type, ts_ms, body) in order.
    pub fn events(&self, exec_id: i64) -> Result<Vec<(i64, String, i64, String)>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT event_id, event_type, ts_ms, body FROM events WHERE exec_id = ?1 ORDER BY event_id")?;
        let rows = stmt.query_map([exec_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn arm_timer(&self, exec_id: i64, op_id: &str, kind: &str, due_ms: i64) -> Result<()> {
        let mut stmt =
            self.conn.prepare_cached("INSERT OR REPLACE INTO timers (exec_id, op_id, kind, due_ms) VALUES (?1, ?2, ?3, ?4)")?;
        stmt.execute(params![exec_id, op_id, kind, due_ms])?;
        Ok(())
    }

    pub fn clear_timers(&self, exec_id: i64, op_id: &str) -> Result<()> {
        let mut stmt = self.conn.prepare_cached("DELETE FROM timers WHERE exec_id = ?1 AND op_id = ?2")?;
        stmt.execute(params![exec_id, op_id])?;
        Ok(())
    }

    pub fn clear_timer(&self, exec_id: i64, op_id: &str, kind: &str) -> Result<()> {
        let mut stmt = self.conn.prepare_cached("DELETE FROM timers WHERE exec_id = ?1 AND op_id = ?2 AND kind = ?3")?;
        stmt.execute(params![exec_id, op_id, kind])?;
        Ok(())
    }

    pub fn clear_exec_timers(&self, exec_id: i64) -> Result<()> {
        let mut stmt = self.conn.prepare_cached("DELETE FROM timers WHERE exec_id = ?1")?;
        stmt.execute([exec_id])?;
        Ok(())
    }

    /// Timers due at or before `now`: (exec_id, op_id, kind, due_ms), oldest first.
    pub fn due_timers(&self, now: i64, limit: i64) -> Result<Vec<(i64, String, String, i64)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT exec_id, op_id, kind, due_ms FROM timers WHERE due_ms <= ?1 ORDER BY due_ms LIMIT ?2")?;
        let rows = stmt.query_map(params![now, limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Maps the `OP_COLUMNS` starting at column `o` of a row.
fn op_at(r: &Row, o: usize) -> rusqlite::Result<Operation> {
    let type_text: String = r.get(o + 3)?;
    let status_text: String = r.get(o + 5)?;
    let bad = |col: usize, text: &str| {
        rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, format!("unknown value {text:?}").into())
    };
    Ok(Operation {
        id: r.get(o)?,
        parent_id: r.get(o + 1)?,
        name: r.get(o + 2)?,
        op_type: OperationType::parse(&type_text).map_err(|_| bad(o + 3, &type_text))?,
        sub_type: r.get(o + 4)?,
        status: OperationStatus::parse(&status_text).map_err(|_| bad(o + 5, &status_text))?,
        start_ms: r.get(o + 6)?,
        end_ms: r.get(o + 7)?,
        input_payload: r.get(o + 8)?,
        result: r.get(o + 9)?,
        error: json_error(r.get(o + 10)?),
        attempt: r.get(o + 11)?,
        next_attempt_ms: r.get(o + 12)?,
        scheduled_end_ms: r.get(o + 13)?,
        replay_children: r.get::<_, Option<i64>>(o + 14)?.map(|v| v != 0),
        callback_id: r.get(o + 15)?,
        wait_seconds: r.get(o + 16)?,
        callback_timeout_s: r.get(o + 17)?,
        callback_heartbeat_s: r.get(o + 18)?,
        invoke_function: r.get(o + 19)?,
        invoke_tenant: r.get(o + 20)?,
    })
}

/// A new database is created owner-only (0600) before SQLite opens it; an existing file keeps
/// its permissions, so pointing --db at the wrong file changes nothing about it.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}
