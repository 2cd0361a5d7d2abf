//! `Storage` on PostgreSQL: every query but the run queue's (postgres_queue.rs); rows become
//! records in postgres_map.rs. Same columns and meaning as SQLite's (sqlite.rs). Inside a write
//! transaction every read of an execution row locks it (`FOR UPDATE`, see postgres.rs), and a
//! callback's operation is read only after its execution is locked, so what the engine decides
//! from it cannot be changed under it by another worker.

use super::postgres::PgStorage;
use super::postgres_cache::CachedOp;
use super::postgres_map::{error_text, exec_from_row, get, op_at};
use super::postgres_pipeline::owned;
use super::sqlite::{exec_columns, op_columns};
use super::{Cell, DueKinds, DueTimer, ExecQuery, ExecRow, Probe, QueueGauges, Storage, StoredEvent, Table, TaskFilter};
use crate::error::{EngineError, Result};
use crate::history::Event;
use crate::model::{ExecutionStatus, Operation, OperationStatus, TimerKind};

macro_rules! exec_select { ($where:literal) => { concat!("SELECT ", exec_columns!(), " FROM executions WHERE ", $where) }; }
/// A locking read of execution rows, each with its last history event id (for the cache: the
/// transaction will append events, and need not ask for it again).
macro_rules! exec_lock {
    ($where:literal) => { concat!("SELECT ", exec_columns!(), ", (SELECT max(event_id) FROM events WHERE events.exec_id = executions.id) FROM executions WHERE ", $where) };
}
pub(super) use exec_lock;

impl PgStorage {
    /// Runs an `exec_lock!` query: the rows are remembered for the rest of the transaction.
    pub(super) fn locked_execs(&self, sql: &str, params: &[&(dyn tokio_postgres::types::ToSql + Sync)]) -> Result<Vec<ExecRow>> {
        self.query(sql, params)?
            .iter()
            .map(|r| {
                let exec = exec_from_row(r)?;
                let last: Option<i64> = get(r, r.len() - 1)?;
                self.rows.put(&exec);
                self.rows.set_last_event(exec.id, last.unwrap_or(0));
                Ok(exec)
            })
            .collect()
    }

    pub(super) fn execs(&self, sql: &str, params: &[&(dyn tokio_postgres::types::ToSql + Sync)]) -> Result<Vec<ExecRow>> {
        self.query(sql, params)?.iter().map(exec_from_row).collect()
    }

    /// The plain or the locking form of a query, by whether a write transaction is open.
    pub(super) fn pick(&self, plain: &'static str, locking: &'static str) -> &'static str {
        if self.locking() {
            locking
        } else {
            plain
        }
    }

    fn ops(&self, sql: &str, params: &[&(dyn tokio_postgres::types::ToSql + Sync)]) -> Result<Vec<Operation>> {
        self.query(sql, params)?.iter().map(|r| op_at(r, 0)).collect()
    }
}

impl Storage for PgStorage {
    fn begin_write(&self) -> Result<()> {
        self.begin()
    }

    fn commit(&self) -> Result<()> {
        self.commit_tx()
    }

    fn rollback(&self) {
        self.rollback_tx()
    }

    fn savepoint(&self) -> Result<()> {
        PgStorage::savepoint(self)
    }

    fn release_savepoint(&self) -> Result<()> {
        PgStorage::release_savepoint(self)
    }

    fn rollback_savepoint(&self) -> Result<()> {
        PgStorage::rollback_savepoint(self)
    }

    fn exec_by_arn(&self, arn: &str) -> Result<Option<ExecRow>> {
        if self.locking() {
            if let Some(row) = self.rows.by_arn(arn) {
                return Ok(Some(row));
            }
            return Ok(self.locked_execs(exec_lock!("arn = $1 FOR UPDATE"), &[&arn])?.pop());
        }
        Ok(self.execs(exec_select!("arn = $1"), &[&arn])?.pop())
    }

