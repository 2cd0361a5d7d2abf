//! The run queue on PostgreSQL. Claims take due executions with `FOR UPDATE SKIP LOCKED`, so
//! workers claiming at once never wait for each other and never get the same row; due timers
//! are taken the same way (by their execution's row, the lock every writer of that execution
//! takes first, so timers and checkpoints never deadlock). The next due time also counts the
//! expiry of other owners' leases: with no polling, that is when a takeover becomes possible.

use super::postgres::PgStorage;
use super::postgres_map::get;
use super::postgres_store::exec_lock;
use super::sqlite::exec_columns;
use super::{DueKinds, DueTimer, ExecRow, Probe, TaskFilter};
use crate::error::{EngineError, Result};
use crate::model::TimerKind;
use tokio_postgres::types::ToSql;

/// The task filter as SQL, one text per shape of filter. A condition like `($1 IS NULL OR
/// arn = $1)` cannot be planned once for every call, so PostgreSQL planned each such query
/// anew on every call (more than a millisecond for the idle probe); each shape here plans well
/// once, and the server keeps that plan. Every shape names $1 and $2, so the parameters are
/// the same for all.
fn filter_sql(filter: &TaskFilter) -> &'static str {
    match (filter.arn.is_some(), filter.functions.is_some()) {
        (false, false) => "$1::text IS NULL AND $2::text[] IS NULL",
        (false, true) => "$1::text IS NULL AND function_name = ANY($2::text[])",
        (true, false) => "(arn = $1::text OR root_arn = $1::text) AND $2::text[] IS NULL",
        (true, true) => "(arn = $1::text OR root_arn = $1::text) AND function_name = ANY($2::text[])",
    }
}

/// The earliest of: a timer of a live execution, an idle execution's wake-up, another
/// owner's lease expiring (with no polling, the moment a takeover becomes possible).
fn next_due_sql(f: &str) -> String {
    format!(
        "min(t) FROM (
           (SELECT timers.due_ms AS t FROM timers JOIN executions ON executions.id = timers.exec_id
             WHERE executions.status IN ('RUNNING', 'PAUSING', 'PAUSED') AND {f} ORDER BY timers.due_ms LIMIT 1)
           UNION ALL
           (SELECT wake_ms AS t FROM executions
             WHERE wake_ms IS NOT NULL AND inv_active = 0 AND status = 'RUNNING' AND {f} ORDER BY wake_ms LIMIT 1)
           UNION ALL
           (SELECT inv_lease_ms + 1 AS t FROM executions
             WHERE inv_active = 1 AND status IN ('RUNNING', 'PAUSING', 'PAUSED') AND {f} ORDER BY inv_lease_ms LIMIT 1)) due"
    )
}

fn active_sql(f: &str) -> String {
    format!("EXISTS (SELECT 1 FROM executions WHERE inv_active = 1 AND status IN ('RUNNING', 'PAUSING', 'PAUSED') AND {f})")
}

const LIVE: &str = "status IN ('RUNNING', 'PAUSING', 'PAUSED')";

/// Whether execution deadlines, operation timers and removals are due at `$now`.
const DUE_KINDS: &str = "coalesce((SELECT deadline_ms FROM executions WHERE deadline_ms IS NOT NULL ORDER BY deadline_ms LIMIT 1) <= $now, false),
    coalesce((SELECT due_ms FROM timers ORDER BY due_ms LIMIT 1) <= $now, false),
    coalesce((SELECT purge_ms FROM executions WHERE purge_ms IS NOT NULL ORDER BY purge_ms LIMIT 1) <= $now, false)";

impl PgStorage {
    /// Walks the `executions_due` index (schema version 3), which holds only executions waiting
    /// for an invocation, so a claim never reads the running or suspended ones.
    pub(super) fn queue_next_due_executions(&self, filter: &TaskFilter, now: i64, limit: usize) -> Result<Vec<ExecRow>> {
        let f = filter_sql(filter);
        let params: [&(dyn ToSql + Sync); 4] = [&filter.arn, &filter.functions, &now, &(limit as i64)];
        let due = format!("wake_ms IS NOT NULL AND wake_ms <= $3 AND inv_active = 0 AND status = 'RUNNING' AND {f} ORDER BY wake_ms LIMIT $4");
        if self.locking() {
            return self.locked_execs(&format!("{} {due} FOR UPDATE SKIP LOCKED", exec_lock!("")), &params);
        }
        self.execs(&format!("SELECT {} FROM executions WHERE {due}", exec_columns!()), &params)
    }

