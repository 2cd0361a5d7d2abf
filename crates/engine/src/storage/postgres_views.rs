//! The reads people and tools make (the console, the HTTP listing and history, metrics) on
//! PostgreSQL, as `sqlite_views.rs` makes them on SQLite: one indexed query each, listings paged
//! by key (start time, id). Name prefixes compare in the "C" collation, so a prefix is a byte
//! range whatever the database's collation. Change numbers come from a sequence: a reader
//! polling the change feed may see a number before a smaller one of a transaction that commits
//! later (the console's live list then shows that change at its next refresh).

use tokio_postgres::types::ToSql;

use super::postgres::PgStorage;
use super::postgres_map::{exec_from_row, get};
use super::sqlite::exec_columns;
use super::{ExecQuery, ExecRow, QueueGauges, StoredEvent};
use crate::error::Result;
use crate::model::ExecutionStatus;

impl PgStorage {
    pub(super) fn views_query_execs(&self, q: &ExecQuery) -> Result<Vec<ExecRow>> {
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        let mut arg = |v: Box<dyn ToSql + Sync>| {
            args.push(v);
            format!("${}", args.len())
        };
        if let Some(f) = &q.function_name {
            clauses.push(format!("function_name = {}", arg(Box::new(f.clone()))));
        }
        if !q.statuses.is_empty() {
            let list: Vec<String> = q.statuses.iter().map(|s| s.as_str().to_string()).collect();
            clauses.push(format!("status = ANY({})", arg(Box::new(list))));
        }
        if let Some(n) = &q.name {
            clauses.push(format!("name = {}", arg(Box::new(n.clone()))));
        }
        if let Some(prefix) = q.name_prefix.as_ref().filter(|p| !p.is_empty()) {
            clauses.push(format!("name COLLATE \"C\" >= {}", arg(Box::new(prefix.clone()))));
            clauses.push(format!("left(name, {}) = {}", prefix.chars().count(), arg(Box::new(prefix.clone()))));
        }
        if let Some(t) = q.started_after_ms {
            clauses.push(format!("start_ms >= {}", arg(Box::new(t))));
        }
        if let Some(t) = q.started_before_ms {
            clauses.push(format!("start_ms <= {}", arg(Box::new(t))));
        }
        let (cmp, dir) = if q.oldest_first { (">", "ASC") } else { ("<", "DESC") };
        if let Some(c) = q.after {
            let s = arg(Box::new(c.start_ms));
            let i = arg(Box::new(c.id));
            clauses.push(format!("(start_ms, id) {cmp} ({s}, {i})"));
        }
        let limit = arg(Box::new(q.limit as i64));
        let filter = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
        let sql = format!("SELECT {} FROM executions{filter} ORDER BY start_ms {dir}, id {dir} LIMIT {limit}", exec_columns!());
        let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a.as_ref()).collect();
        self.query(&sql, &params)?.iter().map(exec_from_row).collect()
    }

    pub(super) fn views_count_by_status(&self) -> Result<Vec<(ExecutionStatus, i64)>> {
        let rows = self.query("SELECT status, count(*) FROM executions GROUP BY status", &[])?;
        let mut out = Vec::new();
        for r in &rows {
            let status: String = get(r, 0)?;
            // A status this engine does not know is not counted rather than failing the scrape.
            if let Ok(s) = ExecutionStatus::parse(&status) {
                out.push((s, get(r, 1)?));
            }
        }
        Ok(out)
    }

    pub(super) fn views_changed_since(&self, since: i64, limit: usize) -> Result<Vec<(i64, ExecRow)>> {
        let sql = concat!("SELECT ", exec_columns!(), ", change_no FROM executions WHERE change_no > $1 ORDER BY change_no LIMIT $2");
        let rows = self.query(sql, &[&since, &(limit as i64)])?;
        rows.iter().map(|r| Ok((get(r, 31)?, exec_from_row(r)?))).collect()
    }

    pub(super) fn views_last_change(&self) -> Result<i64> {
        let rows = self.query("SELECT coalesce(max(change_no), 0)::bigint FROM executions", &[])?;
        get(&rows[0], 0)
    }

    pub(super) fn views_events_page(&self, exec_id: i64, after: Option<i64>, limit: usize, reverse: bool) -> Result<Vec<StoredEvent>> {
        let sql = if reverse {
            "SELECT event_id, event_type, ts_ms, body FROM events WHERE exec_id = $1 AND event_id < $2 ORDER BY event_id DESC LIMIT $3"
        } else {
            "SELECT event_id, event_type, ts_ms, body FROM events WHERE exec_id = $1 AND event_id > $2 ORDER BY event_id LIMIT $3"
        };
        let from = after.unwrap_or(if reverse { i64::MAX } else { 0 });
        let rows = self.query(sql, &[&exec_id, &from, &(limit as i64)])?;
        rows.iter().map(|r| Ok((get(r, 0)?, get(r, 1)?, get(r, 2)?, get(r, 3)?))).collect()
    }

    pub(super) fn views_queue_gauges(&self, now: i64) -> Result<QueueGauges> {
        let rows = self.query(
            "SELECT (SELECT count(*) FROM executions WHERE wake_ms IS NOT NULL AND wake_ms <= $1 AND inv_active = 0 AND status = 'RUNNING'),
                    (SELECT count(*) FROM timers),
                    (SELECT count(*) FROM executions WHERE inv_active = 1)",
            &[&now],
        )?;
        let r = &rows[0];
        Ok(QueueGauges { due_unclaimed: get(r, 0)?, pending_timers: get(r, 1)?, active_invocations: get(r, 2)? })
    }
}
