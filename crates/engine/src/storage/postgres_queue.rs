//! The run queue on PostgreSQL. Claims take due executions with `FOR UPDATE SKIP LOCKED`, so
//! workers claiming at once never wait for each other and never get the same row; due timers
//! are taken the same way (by their execution's row, the lock every writer of that execution
//! takes first, so timers and checkpoints never deadlock). The next due time also counts the
//! expiry of other owners' leases: with no polling, that is when a takeover becomes possible.

use super::postgres::PgStorage;
use super::postgres_store::get;
use super::sqlite::exec_columns;
use super::{DueTimer, ExecRow, TaskFilter};
use crate::error::{EngineError, Result};
use crate::model::TimerKind;

macro_rules! filter { () => { "($1::text IS NULL OR arn = $1 OR root_arn = $1) AND ($2::text[] IS NULL OR function_name = ANY($2))" }; }

impl PgStorage {
    pub(super) fn queue_next_due_execution(&self, filter: &TaskFilter, now: i64) -> Result<Option<ExecRow>> {
        let sql = concat!("SELECT ", exec_columns!(), " FROM executions WHERE wake_ms IS NOT NULL AND wake_ms <= $3 AND inv_active = 0
             AND status = 'RUNNING' AND ", filter!(), " ORDER BY wake_ms LIMIT 1");
        let locking = concat!("SELECT ", exec_columns!(), " FROM executions WHERE wake_ms IS NOT NULL AND wake_ms <= $3 AND inv_active = 0
             AND status = 'RUNNING' AND ", filter!(), " ORDER BY wake_ms LIMIT 1 FOR UPDATE SKIP LOCKED");
        Ok(self.execs(self.pick(sql, locking), &[&filter.arn, &filter.functions, &now])?.pop())
    }

    /// Read without locks: the engine locks (re-reads) a candidate before taking it over.
    pub(super) fn queue_takeover_candidates(&self, filter: &TaskFilter, owner: &str, host: &str, now: i64) -> Result<Vec<ExecRow>> {
        let sql = concat!("SELECT ", exec_columns!(), " FROM executions WHERE inv_active = 1 AND status IN ('RUNNING', 'PAUSING', 'PAUSED')
             AND inv_owner IS DISTINCT FROM $3 AND (inv_lease_ms < $4 OR inv_host = $5) AND ", filter!());
        self.execs(sql, &[&filter.arn, &filter.functions, &owner, &now, &host])
    }

    pub(super) fn queue_any_active(&self, filter: &TaskFilter) -> Result<bool> {
        let sql = concat!("SELECT EXISTS (SELECT 1 FROM executions WHERE inv_active = 1 AND status IN ('RUNNING', 'PAUSING', 'PAUSED') AND ", filter!(), ")");
        get(&self.query(sql, &[&filter.arn, &filter.functions])?[0], 0)
    }

    pub(super) fn queue_next_due_time(&self, filter: &TaskFilter) -> Result<Option<i64>> {
        let sql = concat!("SELECT min(t) FROM (
               (SELECT timers.due_ms AS t FROM timers JOIN executions ON executions.id = timers.exec_id
                 WHERE executions.status IN ('RUNNING', 'PAUSING', 'PAUSED') AND ", filter!(), " ORDER BY timers.due_ms LIMIT 1)
               UNION ALL
               (SELECT wake_ms AS t FROM executions
                 WHERE wake_ms IS NOT NULL AND inv_active = 0 AND status = 'RUNNING' AND ", filter!(), " ORDER BY wake_ms LIMIT 1)
               UNION ALL
               (SELECT inv_lease_ms + 1 AS t FROM executions
                 WHERE inv_active = 1 AND status IN ('RUNNING', 'PAUSING', 'PAUSED') AND ", filter!(), " ORDER BY inv_lease_ms LIMIT 1)) due");
        get(&self.query(sql, &[&filter.arn, &filter.functions])?[0], 0)
    }

    pub(super) fn queue_next_timer(&self, filter: &TaskFilter) -> Result<Option<DueTimer>> {
        let sql = concat!("SELECT timers.due_ms, timers.kind, timers.exec_id, timers.op_id FROM timers JOIN executions ON executions.id = timers.exec_id
             WHERE executions.status IN ('RUNNING', 'PAUSING', 'PAUSED') AND ", filter!(), " ORDER BY timers.due_ms LIMIT 1");
        let Some(r) = self.query_opt(sql, &[&filter.arn, &filter.functions])? else { return Ok(None) };
        let kind: String = get(&r, 1)?;
        Ok(TimerKind::parse(&kind).map(|kind| DueTimer { due_ms: get::<i64>(&r, 0).unwrap_or(0), kind, exec_id: get::<i64>(&r, 2).unwrap_or(0), op_id: get::<String>(&r, 3).unwrap_or_default() }))
    }

    pub(super) fn queue_due_timers(&self, now: i64, limit: i64) -> Result<Vec<DueTimer>> {
        let sql = "SELECT t.exec_id, t.op_id, t.kind, t.due_ms FROM timers t JOIN executions e ON e.id = t.exec_id
             WHERE t.due_ms <= $1 ORDER BY t.due_ms, t.exec_id, t.op_id LIMIT $2";
        let locking = "SELECT t.exec_id, t.op_id, t.kind, t.due_ms FROM timers t JOIN executions e ON e.id = t.exec_id
             WHERE t.due_ms <= $1 ORDER BY t.due_ms, t.exec_id, t.op_id LIMIT $2 FOR UPDATE OF e SKIP LOCKED";
        let rows = self.query(self.pick(sql, locking), &[&now, &limit])?;
        rows.iter()
            .map(|r| {
                let kind: String = get(r, 2)?;
                let kind = TimerKind::parse(&kind).ok_or_else(|| EngineError::Storage(format!("unknown timer kind {kind:?}")))?;
                Ok(DueTimer { exec_id: get(r, 0)?, op_id: get(r, 1)?, kind, due_ms: get(r, 3)? })
            })
            .collect()
    }
}
