//! What the engine needs from storage, as one trait: the rows it reasons about (executions with
//! their invocation lease, operations, history events, timers) and the queries of the run queue.
//! Implementations make no protocol decisions. SQLite (`sqlite*.rs`) is the embedded default;
//! PostgreSQL (`postgres*.rs`) lets many workers on many machines share one database. Both run
//! the same engine tests.

mod postgres;
pub mod postgres_admin;
mod postgres_cache;
mod postgres_listen;
mod postgres_map;
mod postgres_pipeline;
mod postgres_queue;
mod postgres_rows;
mod postgres_schema;
mod postgres_store;
mod postgres_url;
mod postgres_views;
mod sqlite;
mod sqlite_files;
mod sqlite_queue;
mod sqlite_rows;
mod sqlite_schema;
mod sqlite_views;

pub use postgres::{PgStorage, POOL_SIZE};
pub use postgres_url::{is_postgres_url, redact};
pub use sqlite::SqliteStorage;
pub use sqlite_files::WAL_LIMIT_BYTES;

use crate::error::Result;
use crate::history::Event;
use crate::model::{ErrorObject, ExecutionStatus, Operation, OperationStatus, PauseState, TimerKind};

/// Who holds an invocation and until when. `epoch` is the invocation number: a token names it,
/// so a checkpoint from an owner whose lease was taken over never matches the current epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct Lease {
    pub owner: String,
    /// The holder's host identity (boot and PID namespace), so that a pid is only ever
    /// interpreted on the host it belongs to.
    pub host: Option<String>,
    pub pid: Option<i64>,
    pub expires_ms: i64,
    pub started_ms: i64,
    pub request_id: String,
}

/// The invocation side of an execution row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InvocationState {
    /// Invocations begun so far; the current (or last) one's number.
    pub count: i64,
    /// Present while an invocation runs.
    pub lease: Option<Lease>,
    /// The execution's `change_seq` as of the last answer an invocation received.
    pub delivered_seq: i64,
    /// Invocations in a row that ended without a verdict.
    pub failed: i64,
}

/// An execution as the engine reasons about it.
#[derive(Debug, Clone)]
pub struct ExecRow {
    pub id: i64,
    pub arn: String,
    pub function_name: String,
    pub name: String,
    pub exec_op_id: String,
    pub input: Option<String>,
    pub status: ExecutionStatus,
    pub result: Option<String>,
    pub error: Option<ErrorObject>,
    pub start_ms: i64,
    pub end_ms: Option<i64>,
    pub timeout_s: i64,
    /// Bumped by every change made outside an invocation (timers, callbacks, child outcomes).
    pub change_seq: i64,
    /// When the execution is due for an invocation; `None` while suspended or running.
    pub wake_ms: Option<i64>,
    pub invocation: InvocationState,
    /// The ARN of the top-level execution (itself, unless a chained invoke started it).
    pub root_arn: String,
    pub parent_exec_id: Option<i64>,
    pub parent_op_id: Option<String>,
    /// When a live execution times out (ops/execution.rs decides); `None` once ended.
    pub deadline_ms: Option<i64>,
    /// When an ended execution's data is removed (its retention expired, or it was deleted).
    pub purge_ms: Option<i64>,
    pub retention_days: i64,
    /// Present while PAUSING or PAUSED.
    pub pause: Option<PauseState>,
}

/// Which executions a caller is willing to run.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub arn: Option<String>,
    pub functions: Option<Vec<String>>,
}

/// Runs `f` inside a savepoint of the open transaction: when it fails, what it wrote is undone
/// and the transaction goes on (one rejected request of a group leaves nothing behind).
pub(crate) fn in_savepoint<T>(s: &dyn Storage, f: impl FnOnce() -> Result<T>) -> Result<T> {
    s.savepoint()?;
    match f() {
        Ok(value) => {
            s.release_savepoint()?;
            Ok(value)
        }
        Err(e) => {
            s.rollback_savepoint()?;
            Err(e)
        }
    }
}

/// What a scheduler pass would find (`Storage::pass_probe`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Probe {
    pub due: DueKinds,
    /// An execution is due for an invocation, or another owner's lease has expired.
    pub claimable: bool,
    pub next_due: Option<i64>,
    pub running: bool,
}

/// Which kinds of timed work are due.
#[derive(Debug, Clone, Copy, Default)]
pub struct DueKinds {
    pub deadlines: bool,
    pub timers: bool,
    pub purges: bool,
}

/// A timer that is due.
#[derive(Debug, Clone, PartialEq)]
pub struct DueTimer {
    pub exec_id: i64,
    pub op_id: String,
    pub kind: TimerKind,
    pub due_ms: i64,
}