    fn prefetch_execs(&self, arns: &[&str]) -> Result<()> {
        let missing: Vec<&str> = arns.iter().copied().filter(|a| !self.rows.has_arn(a)).collect();
        if !self.locking() || missing.len() < 2 {
            return Ok(());
        }
        // In id order, as every other multi-row lock is taken, so two workers never deadlock.
        self.locked_execs(exec_lock!("arn = ANY($1) ORDER BY id FOR UPDATE"), &[&missing]).map(|_| ())
    }

    fn prefetch_exec_ids(&self, ids: &[i64]) -> Result<()> {
        let mut missing: Vec<i64> = ids.iter().copied().filter(|id| self.rows.by_id(*id).is_none()).collect();
        missing.sort_unstable();
        missing.dedup();
        if !self.locking() || missing.len() < 2 {
            return Ok(());
        }
        self.locked_execs(exec_lock!("id = ANY($1) ORDER BY id FOR UPDATE"), &[&missing]).map(|_| ())
    }

    fn exec_by_id(&self, id: i64) -> Result<ExecRow> {
        let rows = if self.locking() {
            if let Some(row) = self.rows.by_id(id) {
                return Ok(row);
            }
            self.locked_execs(exec_lock!("id = $1 FOR UPDATE"), &[&id])?
        } else {
            self.execs(exec_select!("id = $1"), &[&id])?
        };
        rows.into_iter().next().ok_or_else(|| EngineError::Storage(format!("execution row {id} is missing")))
    }

    fn exec_by_name(&self, function_name: &str, name: &str) -> Result<Option<ExecRow>> {
        let sql = self.pick(exec_select!("function_name = $1 AND name = $2"), exec_select!("function_name = $1 AND name = $2 FOR UPDATE"));
        Ok(self.execs(sql, &[&function_name, &name])?.pop())
    }

    fn execs_named(&self, name: &str) -> Result<Vec<ExecRow>> {
        let sql = self.pick(exec_select!("name = $1 ORDER BY id"), exec_select!("name = $1 ORDER BY id FOR UPDATE"));
        self.execs(sql, &[&name])
    }

    fn list_execs(&self, status: Option<ExecutionStatus>, function_name: Option<&str>) -> Result<Vec<ExecRow>> {
        let sql = exec_select!("($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR function_name = $2) ORDER BY start_ms, id");
        self.execs(sql, &[&status.map(|s| s.as_str()), &function_name])
    }

    fn insert_exec(&self, e: &ExecRow) -> Result<i64> {
        let rows = self.query(
            "INSERT INTO executions (arn, function_name, name, exec_op_id, input, status, start_ms, timeout_s, wake_ms, root_arn, parent_exec_id, parent_op_id, deadline_ms, retention_days, change_no)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, nextval('executions_change_no')) RETURNING id",
            &[&e.arn, &e.function_name, &e.name, &e.exec_op_id, &e.input, &e.status.as_str(), &e.start_ms, &e.timeout_s, &e.wake_ms, &e.root_arn, &e.parent_exec_id, &e.parent_op_id, &e.deadline_ms, &e.retention_days],
        )?;
        self.notify_at_commit();
        get(rows.first().ok_or_else(|| EngineError::Storage("INSERT returned no id".into()))?, 0)
    }

    fn update_exec(&self, e: &ExecRow) -> Result<()> {
        let inv = &e.invocation;
        let lease = inv.lease.as_ref();
        if self.locking() {
            self.rows.put(e);
        }
        self.defer(
            "UPDATE executions SET status = $2, result = $3, error = $4, end_ms = $5, change_seq = $6, wake_ms = $7,
             inv_count = $8, inv_active = $9, inv_owner = $10, inv_pid = $11, inv_lease_ms = $12, inv_start_ms = $13,
             inv_request_id = $14, delivered_seq = $15, failed_invocations = $16, inv_host = $17,
             deadline_ms = $18, purge_ms = $19, pause = $20, change_no = nextval('executions_change_no') WHERE id = $1",
            owned![
                e.id,
                e.status.as_str(),
                e.result.clone(),
                error_text(&e.error),
                e.end_ms,
                e.change_seq,
                e.wake_ms,
                inv.count,
                lease.is_some() as i64,
                lease.map(|l| l.owner.clone()),
                lease.and_then(|l| l.pid),
                lease.map(|l| l.expires_ms),
                lease.map(|l| l.started_ms),
                lease.map(|l| l.request_id.clone()),
                inv.delivered_seq,
                inv.failed,
                lease.and_then(|l| l.host.clone()),
                e.deadline_ms,
                e.purge_ms,
                super::sqlite::pause_text(&e.pause),
            ],
        )?;
        // Due now or later, or finished (a driver waiting for its end must hear of it).
        if e.wake_ms.is_some() || e.status != ExecutionStatus::Running || e.purge_ms.is_some() {
            self.notify_at_commit();
        }
        Ok(())
    }

