//! The run queue as SQL: which executions are due, which invocations are active, and when the
//! next thing becomes due — each narrowed by a task filter (one ARN, or a set of functions).
//! Each query names its index: with many suspended executions the planner would otherwise pick
//! the status index and scan every RUNNING execution on every claim.

use rusqlite::{params, OptionalExtension};

use super::sqlite::{exec_columns, exec_from_row, SqliteStorage};
use super::{DueTimer, ExecRow, TaskFilter};
use crate::error::Result;
use crate::model::TimerKind;

macro_rules! filter { () => { "(?1 IS NULL OR arn = ?1 OR root_arn = ?1) AND (?2 IS NULL OR function_name IN (SELECT value FROM json_each(?2)))" }; }

fn functions_json(filter: &TaskFilter) -> Option<String> {
    filter.functions.as_ref().map(|f| serde_json::to_string(f).unwrap_or_default())
}

impl SqliteStorage {
    pub(super) fn queue_next_due_executions(&self, filter: &TaskFilter, now: i64, limit: usize) -> Result<Vec<ExecRow>> {
        let mut stmt = self.conn.prepare_cached(concat!("SELECT ", exec_columns!(), " FROM executions INDEXED BY executions_wake WHERE wake_ms IS NOT NULL AND wake_ms <= ?3 AND inv_active = 0
             AND status = 'RUNNING' AND ", filter!(), " ORDER BY wake_ms LIMIT ?4"))?;
        let rows = stmt.query_map(params![filter.arn, functions_json(filter), now, limit as i64], exec_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Usually none, so claiming stays cheap however many invocations this engine runs.
    pub(super) fn queue_takeover_candidates(&self, filter: &TaskFilter, owner: &str, host: Option<&str>, now: i64) -> Result<Vec<ExecRow>> {
        let mut stmt = self.conn.prepare_cached(concat!(
            "SELECT ", exec_columns!(), " FROM executions INDEXED BY executions_active WHERE inv_active = 1 AND status IN ('RUNNING', 'PAUSING', 'PAUSED') AND inv_owner IS NOT ?3
             AND (inv_lease_ms < ?4 OR inv_host = ?5) AND ", filter!()
        ))?;
        let rows = stmt.query_map(params![filter.arn, functions_json(filter), owner, now, host], exec_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub(super) fn queue_any_active(&self, filter: &TaskFilter) -> Result<bool> {
        let mut stmt = self.conn.prepare_cached(concat!("SELECT EXISTS (SELECT 1 FROM executions INDEXED BY executions_active WHERE inv_active = 1 AND status IN ('RUNNING', 'PAUSING', 'PAUSED') AND ", filter!(), ")"))?;
        Ok(stmt.query_row(params![filter.arn, functions_json(filter)], |r| r.get(0))?)
    }

    pub(super) fn queue_next_due_time(&self, filter: &TaskFilter) -> Result<Option<i64>> {
        // Each half walks its index in due order and stops at the first selected execution, so
        // the cost does not grow with the number of suspended executions.
        let mut stmt = self.conn.prepare_cached(concat!("SELECT min(t) FROM (
               SELECT * FROM (SELECT timers.due_ms AS t FROM timers INDEXED BY timers_due JOIN executions ON executions.id = timers.exec_id
                 WHERE executions.status IN ('RUNNING', 'PAUSING', 'PAUSED') AND ", filter!(), " ORDER BY timers.due_ms LIMIT 1)
               UNION ALL
               SELECT * FROM (SELECT wake_ms AS t FROM executions INDEXED BY executions_wake
                 WHERE wake_ms IS NOT NULL AND inv_active = 0 AND status = 'RUNNING' AND ", filter!(), " ORDER BY wake_ms LIMIT 1))"))?;
        Ok(stmt.query_row(params![filter.arn, functions_json(filter)], |r| r.get(0))?)
    }

    pub(super) fn queue_next_timer(&self, filter: &TaskFilter) -> Result<Option<DueTimer>> {
        let mut stmt = self.conn.prepare_cached(concat!("SELECT timers.due_ms, timers.kind, timers.exec_id, timers.op_id FROM timers INDEXED BY timers_due JOIN executions ON executions.id = timers.exec_id
             WHERE executions.status IN ('RUNNING', 'PAUSING', 'PAUSED') AND ", filter!(), " ORDER BY timers.due_ms LIMIT 1"))?;
        let found: Option<(i64, String, i64, String)> =
            stmt.query_row(params![filter.arn, functions_json(filter)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).optional()?;
        Ok(found.and_then(|(due_ms, kind, exec_id, op_id)| TimerKind::parse(&kind).map(|kind| DueTimer { exec_id, op_id, kind, due_ms })))
    }
}
