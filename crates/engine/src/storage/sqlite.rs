//! `Storage` on SQLite (rusqlite, WAL): opening and checking the file, row mapping, and every
//! query but the run queue's (`sqlite_queue.rs`).

use std::path::Path;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row};

use super::sqlite_files::{truncate, write_problem, WalBound, BUSY_TIMEOUT, WAL_LIMIT_BYTES};
use super::sqlite_schema::{inspect, integrity, prepare};
use super::{Cell, DueTimer, ExecQuery, ExecRow, InvocationState, Lease, QueueGauges, Storage, StoredEvent, Table, TaskFilter};
use crate::error::{EngineError, Result};
use crate::history::Event;
use crate::model::{ErrorObject, ExecutionStatus, Operation, OperationStatus, OperationType, PauseState, TimerKind};

pub struct SqliteStorage {
    pub(super) conn: Connection,
    wal: WalBound,
}

macro_rules! exec_columns { () => { "id, arn, function_name, name, exec_op_id, input, status, result, error, start_ms, end_ms, timeout_s, change_seq, wake_ms, inv_count, inv_active, inv_owner, inv_pid, inv_lease_ms, inv_start_ms, inv_request_id, delivered_seq, failed_invocations, root_arn, parent_exec_id, parent_op_id, inv_host, deadline_ms, purge_ms, retention_days, pause" }; }
pub(super) use exec_columns;

/// The next number of the executions' change sequence (`Storage::execs_changed_since`). Writers
/// are serialized by the write transaction, so the numbers are unique and increasing.
macro_rules! next_change { () => { "(SELECT coalesce((SELECT change_no FROM executions INDEXED BY executions_change ORDER BY change_no DESC LIMIT 1), 0) + 1)" }; }

macro_rules! op_columns { () => { "id, parent_id, name, type, sub_type, status, start_ms, end_ms, input_payload, result, error, attempt, next_attempt_ms, scheduled_end_ms, replay_children, callback_id, wait_seconds, callback_timeout_s, callback_heartbeat_s, invoke_function, invoke_tenant" }; }
pub(super) use op_columns;

fn json_error(text: Option<String>) -> Option<ErrorObject> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

fn error_text(e: &Option<ErrorObject>) -> Option<String> {
    e.as_ref().map(|e| serde_json::to_string(e).unwrap_or_default())
}

pub(super) fn pause_text(p: &Option<PauseState>) -> Option<String> {
    p.as_ref().map(|p| serde_json::to_string(p).unwrap_or_default())
}

pub(super) fn json_pause(text: Option<String>) -> Option<PauseState> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

fn unknown(col: usize, text: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, format!("unknown value {text:?}").into())
}

pub(super) fn exec_from_row(r: &Row) -> rusqlite::Result<ExecRow> {
    let status: String = r.get(6)?;
    let active = r.get::<_, i64>(15)? != 0;
    let lease = if active {
        Some(Lease {
            owner: r.get::<_, Option<String>>(16)?.unwrap_or_default(),
            host: r.get(26)?,
            pid: r.get(17)?,
            expires_ms: r.get::<_, Option<i64>>(18)?.unwrap_or(0),
            started_ms: r.get::<_, Option<i64>>(19)?.unwrap_or(0),
            request_id: r.get::<_, Option<String>>(20)?.unwrap_or_default(),
        })
    } else {
        None
    };
    Ok(ExecRow {
        id: r.get(0)?,
        arn: r.get(1)?,
        function_name: r.get(2)?,
        name: r.get(3)?,
        exec_op_id: r.get(4)?,
        input: r.get(5)?,
        status: ExecutionStatus::parse(&status).map_err(|_| unknown(6, &status))?,
        result: r.get(7)?,
        error: json_error(r.get(8)?),
        start_ms: r.get(9)?,
        end_ms: r.get(10)?,
        timeout_s: r.get(11)?,
        change_seq: r.get(12)?,
        wake_ms: r.get(13)?,
        invocation: InvocationState { count: r.get(14)?, lease, delivered_seq: r.get(21)?, failed: r.get(22)? },
        root_arn: r.get(23)?,
        parent_exec_id: r.get(24)?,
        parent_op_id: r.get(25)?,
        deadline_ms: r.get(27)?,
        purge_ms: r.get(28)?,
        retention_days: r.get(29)?,
        pause: json_pause(r.get(30)?),
    })
}

