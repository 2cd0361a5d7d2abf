//! Moving a whole store to another: `durable-node migrate --from FILE --to URL` and back (any
//! pair of SQLite files and PostgreSQL databases). Every execution moves as it is — running and
//! suspended ones with their operations, history, pending timers, callback ids and invoke links,
//! ids and change numbers included — so a worker on the target resumes them where they stopped.
//!
//! The rules, decided here:
//! - the source is frozen for the copy (its write lock on SQLite, table locks on PostgreSQL), and
//!   refused while any invocation holds a live lease (`lease.rs` judges it as a takeover would):
//!   a worker is running it, and its next checkpoint would be lost in the move;
//! - the target must be empty (no execution, operation, event or timer row); it is filled in one
//!   transaction, so it ends with every row or none. A SQLite target file that migrate created is
//!   removed again when the copy fails;
//! - the source is read, never changed: it stays a complete copy until its owner deletes it.
//!
//! Rows are copied column for column by name (`Storage::export_rows`/`import_rows`), so a column
//! the schema gains is carried without this module knowing of it; the two stores must have the
//! same columns, or nothing is copied.

use std::path::Path;

use crate::clock::{iso, Clock, SystemClock};
use crate::error::{EngineError, Result};
use crate::lease::Identity;
use crate::model::ExecutionStatus;
use crate::storage::{is_postgres_url, redact, Cell, PgStorage, SqliteStorage, Storage, Table};

/// Executions copied per round (with all their rows).
const PAGE: usize = 500;

/// What a migration copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationReport {
    pub executions: i64,
    /// Of those, still running (suspended or due): they resume on the target.
    pub running: i64,
    pub operations: i64,
    pub events: i64,
    pub timers: i64,
}

/// Copies every execution of `from` into the empty store `to`, judging leases by the wall clock.
pub fn migrate(from: &str, to: &str) -> Result<MigrationReport> {
    migrate_at(from, to, SystemClock.now_ms())
}

/// `migrate` with leases judged at `now_ms` (tests whose engines run on a manual clock).
pub fn migrate_at(from: &str, to: &str, now_ms: i64) -> Result<MigrationReport> {
    check_locations(from, to)?;
    let source = open_store(from)?;
    source.begin_write()?;
    let result = source.freeze().and_then(|()| refuse_live_leases(source.as_ref(), from, now_ms)).and_then(|()| fill(source.as_ref(), to));
    // Read only: nothing of the source's transaction is kept.
    source.rollback();
    result
}

fn check_locations(from: &str, to: &str) -> Result<()> {
    for (flag, location) in [("--from", from), ("--to", to)] {
        if location.is_empty() || location == ":memory:" {
            return Err(EngineError::parameter(flag, redact(location), "must be a SQLite file or a postgres:// URL"));
        }
    }
    let same_file = !is_postgres_url(from)
        && !is_postgres_url(to)
        && matches!((Path::new(from).canonicalize(), Path::new(to).canonicalize()), (Ok(a), Ok(b)) if a == b);
    if from == to || same_file {
        return Err(EngineError::parameter("--to", redact(to), "is the database --from names; migrate copies into another one"));
    }
    if !is_postgres_url(from) && !Path::new(from).is_file() {
        return Err(EngineError::DatabaseOpen { path: from.to_string(), reason: "no such file".into() });
    }
    Ok(())
}

fn open_store(location: &str) -> Result<Box<dyn Storage>> {
    if is_postgres_url(location) {
        Ok(Box::new(PgStorage::open(location)?))
    } else {
        Ok(Box::new(SqliteStorage::open(location)?))
    }
}

fn refuse_live_leases(source: &dyn Storage, from: &str, now_ms: i64) -> Result<()> {
    let me = Identity::new(None);
    let running = source.list_execs(Some(ExecutionStatus::Running), None)?;
    let live: Vec<_> = running.iter().filter(|e| e.invocation.lease.as_ref().is_some_and(|l| !me.may_take_over(l, now_ms))).collect();
    let Some(first) = live.first() else { return Ok(()) };
    let lease = first.invocation.lease.as_ref().expect("filtered on a lease");
    Err(EngineError::MigrationSourceBusy {
        path: redact(from),
        count: live.len(),
        arn: first.arn.clone(),
        owner: lease.owner.clone(),
        pid: lease.pid.map_or("unknown".into(), |p| p.to_string()),
        host: lease.host.clone().unwrap_or_else(|| "unknown".into()),
        expires: iso(lease.expires_ms),
    })
}