/// A stored history event: (event id, type, timestamp, body).
pub type StoredEvent = (i64, String, i64, String);

/// Where a listing resumes: the sort key of the last row of the previous page. Keyset paging
/// costs the same on the thousandth page as on the first (an offset would scan what it skips).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecCursor {
    pub start_ms: i64,
    pub id: i64,
}

/// Which executions a listing selects (every field narrows it) and in which order. Rows come
/// sorted by (start_ms, id), newest first unless `oldest_first`.
#[derive(Debug, Clone, Default)]
pub struct ExecQuery {
    pub function_name: Option<String>,
    /// Any of these statuses; empty selects every status.
    pub statuses: Vec<ExecutionStatus>,
    /// Exactly this name.
    pub name: Option<String>,
    /// Names starting with this text.
    pub name_prefix: Option<String>,
    /// Started at or after / at or before (ms).
    pub started_after_ms: Option<i64>,
    pub started_before_ms: Option<i64>,
    pub oldest_first: bool,
    /// Rows strictly after this one in the listing's order.
    pub after: Option<ExecCursor>,
    pub limit: usize,
}

/// What the scheduler's queue looks like now, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueGauges {
    /// RUNNING executions due for an invocation that nobody has claimed yet.
    pub due_unclaimed: i64,
    /// Armed timers (waits, retries, callback deadlines), due or not.
    pub pending_timers: i64,
    /// Invocations holding a lease, by any process on the storage.
    pub active_invocations: i64,
}

/// The tables that hold an execution, for copying a store row by row (`migrate.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Executions,
    Operations,
    Events,
    Timers,
}

impl Table {
    pub const ALL: [Table; 4] = [Table::Executions, Table::Operations, Table::Events, Table::Timers];

    pub fn name(self) -> &'static str {
        match self {
            Table::Executions => "executions",
            Table::Operations => "operations",
            Table::Events => "events",
            Table::Timers => "timers",
        }
    }

    /// The column naming the execution a row belongs to.
    pub fn exec_key(self) -> &'static str {
        match self {
            Table::Executions => "id",
            _ => "exec_id",
        }
    }

    /// The primary key, the order rows are copied in.
    pub fn primary_key(self) -> &'static str {
        match self {
            Table::Executions => "id",
            Table::Operations => "exec_id, id",
            Table::Events => "exec_id, event_id",
            Table::Timers => "exec_id, op_id, kind",
        }
    }
}

/// A stored value as it is: every column of the schema is an integer or text.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
}

/// A column name as the copy writes it into SQL: the schema's own names only.
pub(crate) fn plain_identifier(name: &str) -> Result<&str> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(name)
    } else {
        Err(crate::error::EngineError::Storage(format!("unexpected column name {name:?}")))
    }
}

/// `SELECT`/`INSERT` column list for `columns` (checked names).
pub(crate) fn column_list(columns: &[String]) -> Result<String> {
    Ok(columns.iter().map(|c| plain_identifier(c)).collect::<Result<Vec<_>>>()?.join(", "))
}

/// The storage the engine runs on. Every method runs inside the transaction the engine opened
/// with `begin_write` (or outside any, for reads). Inside a write transaction, what the engine
/// reads of an execution must stay as read until commit: SQLite has one writer at a time;
/// PostgreSQL locks every execution row a write transaction reads.
pub trait Storage: Send {
    // Transactions.
    fn begin_write(&self) -> Result<()>;
    fn commit(&self) -> Result<()>;
    fn rollback(&self);
    fn savepoint(&self) -> Result<()>;
    fn release_savepoint(&self) -> Result<()>;
    /// Undoes everything since `savepoint` and closes it.
    fn rollback_savepoint(&self) -> Result<()>;

    // Executions.
    fn exec_by_arn(&self, arn: &str) -> Result<Option<ExecRow>>;
    /// This write transaction is about to read (and lock) these executions: a storage that
    /// pays per round trip locks them all at once. Only a hint; nothing else may depend on it.
    fn prefetch_execs(&self, _arns: &[&str]) -> Result<()> {
        Ok(())
    }
    /// `prefetch_execs` by row id.
    fn prefetch_exec_ids(&self, _ids: &[i64]) -> Result<()> {
        Ok(())
    }
    fn exec_by_id(&self, id: i64) -> Result<ExecRow>;
    fn exec_by_name(&self, function_name: &str, name: &str) -> Result<Option<ExecRow>>;
    /// Executions whose name is `name`, for any function.
    fn execs_named(&self, name: &str) -> Result<Vec<ExecRow>>;
    fn list_execs(&self, status: Option<ExecutionStatus>, function_name: Option<&str>) -> Result<Vec<ExecRow>>;
    /// Inserts a new execution; returns its id.
    fn insert_exec(&self, e: &ExecRow) -> Result<i64>;
    /// Writes back every mutable field.
    fn update_exec(&self, e: &ExecRow) -> Result<()>;
    /// Extends the lease of invocation `epoch` if `owner` still holds it.
    fn renew_lease(&self, exec_id: i64, owner: &str, epoch: i64, expires_ms: i64) -> Result<bool>;