    fn due_deadlines(&self, now: i64, limit: i64) -> Result<Vec<i64>> {
        let sql = "SELECT id FROM executions WHERE deadline_ms IS NOT NULL AND deadline_ms <= $1 ORDER BY deadline_ms LIMIT $2";
        self.query(sql, &[&now, &limit])?.iter().map(|r| get(r, 0)).collect()
    }

    fn due_purges(&self, now: i64, limit: i64) -> Result<Vec<i64>> {
        let sql = "SELECT id FROM executions WHERE purge_ms IS NOT NULL AND purge_ms <= $1 ORDER BY purge_ms LIMIT $2";
        self.query(sql, &[&now, &limit])?.iter().map(|r| get(r, 0)).collect()
    }

    fn purge_exec(&self, exec_id: i64) -> Result<()> {
        self.rows.forget(exec_id);
        // Sent now, not queued: unsent events of this transaction go after its queued writes
        // (postgres_pipeline.rs EventRows), and must not outlive the purge.
        self.execute("DELETE FROM events WHERE exec_id = $1", &[&exec_id])?;
        for sql in [
            "DELETE FROM operations WHERE exec_id = $1",
            "DELETE FROM timers WHERE exec_id = $1",
            "DELETE FROM control_tokens WHERE exec_id = $1",
            "DELETE FROM executions WHERE id = $1",
        ] {
            self.defer(sql, owned![exec_id])?;
        }
        Ok(())
    }

    fn control_token(&self, exec_id: i64, client_token: &str) -> Result<Option<(String, i64)>> {
        let sql = "SELECT digest, at_ms FROM control_tokens WHERE exec_id = $1 AND client_token = $2";
        match self.query_opt(sql, &[&exec_id, &client_token])? {
            Some(r) => Ok(Some((get(&r, 0)?, get(&r, 1)?))),
            None => Ok(None),
        }
    }

    fn put_control_token(&self, exec_id: i64, client_token: &str, digest: &str, at_ms: i64) -> Result<()> {
        self.defer(
            "INSERT INTO control_tokens (exec_id, client_token, digest, at_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (exec_id, client_token) DO UPDATE SET digest = EXCLUDED.digest, at_ms = EXCLUDED.at_ms",
            owned![exec_id, client_token.to_string(), digest.to_string(), at_ms],
        )
    }

    fn renew_lease(&self, exec_id: i64, owner: &str, epoch: i64, expires_ms: i64) -> Result<bool> {
        self.rows.forget(exec_id);
        let sql = "UPDATE executions SET inv_lease_ms = $4 WHERE id = $1 AND inv_active = 1 AND inv_owner = $2 AND inv_count = $3";
        Ok(self.execute(sql, &[&exec_id, &owner, &epoch, &expires_ms])? == 1)
    }

    fn get_op(&self, exec_id: i64, id: &str) -> Result<Option<(Operation, i64)>> {
        if let Some(found) = self.rows.op(exec_id, id).filter(|_| self.locking()) {
            return Ok(found);
        }
        let sql = concat!("SELECT ", op_columns!(), ", seq FROM operations WHERE exec_id = $1 AND id = $2");
        match self.query_opt(sql, &[&exec_id, &id])? {
            Some(r) => Ok(Some((op_at(&r, 0)?, get(&r, 21)?))),
            None => Ok(None),
        }
    }