/// Opens the target and copies into it in one transaction.
fn fill(source: &dyn Storage, to: &str) -> Result<MigrationReport> {
    let created_file = (!is_postgres_url(to) && !Path::new(to).exists()).then(|| to.to_string());
    let outcome = open_store(to).and_then(|target| {
        target.begin_write()?;
        let copied = target.freeze().and_then(|()| copy(source, target.as_ref(), to));
        match copied {
            Ok(report) => target.commit().map(|()| report).inspect_err(|_| target.rollback()),
            Err(e) => {
                target.rollback();
                Err(e)
            }
        }
    });
    if outcome.is_err() {
        if let Some(file) = created_file {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(format!("{file}{suffix}"));
            }
        }
    }
    outcome
}

/// The columns both stores have for each table; a difference is refused, naming it.
fn shared_columns(source: &dyn Storage, target: &dyn Storage) -> Result<Vec<(Table, Vec<String>)>> {
    Table::ALL
        .iter()
        .map(|&table| {
            let mut ours = source.table_columns(table)?;
            let mut theirs = target.table_columns(table)?;
            let columns = ours.clone();
            ours.sort();
            theirs.sort();
            if ours != theirs {
                let only = |a: &[String], b: &[String]| a.iter().filter(|c| !b.contains(c)).cloned().collect::<Vec<_>>().join(", ");
                return Err(EngineError::Storage(format!(
                    "the {} table differs between the stores (only the source has [{}], only the target has [{}]): both must be at this engine's schema",
                    table.name(),
                    only(&ours, &theirs),
                    only(&theirs, &ours)
                )));
            }
            Ok((table, columns))
        })
        .collect()
}

fn refuse_non_empty(target: &dyn Storage, to: &str, tables: &[(Table, Vec<String>)]) -> Result<()> {
    for (table, columns) in tables {
        if !target.export_rows(*table, columns, i64::MIN, i64::MAX, 1)?.is_empty() {
            let executions = target.count_execs_by_status()?.iter().map(|(_, n)| n).sum();
            return Err(EngineError::MigrationTargetNotEmpty { path: redact(to), executions });
        }
    }
    Ok(())
}

fn copy(source: &dyn Storage, target: &dyn Storage, to: &str) -> Result<MigrationReport> {
    let tables = shared_columns(source, target)?;
    refuse_non_empty(target, to, &tables)?;
    let exec_columns = &tables[0].1;
    let position = |name: &str| exec_columns.iter().position(|c| c == name).ok_or_else(|| EngineError::Storage(format!("executions has no {name} column")));
    let (id_at, status_at) = (position("id")?, position("status")?);
    let mut report = MigrationReport::default();
    let mut after = 0_i64;
    loop {
        let execs = source.export_rows(Table::Executions, exec_columns, after + 1, i64::MAX, PAGE)?;
        let Some(Cell::Int(last)) = execs.last().map(|r| r[id_at].clone()) else { break };
        target.import_rows(Table::Executions, exec_columns, &execs)?;
        report.executions += execs.len() as i64;
        report.running += execs.iter().filter(|r| r[status_at] == Cell::Text(ExecutionStatus::Running.as_str().into())).count() as i64;
        for (table, columns) in &tables[1..] {
            let rows = source.export_rows(*table, columns, after + 1, last, usize::MAX)?;
            target.import_rows(*table, columns, &rows)?;
            let n = rows.len() as i64;
            match table {
                Table::Operations => report.operations += n,
                Table::Events => report.events += n,
                _ => report.timers += n,
            }
        }
        after = last;
    }
    target.after_import()?;
    Ok(report)
}