    /// Live executions whose deadline is at or before `now`, earliest first.
    fn due_deadlines(&self, now: i64, limit: i64) -> Result<Vec<i64>>;
    /// Executions whose data is due to be removed at or before `now`, earliest first.
    fn due_purges(&self, now: i64, limit: i64) -> Result<Vec<i64>>;
    /// Removes an execution and everything it has: records, history, timers, control tokens.
    fn purge_exec(&self, exec_id: i64) -> Result<()>;
    /// The control request (its digest and time) a ClientToken named for this execution.
    fn control_token(&self, exec_id: i64, client_token: &str) -> Result<Option<(String, i64)>>;
    /// Remembers a control request's ClientToken (replacing an expired one).
    fn put_control_token(&self, exec_id: i64, client_token: &str, digest: &str, at_ms: i64) -> Result<()>;

    // Operations.
    /// A record and its start sequence.
    fn get_op(&self, exec_id: i64, id: &str) -> Result<Option<(Operation, i64)>>;
    fn ops_in_order(&self, exec_id: i64) -> Result<Vec<Operation>>;
    fn ops_changed_since(&self, exec_id: i64, change_seq: i64) -> Result<Vec<Operation>>;
    fn op_by_callback_id(&self, callback_id: &str) -> Result<Option<(i64, Operation, i64)>>;
    /// Inserts or replaces a record; `seq` is its start order, `change_seq` marks the change.
    fn put_op(&self, exec_id: i64, op: &Operation, seq: i64, change_seq: i64) -> Result<()>;
    /// Ends a record in place, changing its status and end time only (an execution's own
    /// EXECUTION record when the execution ends); nothing when there is no such record. It
    /// reads nothing, so on PostgreSQL it is queued with the transaction's other writes.
    fn end_op(&self, exec_id: i64, id: &str, status: OperationStatus, end_ms: i64, change_seq: i64) -> Result<()>;

    // History.
    /// The id of the last event of an execution (0 when none).
    fn last_event_id(&self, exec_id: i64) -> Result<i64>;
    fn insert_event(&self, exec_id: i64, event_id: i64, event: &Event) -> Result<()>;
    fn events(&self, exec_id: i64) -> Result<Vec<StoredEvent>>;

    // Timers.
    fn arm_timer(&self, exec_id: i64, op_id: &str, kind: TimerKind, due_ms: i64) -> Result<()>;
    fn clear_timers(&self, exec_id: i64, op_id: &str) -> Result<()>;
    /// Whether a timer was removed: only the transaction that removed a timer fires it, so a
    /// timer two workers found due at once fires once.
    fn clear_timer(&self, exec_id: i64, op_id: &str, kind: TimerKind) -> Result<bool>;
    /// `clear_timer` for each of `timers`, in order (a storage that pays per round trip
    /// removes them all at once).
    fn take_timers(&self, timers: &[DueTimer]) -> Result<Vec<bool>> {
        timers.iter().map(|t| self.clear_timer(t.exec_id, &t.op_id, t.kind)).collect()
    }
    fn clear_exec_timers(&self, exec_id: i64) -> Result<()>;
    /// Timers due at or before `now`, oldest first.
    fn due_timers(&self, now: i64, limit: i64) -> Result<Vec<DueTimer>>;