/// Maps the op columns starting at column `o` of a row.
fn op_at(r: &Row, o: usize) -> rusqlite::Result<Operation> {
    let type_text: String = r.get(o + 3)?;
    let status_text: String = r.get(o + 5)?;
    Ok(Operation {
        id: r.get(o)?,
        parent_id: r.get(o + 1)?,
        name: r.get(o + 2)?,
        op_type: OperationType::parse(&type_text).map_err(|_| unknown(o + 3, &type_text))?,
        sub_type: r.get(o + 4)?,
        status: OperationStatus::parse(&status_text).map_err(|_| unknown(o + 5, &status_text))?,
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

fn op_from_row(r: &Row) -> rusqlite::Result<Operation> {
    op_at(r, 0)
}

impl SqliteStorage {
    /// Opens (creating if needed) a database file, or an in-memory one for ":memory:".
    /// Refuses a missing directory, a file or directory this process cannot write, and any file
    /// that is not a durable-node database, without writing to it.
    pub fn open(path: &str) -> Result<SqliteStorage> {
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
            if let Some(problem) = write_problem(p) {
                return Err(open_err(problem));
            }
            if !p.exists() {
                create_private_file(p).map_err(|e| open_err(e.to_string()))?;
            }
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let conn = Connection::open_with_flags(p, flags).map_err(|e| open_err(e.to_string()))?;
            // SQLite falls back to reading a file it may not write; the engine must write.
            if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
                return Err(open_err("the file is read-only to this process; the engine writes every checkpoint to it".into()));
            }
            conn
        };
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let found = inspect(&conn, path)?;
        if path != ":memory:" {
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Bounds the log file once a checkpoint has copied it back.
        conn.pragma_update(None, "journal_size_limit", WAL_LIMIT_BYTES as i64)?;
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        // rusqlite keeps 16 prepared statements by default; the engine uses more, and a
        // re-prepared statement costs more than the insert it runs.
        conn.set_prepared_statement_cache_capacity(128);
        prepare(&conn, found)?;
        Ok(SqliteStorage { conn, wal: WalBound::new(path) })
    }

    /// The size past which the writer truncates the -wal file; `None` leaves the log to
    /// SQLite's passive checkpoints (tests that show the unbounded growth).
    #[doc(hidden)]
    pub fn set_wal_limit(&self, limit: Option<u64>) {
        self.wal.set_limit(limit);
    }

    /// Raw access for tests that must build files the engine itself would never write.
    #[doc(hidden)]
    pub fn conn_for_tests(&self) -> &Connection {
        &self.conn
    }

    /// Stops the connection from copying the WAL back itself (a background thread does).
    pub(crate) fn disable_autocheckpoint(&self) -> Result<()> {
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(())
    }

    fn run(&self, sql: &str) -> Result<()> {
        self.conn.prepare_cached(sql)?.execute([])?;
        Ok(())
    }

    fn exec_query(&self, sql: &str, p: impl rusqlite::Params) -> Result<Vec<ExecRow>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(p, exec_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn ids(&self, sql: &str, now: i64, limit: i64) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![now, limit], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn op_query(&self, sql: &str, p: impl rusqlite::Params) -> Result<Vec<Operation>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(p, op_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Storage for SqliteStorage {
    fn begin_write(&self) -> Result<()> {
        self.run("BEGIN IMMEDIATE")
    }

    fn commit(&self) -> Result<()> {
        self.run("COMMIT")?;
        self.wal.after_commit(&self.conn);
        Ok(())
    }

    fn rollback(&self) {
        let _ = self.run("ROLLBACK");
    }

    fn savepoint(&self) -> Result<()> {
        self.run("SAVEPOINT request")
    }

    fn release_savepoint(&self) -> Result<()> {
        self.run("RELEASE request")
    }

    fn rollback_savepoint(&self) -> Result<()> {
        self.run("ROLLBACK TO request")?;
        self.run("RELEASE request")
    }

    fn exec_by_arn(&self, arn: &str) -> Result<Option<ExecRow>> {
        let mut stmt = self.conn.prepare_cached(concat!("SELECT ", exec_columns!(), " FROM executions WHERE arn = ?1"))?;
        Ok(stmt.query_row([arn], exec_from_row).optional()?)
    }

    fn exec_by_id(&self, id: i64) -> Result<ExecRow> {
        let mut stmt = self.conn.prepare_cached(concat!("SELECT ", exec_columns!(), " FROM executions WHERE id = ?1"))?;
        Ok(stmt.query_row([id], exec_from_row)?)
    }

    fn exec_by_name(&self, function_name: &str, name: &str) -> Result<Option<ExecRow>> {
        let sql = concat!("SELECT ", exec_columns!(), " FROM executions WHERE function_name = ?1 AND name = ?2");
        Ok(self.exec_query(sql, [function_name, name])?.pop())
    }

    fn execs_named(&self, name: &str) -> Result<Vec<ExecRow>> {
        self.exec_query(concat!("SELECT ", exec_columns!(), " FROM executions WHERE name = ?1"), [name])
    }

    fn list_execs(&self, status: Option<ExecutionStatus>, function_name: Option<&str>) -> Result<Vec<ExecRow>> {
        let sql = concat!("SELECT ", exec_columns!(), " FROM executions WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR function_name = ?2) ORDER BY start_ms, id");
        self.exec_query(sql, params![status.map(|s| s.as_str()), function_name])
    }

    fn insert_exec(&self, e: &ExecRow) -> Result<i64> {
        let mut stmt = self.conn.prepare_cached(concat!(
            "INSERT INTO executions (arn, function_name, name, exec_op_id, input, status, start_ms, timeout_s, wake_ms, root_arn, parent_exec_id, parent_op_id, deadline_ms, retention_days, change_no)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ", next_change!(), ")",
        ))?;
        stmt.execute(params![e.arn, e.function_name, e.name, e.exec_op_id, e.input, e.status.as_str(), e.start_ms, e.timeout_s, e.wake_ms, e.root_arn, e.parent_exec_id, e.parent_op_id, e.deadline_ms, e.retention_days])?;
        Ok(self.conn.last_insert_rowid())
    }

    fn update_exec(&self, e: &ExecRow) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(concat!(
            "UPDATE executions SET status = ?2, result = ?3, error = ?4, end_ms = ?5, change_seq = ?6, wake_ms = ?7,
             inv_count = ?8, inv_active = ?9, inv_owner = ?10, inv_pid = ?11, inv_lease_ms = ?12, inv_start_ms = ?13,
             inv_request_id = ?14, delivered_seq = ?15, failed_invocations = ?16, inv_host = ?17,
             deadline_ms = ?18, purge_ms = ?19, pause = ?20, change_no = ",
            next_change!(),
            " WHERE id = ?1"
        ))?;
        let inv = &e.invocation;
        let lease = inv.lease.as_ref();
        stmt.execute(params![
            e.id,
            e.status.as_str(),
            e.result,
            error_text(&e.error),
            e.end_ms,
            e.change_seq,
            e.wake_ms,
            inv.count,
            lease.is_some() as i64,
            lease.map(|l| &l.owner),
            lease.and_then(|l| l.pid),
            lease.map(|l| l.expires_ms),
            lease.map(|l| l.started_ms),
            lease.map(|l| &l.request_id),
            inv.delivered_seq,
            inv.failed,
            lease.and_then(|l| l.host.as_ref()),
            e.deadline_ms,
            e.purge_ms,
            pause_text(&e.pause),
        ])?;
        Ok(())
    }

    fn due_deadlines(&self, now: i64, limit: i64) -> Result<Vec<i64>> {
        self.ids("SELECT id FROM executions INDEXED BY executions_deadline WHERE deadline_ms IS NOT NULL AND deadline_ms <= ?1 ORDER BY deadline_ms LIMIT ?2", now, limit)
    }

    fn due_purges(&self, now: i64, limit: i64) -> Result<Vec<i64>> {
        self.ids("SELECT id FROM executions INDEXED BY executions_purge WHERE purge_ms IS NOT NULL AND purge_ms <= ?1 ORDER BY purge_ms LIMIT ?2", now, limit)
    }

    fn purge_exec(&self, exec_id: i64) -> Result<()> {
        for sql in [
            "DELETE FROM events WHERE exec_id = ?1",
            "DELETE FROM operations WHERE exec_id = ?1",
            "DELETE FROM timers WHERE exec_id = ?1",
            "DELETE FROM control_tokens WHERE exec_id = ?1",
            "DELETE FROM executions WHERE id = ?1",
        ] {
            self.conn.prepare_cached(sql)?.execute([exec_id])?;
        }
        Ok(())
    }

    fn control_token(&self, exec_id: i64, client_token: &str) -> Result<Option<(String, i64)>> {
        let mut stmt = self.conn.prepare_cached("SELECT digest, at_ms FROM control_tokens WHERE exec_id = ?1 AND client_token = ?2")?;
        Ok(stmt.query_row(params![exec_id, client_token], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
    }

    fn put_control_token(&self, exec_id: i64, client_token: &str, digest: &str, at_ms: i64) -> Result<()> {
        let mut stmt = self.conn.prepare_cached("INSERT OR REPLACE INTO control_tokens (exec_id, client_token, digest, at_ms) VALUES (?1, ?2, ?3, ?4)")?;
        stmt.execute(params![exec_id, client_token, digest, at_ms])?;
        Ok(())
    }

    fn renew_lease(&self, exec_id: i64, owner: &str, epoch: i64, expires_ms: i64) -> Result<bool> {
        let mut stmt = self.conn.prepare_cached(
            "UPDATE executions SET inv_lease_ms = ?4 WHERE id = ?1 AND inv_active = 1 AND inv_owner = ?2 AND inv_count = ?3",
        )?;
        Ok(stmt.execute(params![exec_id, owner, epoch, expires_ms])? == 1)
    }

    fn get_op(&self, exec_id: i64, id: &str) -> Result<Option<(Operation, i64)>> {
        let mut stmt =
            self.conn.prepare_cached(concat!("SELECT ", op_columns!(), ", seq FROM operations WHERE exec_id = ?1 AND id = ?2"))?;
        Ok(stmt.query_row(params![exec_id, id], |r| Ok((op_at(r, 0)?, r.get(21)?))).optional()?)
    }

    fn ops_in_order(&self, exec_id: i64) -> Result<Vec<Operation>> {
        self.op_query(concat!("SELECT ", op_columns!(), " FROM operations WHERE exec_id = ?1 ORDER BY seq"), [exec_id])
    }

    fn ops_changed_since(&self, exec_id: i64, change_seq: i64) -> Result<Vec<Operation>> {
        let sql = concat!("SELECT ", op_columns!(), " FROM operations WHERE exec_id = ?1 AND change_seq > ?2 ORDER BY seq");
        self.op_query(sql, params![exec_id, change_seq])
    }

    fn op_by_callback_id(&self, callback_id: &str) -> Result<Option<(i64, Operation, i64)>> {
        let mut stmt =
            self.conn.prepare_cached(concat!("SELECT exec_id, ", op_columns!(), ", seq FROM operations WHERE callback_id = ?1"))?;
        Ok(stmt.query_row([callback_id], |r| Ok((r.get(0)?, op_at(r, 1)?, r.get(22)?))).optional()?)
    }

    fn put_op(&self, exec_id: i64, op: &Operation, seq: i64, change_seq: i64) -> Result<()> {
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

    fn last_event_id(&self, exec_id: i64) -> Result<i64> {
        // ORDER BY … LIMIT 1 rather than max(): SQLite re-prepares the aggregate form on every
        // re-bind, which cost more than the rest of a step (PERF-PROFILE.md).
        let mut stmt = self.conn.prepare_cached("SELECT event_id FROM events WHERE exec_id = ?1 ORDER BY event_id DESC LIMIT 1")?;
        Ok(stmt.query_row([exec_id], |r| r.get(0)).optional()?.unwrap_or(0))
    }

    fn insert_event(&self, exec_id: i64, event_id: i64, event: &Event) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached("INSERT INTO events (exec_id, event_id, event_type, ts_ms, body) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        stmt.execute(params![exec_id, event_id, event.event_type.as_str(), event.timestamp_ms, event.body().to_string()])?;
        Ok(())
    }

    fn events(&self, exec_id: i64) -> Result<Vec<StoredEvent>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT event_id, event_type, ts_ms, body FROM events WHERE exec_id = ?1 ORDER BY event_id")?;
        let rows = stmt.query_map([exec_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn arm_timer(&self, exec_id: i64, op_id: &str, kind: TimerKind, due_ms: i64) -> Result<()> {
        let mut stmt =
            self.conn.prepare_cached("INSERT OR REPLACE INTO timers (exec_id, op_id, kind, due_ms) VALUES (?1, ?2, ?3, ?4)")?;
        stmt.execute(params![exec_id, op_id, kind.as_str(), due_ms])?;
        Ok(())
    }

    fn clear_timers(&self, exec_id: i64, op_id: &str) -> Result<()> {
        let mut stmt = self.conn.prepare_cached("DELETE FROM timers WHERE exec_id = ?1 AND op_id = ?2")?;
        stmt.execute(params![exec_id, op_id])?;
        Ok(())
    }

    fn clear_timer(&self, exec_id: i64, op_id: &str, kind: TimerKind) -> Result<bool> {
        let mut stmt = self.conn.prepare_cached("DELETE FROM timers WHERE exec_id = ?1 AND op_id = ?2 AND kind = ?3")?;
        Ok(stmt.execute(params![exec_id, op_id, kind.as_str()])? > 0)
    }

    fn end_op(&self, exec_id: i64, id: &str, status: OperationStatus, end_ms: i64, change_seq: i64) -> Result<()> {
        let mut stmt = self.conn.prepare_cached("UPDATE operations SET status = ?3, end_ms = ?4, change_seq = ?5 WHERE exec_id = ?1 AND id = ?2")?;
        stmt.execute(params![exec_id, id, status.as_str(), end_ms, change_seq])?;
        Ok(())
    }

    fn clear_exec_timers(&self, exec_id: i64) -> Result<()> {
        let mut stmt = self.conn.prepare_cached("DELETE FROM timers WHERE exec_id = ?1")?;
        stmt.execute([exec_id])?;
        Ok(())
    }

    fn due_timers(&self, now: i64, limit: i64) -> Result<Vec<DueTimer>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT exec_id, op_id, kind, due_ms FROM timers WHERE due_ms <= ?1 ORDER BY due_ms LIMIT ?2")?;
        let rows = stmt.query_map(params![now, limit], |r| {
            let kind: String = r.get(2)?;
            Ok(DueTimer { exec_id: r.get(0)?, op_id: r.get(1)?, kind: TimerKind::parse(&kind).ok_or_else(|| unknown(2, &kind))?, due_ms: r.get(3)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn next_due_executions(&self, filter: &TaskFilter, now: i64, limit: usize) -> Result<Vec<ExecRow>> {
        self.queue_next_due_executions(filter, now, limit)
    }

    fn takeover_candidates(&self, filter: &TaskFilter, owner: &str, host: Option<&str>, now: i64) -> Result<Vec<ExecRow>> {
        self.queue_takeover_candidates(filter, owner, host, now)
    }

    fn idle_state(&self, filter: &TaskFilter) -> Result<(Option<i64>, bool)> {
        Ok((self.queue_next_due_time(filter)?, self.queue_any_active(filter)?))
    }

    fn next_due_time(&self, filter: &TaskFilter) -> Result<Option<i64>> {
        self.queue_next_due_time(filter)
    }

    fn next_timer(&self, filter: &TaskFilter) -> Result<Option<DueTimer>> {
        self.queue_next_timer(filter)
    }

    fn query_execs(&self, q: &ExecQuery) -> Result<Vec<ExecRow>> {
        self.views_query_execs(q)
    }

    fn count_execs_by_status(&self) -> Result<Vec<(ExecutionStatus, i64)>> {
        self.views_count_by_status()
    }

    fn execs_changed_since(&self, since: i64, limit: usize) -> Result<Vec<(i64, ExecRow)>> {
        self.views_changed_since(since, limit)
    }

    fn last_exec_change(&self) -> Result<i64> {
        self.views_last_change()
    }

    fn events_page(&self, exec_id: i64, after: Option<i64>, limit: usize, reverse: bool) -> Result<Vec<StoredEvent>> {
        self.views_events_page(exec_id, after, limit, reverse)
    }

    fn queue_gauges(&self, now: i64) -> Result<QueueGauges> {
        self.views_queue_gauges(now)
    }

    fn set_synchronous_full(&self, full: bool) -> Result<()> {
        self.conn.pragma_update(None, "synchronous", if full { "FULL" } else { "NORMAL" })?;
        Ok(())
    }

    fn integrity_check(&self) -> Result<Vec<String>> {
        integrity(&self.conn)
    }

    fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn freeze(&self) -> Result<()> {
        // BEGIN IMMEDIATE holds the one write lock until the transaction ends.
        Ok(())
    }

    fn table_columns(&self, table: Table) -> Result<Vec<String>> {
        self.rows_columns(table)
    }

    fn export_rows(&self, table: Table, columns: &[String], from_exec: i64, to_exec: i64, limit: usize) -> Result<Vec<Vec<Cell>>> {
        self.rows_export(table, columns, from_exec, to_exec, limit)
    }

    fn import_rows(&self, table: Table, columns: &[String], rows: &[Vec<Cell>]) -> Result<()> {
        self.rows_import(table, columns, rows)
    }

    fn after_import(&self) -> Result<()> {
        // Ids and change numbers are the largest stored plus one.
        Ok(())
    }

    /// On close the log is copied back and emptied, so the database file alone holds every
    /// commit (a copy of it taken now is complete) even while the connection lingers.
    fn release(&self) {
        let _ = truncate(&self.conn);
    }
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
