//! The reads people and tools make (the console, the HTTP listing and history, metrics) as SQL.
//! Each is one query on an index of `sqlite_schema.rs`, so its cost does not grow with the
//! number of executions: listings page by key (start time, id) instead of by offset.

use rusqlite::{params_from_iter, types::Value, OptionalExtension};

use super::sqlite::{exec_columns, exec_from_row, SqliteStorage};
use super::{ExecQuery, ExecRow, QueueGauges, StoredEvent};
use crate::error::Result;
use crate::model::ExecutionStatus;

/// The smallest text greater than every text starting with `prefix` (None when there is none),
/// so that a prefix is an index range rather than a LIKE scan.
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = char::from_u32(last as u32 + 1) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

impl SqliteStorage {
    pub(super) fn views_query_execs(&self, q: &ExecQuery) -> Result<Vec<ExecRow>> {
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        let arg = |v: Value, args: &mut Vec<Value>| {
            args.push(v);
            format!("?{}", args.len())
        };
        if let Some(f) = &q.function_name {
            let p = arg(Value::Text(f.clone()), &mut args);
            clauses.push(format!("function_name = {p}"));
        }
        match q.statuses.as_slice() {
            [] => {}
            [one] => {
                let p = arg(Value::Text(one.as_str().into()), &mut args);
                clauses.push(format!("status = {p}"));
            }
            many => {
                let list: Vec<String> = many.iter().map(|s| arg(Value::Text(s.as_str().into()), &mut args)).collect();
                clauses.push(format!("status IN ({})", list.join(", ")));
            }
        }
        if let Some(n) = &q.name {
            let p = arg(Value::Text(n.clone()), &mut args);
            clauses.push(format!("name = {p}"));
        }
        if let Some(prefix) = q.name_prefix.as_ref().filter(|p| !p.is_empty()) {
            let p = arg(Value::Text(prefix.clone()), &mut args);
            clauses.push(format!("name >= {p}"));
            if let Some(end) = prefix_end(prefix) {
                let p = arg(Value::Text(end), &mut args);
                clauses.push(format!("name < {p}"));
            }
        }
        if let Some(t) = q.started_after_ms {
            let p = arg(Value::Integer(t), &mut args);
            clauses.push(format!("start_ms >= {p}"));
        }
        if let Some(t) = q.started_before_ms {
            let p = arg(Value::Integer(t), &mut args);
            clauses.push(format!("start_ms <= {p}"));
        }
        let (cmp, dir) = if q.oldest_first { (">", "ASC") } else { ("<", "DESC") };
        if let Some(c) = q.after {
            let s = arg(Value::Integer(c.start_ms), &mut args);
            let i = arg(Value::Integer(c.id), &mut args);
            clauses.push(format!("(start_ms, id) {cmp} ({s}, {i})"));
        }
        let limit = arg(Value::Integer(q.limit as i64), &mut args);
        let filter = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
        let sql = format!("SELECT {} FROM executions{filter} ORDER BY start_ms {dir}, id {dir} LIMIT {limit}", exec_columns!());
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), exec_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub(super) fn views_count_by_status(&self) -> Result<Vec<(ExecutionStatus, i64)>> {
        let mut stmt = self.conn.prepare_cached("SELECT status, count(*) FROM executions INDEXED BY executions_status GROUP BY status")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (status, n) = row?;
            // A status this engine does not know is not counted rather than failing the scrape.
            if let Ok(s) = ExecutionStatus::parse(&status) {
                out.push((s, n));
            }
        }
        Ok(out)
    }

    pub(super) fn views_changed_since(&self, since: i64, limit: usize) -> Result<Vec<(i64, ExecRow)>> {
        let sql = concat!("SELECT ", exec_columns!(), ", change_no FROM executions INDEXED BY executions_change WHERE change_no > ?1 ORDER BY change_no LIMIT ?2");
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(rusqlite::params![since, limit as i64], |r| Ok((r.get(31)?, exec_from_row(r)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub(super) fn views_last_change(&self) -> Result<i64> {
        let mut stmt = self.conn.prepare_cached("SELECT change_no FROM executions INDEXED BY executions_change ORDER BY change_no DESC LIMIT 1")?;
        Ok(stmt.query_row([], |r| r.get(0)).optional()?.unwrap_or(0))
    }

    pub(super) fn views_events_page(&self, exec_id: i64, after: Option<i64>, limit: usize, reverse: bool) -> Result<Vec<StoredEvent>> {
        let sql = if reverse {
            "SELECT event_id, event_type, ts_ms, body FROM events WHERE exec_id = ?1 AND event_id < ?2 ORDER BY event_id DESC LIMIT ?3"
        } else {
            "SELECT event_id, event_type, ts_ms, body FROM events WHERE exec_id = ?1 AND event_id > ?2 ORDER BY event_id LIMIT ?3"
        };
        let from = after.unwrap_or(if reverse { i64::MAX } else { 0 });
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(rusqlite::params![exec_id, from, limit as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub(super) fn views_queue_gauges(&self, now: i64) -> Result<QueueGauges> {
        let due = "SELECT count(*) FROM executions INDEXED BY executions_wake WHERE wake_ms IS NOT NULL AND wake_ms <= ?1 AND inv_active = 0 AND status = 'RUNNING'";
        let due_unclaimed: i64 = self.conn.prepare_cached(due)?.query_row([now], |r| r.get(0))?;
        let pending_timers: i64 = self.conn.prepare_cached("SELECT count(*) FROM timers")?.query_row([], |r| r.get(0))?;
        let active = "SELECT count(*) FROM executions INDEXED BY executions_active WHERE inv_active = 1";
        let active_invocations: i64 = self.conn.prepare_cached(active)?.query_row([], |r| r.get(0))?;
        Ok(QueueGauges { due_unclaimed, pending_timers, active_invocations })
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn a_prefix_ends_at_the_next_text() {
        assert_eq!(prefix_end("order-"), Some("order.".into()));
        assert_eq!(prefix_end("a"), Some("b".into()));
        assert_eq!(prefix_end(""), None);
    }
}