    fn ops_in_order(&self, exec_id: i64) -> Result<Vec<Operation>> {
        if let Some(ops) = self.rows.ops(exec_id).filter(|_| self.locking()) {
            return Ok(ops);
        }
        self.ops(concat!("SELECT ", op_columns!(), " FROM operations WHERE exec_id = $1 ORDER BY seq"), &[&exec_id])
    }

    fn prefetch_ops(&self, exec_ids: &[i64]) -> Result<()> {
        if !self.locking() || exec_ids.len() < 2 {
            return Ok(());
        }
        let sql = concat!("SELECT ", op_columns!(), ", seq, change_seq, exec_id FROM operations WHERE exec_id = ANY($1) ORDER BY exec_id, seq");
        let mut by_exec: std::collections::HashMap<i64, Vec<CachedOp>> = exec_ids.iter().map(|id| (*id, Vec::new())).collect();
        for r in self.query(sql, &[&exec_ids])? {
            let exec_id: i64 = get(&r, 23)?;
            by_exec.entry(exec_id).or_default().push(CachedOp { op: op_at(&r, 0)?, seq: get(&r, 21)?, change_seq: get(&r, 22)? });
        }
        for (exec_id, ops) in by_exec {
            self.rows.set_ops(exec_id, ops);
        }
        Ok(())
    }

    fn ops_changed_since(&self, exec_id: i64, change_seq: i64) -> Result<Vec<Operation>> {
        if let Some(ops) = self.rows.ops_changed_since(exec_id, change_seq).filter(|_| self.locking()) {
            return Ok(ops);
        }
        let sql = concat!("SELECT ", op_columns!(), " FROM operations WHERE exec_id = $1 AND change_seq > $2 ORDER BY seq");
        self.ops(sql, &[&exec_id, &change_seq])
    }

    fn op_by_callback_id(&self, callback_id: &str) -> Result<Option<(i64, Operation, i64)>> {
        if self.locking() {
            // Lock the execution first, then read the operation as it is now: another worker
            // may have completed this callback while we waited for the lock.
            let Some(r) = self.query_opt("SELECT exec_id FROM operations WHERE callback_id = $1", &[&callback_id])? else { return Ok(None) };
            let exec_id: i64 = get(&r, 0)?;
            self.query("SELECT 1 FROM executions WHERE id = $1 FOR UPDATE", &[&exec_id])?;
        }
        let sql = concat!("SELECT exec_id, ", op_columns!(), ", seq FROM operations WHERE callback_id = $1");
        match self.query_opt(sql, &[&callback_id])? {
            Some(r) => Ok(Some((get(&r, 0)?, op_at(&r, 1)?, get(&r, 22)?))),
            None => Ok(None),
        }
    }

    fn end_op(&self, exec_id: i64, id: &str, status: OperationStatus, end_ms: i64, change_seq: i64) -> Result<()> {
        self.rows.forget_ops(exec_id);
        let sql = "UPDATE operations SET status = $3, end_ms = $4, change_seq = $5 WHERE exec_id = $1 AND id = $2";
        self.defer(sql, owned![exec_id, id.to_string(), status.as_str(), end_ms, change_seq])
    }