    /// Read without locks: the engine locks (re-reads) a candidate before taking it over.
    /// Expired leases come from the `executions_leases` index in expiry order; only the
    /// (rarer) same-host look reads every active invocation of the host.
    pub(super) fn queue_takeover_candidates(&self, filter: &TaskFilter, owner: &str, host: Option<&str>, now: i64) -> Result<Vec<ExecRow>> {
        let f = filter_sql(filter);
        let base = format!("SELECT {} FROM executions WHERE inv_active = 1 AND {LIVE} AND inv_owner IS DISTINCT FROM $3 AND {f}", exec_columns!());
        match host {
            None => self.execs(&format!("{base} AND inv_lease_ms < $4"), &[&filter.arn, &filter.functions, &owner, &now]),
            Some(host) => self.execs(&format!("{base} AND (inv_lease_ms < $4 OR inv_host = $5)"), &[&filter.arn, &filter.functions, &owner, &now, &host]),
        }
    }

    pub(super) fn queue_next_due_time(&self, filter: &TaskFilter) -> Result<Option<i64>> {
        get(&self.query(&format!("SELECT {}", next_due_sql(filter_sql(filter))), &[&filter.arn, &filter.functions])?[0], 0)
    }

    /// The next due time and whether an invocation is active, in one round trip.
    pub(super) fn queue_idle_state(&self, filter: &TaskFilter) -> Result<(Option<i64>, bool)> {
        let f = filter_sql(filter);
        let rows = self.query(&format!("SELECT (SELECT {}), {}", next_due_sql(f), active_sql(f)), &[&filter.arn, &filter.functions])?;
        Ok((get(&rows[0], 0)?, get(&rows[0], 1)?))
    }

    /// One idle pass of a worker is this one read. Each "is due" part reads the first entry of
    /// its index and compares it with `now`, a plan that does not depend on `now`, so the server
    /// plans it once (a range condition on `now` was planned anew on every call, and on a table
    /// of mostly due rows read as a scan).
    pub(super) fn queue_pass_probe(&self, filter: &TaskFilter, owner: &str, now: i64) -> Result<Option<Probe>> {
        if self.locking() {
            return Ok(None);
        }
        let f = filter_sql(filter);
        let sql = format!(
            "SELECT {DUE_KINDS},
               coalesce((SELECT wake_ms FROM executions WHERE wake_ms IS NOT NULL AND inv_active = 0 AND status = 'RUNNING' AND {f} ORDER BY wake_ms LIMIT 1) <= $3, false)
                 OR EXISTS (SELECT 1 FROM executions WHERE inv_active = 1 AND inv_lease_ms < $3 AND {LIVE} AND inv_owner IS DISTINCT FROM $4 AND {f}),
               (SELECT {}), {}",
            next_due_sql(f),
            active_sql(f)
        )
        .replace("$now", "$3");
        let rows = self.query(&sql, &[&filter.arn, &filter.functions, &now, &owner])?;
        let r = &rows[0];
        let due = DueKinds { deadlines: get(r, 0)?, timers: get(r, 1)?, purges: get(r, 2)? };
        Ok(Some(Probe { due, claimable: get(r, 3)?, next_due: get(r, 4)?, running: get(r, 5)? }))
    }

    pub(super) fn queue_due_kinds(&self, now: i64) -> Result<DueKinds> {
        let rows = self.query(&format!("SELECT {DUE_KINDS}").replace("$now", "$1"), &[&now])?;
        Ok(DueKinds { deadlines: get(&rows[0], 0)?, timers: get(&rows[0], 1)?, purges: get(&rows[0], 2)? })
    }

    pub(super) fn queue_next_timer(&self, filter: &TaskFilter) -> Result<Option<DueTimer>> {
        let sql = format!(
            "SELECT timers.due_ms, timers.kind, timers.exec_id, timers.op_id FROM timers JOIN executions ON executions.id = timers.exec_id
             WHERE executions.{LIVE} AND {} ORDER BY timers.due_ms LIMIT 1",
            filter_sql(filter)
        );
        let Some(r) = self.query_opt(&sql, &[&filter.arn, &filter.functions])? else { return Ok(None) };
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