    // The run queue.
    /// Up to `limit` running executions due for an invocation, those that waited longest first.
    fn next_due_executions(&self, filter: &TaskFilter, now: i64, limit: usize) -> Result<Vec<ExecRow>>;
    /// Executions with an invocation in progress held by another owner that `lease.rs` might
    /// let this engine take over: the lease has expired, or (with `host`) its holder is on
    /// that host (its pid can be judged here). Read without locks; the engine re-reads a
    /// candidate before acting.
    fn takeover_candidates(&self, filter: &TaskFilter, owner: &str, host: Option<&str>, now: i64) -> Result<Vec<ExecRow>>;
    /// The earliest time at which a timer fires or an idle execution becomes due.
    fn next_due_time(&self, filter: &TaskFilter) -> Result<Option<i64>>;
    /// What a scheduler pass would find, judged by one read outside any transaction: which
    /// timed work is due, whether anything can be claimed or taken over (by `owner`), and the
    /// idle state. `None` where the storage does not judge it this way (then the pass fires
    /// and claims in transactions, as always). Pays where a transaction costs round trips.
    fn pass_probe(&self, _filter: &TaskFilter, _owner: &str, _now: i64) -> Result<Option<Probe>> {
        Ok(None)
    }
    /// This write transaction is about to read the records of these (locked) executions: a
    /// storage that pays per round trip reads them all at once. Only a hint, like
    /// `prefetch_execs`.
    fn prefetch_ops(&self, _exec_ids: &[i64]) -> Result<()> {
        Ok(())
    }
    /// Whether execution deadlines, operation timers and removals are due at `now`.
    fn due_kinds(&self, now: i64) -> Result<DueKinds> {
        Ok(DueKinds { deadlines: !self.due_deadlines(now, 1)?.is_empty(), timers: !self.due_timers(now, 1)?.is_empty(), purges: !self.due_purges(now, 1)?.is_empty() })
    }
    /// `next_due_time`, and whether an invocation of the selected executions is in progress.
    fn idle_state(&self, filter: &TaskFilter) -> Result<(Option<i64>, bool)>;
    /// The earliest timer of the selected running executions and what it does.
    fn next_timer(&self, filter: &TaskFilter) -> Result<Option<DueTimer>>;

    // Reads for people and tools (console, HTTP listing and history, metrics). Each is one
    // indexed query, so a page costs the same with a hundred thousand executions.
    /// One page of executions (`q.limit` rows at most).
    fn query_execs(&self, q: &ExecQuery) -> Result<Vec<ExecRow>>;
    /// Executions per status (statuses without executions are left out).
    fn count_execs_by_status(&self) -> Result<Vec<(ExecutionStatus, i64)>>;
    /// Executions whose row changed after change number `since`, oldest change first, with
    /// their change numbers. Every insert and update of an execution row takes the next number
    /// of one sequence shared by all executions (lease renewals excepted), so a reader polling
    /// with the last number it saw misses nothing.
    fn execs_changed_since(&self, since: i64, limit: usize) -> Result<Vec<(i64, ExecRow)>>;
    /// The latest change number (0 for an empty store).
    fn last_exec_change(&self) -> Result<i64>;
    /// Up to `limit` events after event `after` (ascending), or before it when `reverse`
    /// (descending; `after` = None starts from the end).
    fn events_page(&self, exec_id: i64, after: Option<i64>, limit: usize, reverse: bool) -> Result<Vec<StoredEvent>>;
    fn queue_gauges(&self, now: i64) -> Result<QueueGauges>;

    // Operations on the store itself.
    fn set_synchronous_full(&self, full: bool) -> Result<()>;
    /// The backend's own verdict on its files: `["ok"]` when intact.
    fn integrity_check(&self) -> Result<Vec<String>>;
    /// The schema version the database is at.
    fn schema_version(&self) -> Result<i64>;
    /// "sqlite" or "postgres".
    fn backend(&self) -> &'static str;

    // Copying a whole store (`migrate.rs`): rows as stored, every column, so a column added to
    // the schema is carried without this code knowing of it.
    /// Inside a write transaction: keeps every other process from writing any table until it
    /// ends, and lets it stay idle between the copy's reads and writes. SQLite's write
    /// transaction already excludes other writers; PostgreSQL locks the tables.
    fn freeze(&self) -> Result<()>;
    /// The columns of `table`, in the table's order.
    fn table_columns(&self, table: Table) -> Result<Vec<String>>;
    /// Up to `limit` rows of `table` (those `columns`) whose execution id is in
    /// `from_exec..=to_exec`, in primary-key order.
    fn export_rows(&self, table: Table, columns: &[String], from_exec: i64, to_exec: i64, limit: usize) -> Result<Vec<Vec<Cell>>>;
    /// Inserts rows as they are (ids included).
    fn import_rows(&self, table: Table, columns: &[String], rows: &[Vec<Cell>]) -> Result<()>;
    /// After an import: what numbers the store hands out next (execution ids, change numbers)
    /// continue after the imported rows.
    fn after_import(&self) -> Result<()>;

    /// Gives the storage the engine's wake-up, for a backend that hears of other processes'
    /// commits (PostgreSQL's LISTEN/NOTIFY).
    fn set_waker(&self, _wake: std::sync::Arc<dyn Fn() + Send + Sync>) {}
    /// Whether other processes' changes reach the engine through `set_waker`'s wake-up (then
    /// the scheduler need not poll for them).
    fn changes_wake(&self) -> bool {
        false
    }
    /// Lets go of server resources (connections, listener) when the engine closes, rather than
    /// when the last reference to it is dropped (a JavaScript engine object may be collected
    /// much later).
    fn release(&self) {}
}