    fn put_op(&self, exec_id: i64, op: &Operation, seq: i64, change_seq: i64) -> Result<()> {
        self.rows.forget_ops(exec_id);
        let sql = concat!("INSERT INTO operations (exec_id, seq, change_seq, ", op_columns!(), ")
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
             ON CONFLICT (exec_id, id) DO UPDATE SET seq = EXCLUDED.seq, change_seq = EXCLUDED.change_seq, parent_id = EXCLUDED.parent_id,
             name = EXCLUDED.name, type = EXCLUDED.type, sub_type = EXCLUDED.sub_type, status = EXCLUDED.status, start_ms = EXCLUDED.start_ms,
             end_ms = EXCLUDED.end_ms, input_payload = EXCLUDED.input_payload, result = EXCLUDED.result, error = EXCLUDED.error,
             attempt = EXCLUDED.attempt, next_attempt_ms = EXCLUDED.next_attempt_ms, scheduled_end_ms = EXCLUDED.scheduled_end_ms,
             replay_children = EXCLUDED.replay_children, callback_id = EXCLUDED.callback_id, wait_seconds = EXCLUDED.wait_seconds,
             callback_timeout_s = EXCLUDED.callback_timeout_s, callback_heartbeat_s = EXCLUDED.callback_heartbeat_s,
             invoke_function = EXCLUDED.invoke_function, invoke_tenant = EXCLUDED.invoke_tenant");
        self.defer(
            sql,
            owned![
                exec_id,
                seq,
                change_seq,
                op.id.clone(),
                op.parent_id.clone(),
                op.name.clone(),
                op.op_type.as_str(),
                op.sub_type.clone(),
                op.status.as_str(),
                op.start_ms,
                op.end_ms,
                op.input_payload.clone(),
                op.result.clone(),
                error_text(&op.error),
                op.attempt.map(i64::from),
                op.next_attempt_ms,
                op.scheduled_end_ms,
                op.replay_children.map(|b| b as i64),
                op.callback_id.clone(),
                op.wait_seconds,
                op.callback_timeout_s,
                op.callback_heartbeat_s,
                op.invoke_function.clone(),
                op.invoke_tenant.clone(),
            ],
        )
    }

    fn last_event_id(&self, exec_id: i64) -> Result<i64> {
        if let Some(last) = self.rows.last_event(exec_id).filter(|_| self.locking()) {
            return Ok(last);
        }
        let sql = "SELECT event_id FROM events WHERE exec_id = $1 ORDER BY event_id DESC LIMIT 1";
        let last = match self.query_opt(sql, &[&exec_id])? {
            Some(r) => get(&r, 0)?,
            None => 0,
        };
        if self.locking() {
            self.rows.set_last_event(exec_id, last);
        }
        Ok(last)
    }

    fn insert_event(&self, exec_id: i64, event_id: i64, event: &Event) -> Result<()> {
        if self.locking() {
            self.rows.set_last_event(exec_id, event_id);
        }
        PgStorage::insert_event(self, exec_id, event_id, event.event_type.as_str(), event.timestamp_ms, event.body().to_string())
    }

    fn events(&self, exec_id: i64) -> Result<Vec<StoredEvent>> {
        let rows = self.query("SELECT event_id, event_type, ts_ms, body FROM events WHERE exec_id = $1 ORDER BY event_id", &[&exec_id])?;
        rows.iter().map(|r| Ok((get(r, 0)?, get(r, 1)?, get(r, 2)?, get(r, 3)?))).collect()
    }

    fn arm_timer(&self, exec_id: i64, op_id: &str, kind: TimerKind, due_ms: i64) -> Result<()> {
        self.defer(
            "INSERT INTO timers (exec_id, op_id, kind, due_ms) VALUES ($1, $2, $3, $4) ON CONFLICT (exec_id, op_id, kind) DO UPDATE SET due_ms = EXCLUDED.due_ms",
            owned![exec_id, op_id.to_string(), kind.as_str(), due_ms],
        )?;
        // A worker asleep until its next timer must learn of an earlier one.
        self.notify_at_commit();
        Ok(())
    }

    fn clear_timers(&self, exec_id: i64, op_id: &str) -> Result<()> {
        self.defer("DELETE FROM timers WHERE exec_id = $1 AND op_id = $2", owned![exec_id, op_id.to_string()])
    }

    fn clear_timer(&self, exec_id: i64, op_id: &str, kind: TimerKind) -> Result<bool> {
        let sql = "DELETE FROM timers WHERE exec_id = $1 AND op_id = $2 AND kind = $3";
        Ok(self.execute(sql, &[&exec_id, &op_id, &kind.as_str()])? > 0)
    }

    fn take_timers(&self, timers: &[DueTimer]) -> Result<Vec<bool>> {
        if timers.is_empty() {
            return Ok(Vec::new());
        }
        let exec_ids: Vec<i64> = timers.iter().map(|t| t.exec_id).collect();
        let op_ids: Vec<&str> = timers.iter().map(|t| t.op_id.as_str()).collect();
        let kinds: Vec<&str> = timers.iter().map(|t| t.kind.as_str()).collect();
        let sql = "DELETE FROM timers t USING unnest($1::bigint[], $2::text[], $3::text[]) AS d(exec_id, op_id, kind)
             WHERE t.exec_id = d.exec_id AND t.op_id = d.op_id AND t.kind = d.kind RETURNING t.exec_id, t.op_id, t.kind";
        let mut gone = std::collections::HashSet::new();
        for r in self.query(sql, &[&exec_ids, &op_ids, &kinds])? {
            let (exec_id, op_id, kind): (i64, String, String) = (get(&r, 0)?, get(&r, 1)?, get(&r, 2)?);
            gone.insert((exec_id, op_id, kind));
        }
        Ok(timers.iter().map(|t| gone.remove(&(t.exec_id, t.op_id.clone(), t.kind.as_str().to_string()))).collect())
    }

    fn clear_exec_timers(&self, exec_id: i64) -> Result<()> {
        self.defer("DELETE FROM timers WHERE exec_id = $1", owned![exec_id])
    }

    fn due_timers(&self, now: i64, limit: i64) -> Result<Vec<DueTimer>> {
        self.queue_due_timers(now, limit)
    }

    fn next_due_executions(&self, filter: &TaskFilter, now: i64, limit: usize) -> Result<Vec<ExecRow>> {
        self.queue_next_due_executions(filter, now, limit)
    }

    fn takeover_candidates(&self, filter: &TaskFilter, owner: &str, host: Option<&str>, now: i64) -> Result<Vec<ExecRow>> {
        self.queue_takeover_candidates(filter, owner, host, now)
    }

    fn next_due_time(&self, filter: &TaskFilter) -> Result<Option<i64>> {
        self.queue_next_due_time(filter)
    }

    fn idle_state(&self, filter: &TaskFilter) -> Result<(Option<i64>, bool)> {
        self.queue_idle_state(filter)
    }

    fn pass_probe(&self, filter: &TaskFilter, owner: &str, now: i64) -> Result<Option<Probe>> {
        self.queue_pass_probe(filter, owner, now)
    }

    fn due_kinds(&self, now: i64) -> Result<DueKinds> {
        self.queue_due_kinds(now)
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
        // PostgreSQL's commits are durable by default (synchronous_commit = on); "not full"
        // keeps that, since losing a commit the caller was told about would re-run a step.
        let _ = full;
        Ok(())
    }

    fn integrity_check(&self) -> Result<Vec<String>> {
        self.with_client(|c| Box::pin(super::postgres_schema::integrity(c)))
    }

    fn schema_version(&self) -> Result<i64> {
        self.with_client(|c| Box::pin(super::postgres_schema::version(c)))
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn freeze(&self) -> Result<()> {
        self.rows_freeze()
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
        self.rows_after_import()
    }

    fn set_waker(&self, wake: std::sync::Arc<dyn Fn() + Send + Sync>) {
        self.start_listener(wake)
    }

    fn changes_wake(&self) -> bool {
        true
    }

    fn release(&self) {
        self.release_connections()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes with no read before them are queued, and must go out with the COMMIT: a
    /// transaction that never reached the server is not thereby empty.
    #[test]
    fn a_transaction_of_writes_only_commits_them() {
        let server = std::env::var("DURABLE_NODE_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("durable_pgunit_{}", &crate::ids::random_id().replace('-', "")[..16]);
        let url = super::super::postgres_admin::create_database(&server, &name).expect("this test needs a PostgreSQL server (DURABLE_NODE_TEST_PG)");
        let outcome = std::panic::catch_unwind(|| {
            let s = PgStorage::open(&url).unwrap();
            assert!(!s.due_kinds(2_000).unwrap().timers);
            s.begin_write().unwrap();
            s.arm_timer(7, "op", TimerKind::Wait, 1_000).unwrap();
            s.commit().unwrap();
            assert!(s.due_kinds(2_000).unwrap().timers, "the timer armed by a write-only transaction was committed");
        });
        let _ = super::super::postgres_admin::drop_database(&server, &name);
        outcome.unwrap();
    }
}
