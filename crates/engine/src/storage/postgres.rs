//! `Storage` on PostgreSQL: the connection side. It owns a small tokio runtime on which the
//! client's socket tasks run (tokio-postgres), a bounded pool of connections (deadpool-postgres),
//! the connection the current transaction runs on, and the listener that turns other workers'
//! commits into this engine's wake-up (postgres_listen.rs). What a transaction sends is queued
//! and pipelined (postgres_pipeline.rs); the rows it locked are cached (postgres_cache.rs).
//! Queries are in postgres_store.rs and postgres_queue.rs; schema and migrations in
//! postgres_schema.rs.
//!
//! Why this shape: the engine's storage calls are synchronous and are made from napi's tokio
//! threads. The synchronous `postgres` crate cannot be used there (it blocks on a runtime of its
//! own, which tokio forbids inside a runtime), so the client futures are driven on the calling
//! thread (`futures_executor::block_on`: they only exchange messages with the connection task,
//! which lives on this storage's own runtime) and only new connections are made on that runtime.
//!
//! Concurrency between workers is PostgreSQL's: READ COMMITTED, and every execution row a write
//! transaction reads is locked (`FOR UPDATE`), so everything that changes one execution (its
//! checkpoints, timers, callbacks, stop, takeover) is serialized per execution exactly as SQLite
//! serializes every writer — and the fencing check (token epoch = the row's invocation count)
//! is made on the locked row in the transaction that commits the checkpoint.

use std::cell::{Cell, RefCell};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime as PoolRuntime};
use futures_executor::block_on;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

use super::postgres_cache::RowCache;
use super::postgres_listen::Listener;
use super::postgres_pipeline::{send, Answer, Deferred, EventRows, Failure, Last, Param};
use super::postgres_schema::{inspect, prepare, Found, SCHEMA_VERSION};
use super::postgres_url::{classify, client_config, redact};
use crate::error::{EngineError, Result};

/// Connections a worker's storage may hold besides its listener. The engine runs one transaction
/// at a time (core.rs), so one is in use; the second lets a replacement be made while a broken
/// one is being discarded. Per worker: at most this + 1 (the listener) server connections.
pub const POOL_SIZE: usize = 2;

/// The channel every wake-worthy commit notifies (one per schema, so engines of other
/// schemas in the same database are not woken).
fn channel(schema: Option<&str>) -> String {
    match schema {
        Some(s) => format!("durable_node_{s}"),
        None => "durable_node".to_string(),
    }
}

/// Per-transaction limits, set with SET LOCAL (no session state, so a transaction-mode pooler
/// may hand the next transaction to another server connection): a lock held by a worker whose
/// link was cut is released within seconds (the server ends its idle transaction), and waiting
/// for a lock is bounded.
/// Queued like any write, so a transaction's first round trip also carries its first read.
const BEGIN: [&str; 3] = ["BEGIN", "SET LOCAL lock_timeout = '10s'", "SET LOCAL idle_in_transaction_session_timeout = '5s'"];

pub struct PgStorage {
    runtime: Option<tokio::runtime::Runtime>,
    pool: Pool,
    pub(super) config: tokio_postgres::Config,
    channel: String,
    /// `NOTIFY <channel>, '<sender>'; COMMIT`, made once.
    notify_commit: String,
    /// This storage's name in its notifications: its own listener ignores them, since the
    /// engine already woke itself for what it committed (a worker would otherwise run a claim
    /// pass for each of its own commits).
    sender: String,
    conn: RefCell<Option<Object>>,
    in_tx: Cell<bool>,
    /// The current transaction's BEGIN has been sent.
    begun: Cell<bool>,
    /// Something this transaction wrote may make work due elsewhere: NOTIFY at commit.
    notify_on_commit: Cell<bool>,
    listener: Mutex<Option<Listener>>,
    /// Writes of the current transaction not sent yet (postgres_pipeline.rs).
    queued: RefCell<Vec<Deferred>>,
    /// Why the current transaction can no longer commit (a queued write failed).
    poisoned: RefCell<Option<String>>,
    /// Execution rows this transaction has locked, as it last wrote or read them.
    pub(super) rows: RowCache,
    /// The open savepoints, innermost last (see `savepoint`).
    savepoints: RefCell<Vec<Savepoint>>,
    /// History events of the current transaction not sent yet (postgres_pipeline.rs).
    events: RefCell<EventRows>,
}

/// A savepoint is only sent when a statement of its scope has to be: until then it is a place
/// in the queue, released by forgetting it and rolled back by cutting the queue there. Most
/// requests of a group commit write without reading after their first read, so most of their
/// savepoints never reach the server (two statements per request fewer).
#[derive(Clone, Copy)]
enum Savepoint {
    /// Not sent: the lengths of the queue and of the unsent events when it was opened.
    Queued(usize, usize),
    Sent,
}

fn pool_error(e: PoolError) -> EngineError {
    match e {
        PoolError::Backend(e) => classify(&e),
        PoolError::Timeout(_) => EngineError::StorageUnavailable { reason: "timed out connecting to the server".into() },
        other => EngineError::StorageUnavailable { reason: other.to_string() },
    }
}

/// A failure to open names the database and says what went wrong, as one line.
fn open_error(shown: &str, e: EngineError) -> EngineError {
    match e {
        EngineError::NotADatabase { .. } | EngineError::DatabaseOpen { .. } => e,
        EngineError::StorageUnavailable { reason } => EngineError::DatabaseOpen { path: shown.to_string(), reason: format!("cannot reach the server: {reason}") },
        other => {
            let reason = match &other {
                EngineError::Storage(r) | EngineError::StorageConflict { reason: r } => r.clone(),
                e => e.to_string(),
            };
            EngineError::DatabaseOpen { path: shown.to_string(), reason }
        }
    }
}

/// The schema a URL names is made on first use, like the tables in it (the name was checked).
async fn create_schema(client: &tokio_postgres::Client, schema: &str) -> Result<()> {
    let exists = client
        .query_one("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", &[&schema])
        .await
        .map_err(|e| classify(&e))?
        .get::<_, bool>(0);
    if !exists {
        // Two workers may race to make it: the loser's error is a duplicate, which is fine.
        if let Err(e) = client.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}")).await {
            if e.code() != Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
                return Err(classify(&e));
            }
        }
    }
    Ok(())
}

impl PgStorage {
    /// Connects, refuses a database of another application or of a newer schema (reads only),
    /// then creates or migrates the schema. Every failure is `DatabaseOpen`/`NotADatabase`
    /// naming the URL with its password redacted.
    pub fn open(url: &str) -> Result<PgStorage> {
        let shown = redact(url);
        let target = client_config(url)?;
        let config = target.config;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("durable-postgres")
            .enable_all()
            .build()
            .map_err(|e| EngineError::Storage(format!("cannot start the PostgreSQL client runtime: {e}")))?;
        let manager = Manager::from_config(config.clone(), NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(PoolRuntime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(10)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .build()
            .map_err(|e| EngineError::DatabaseOpen { path: shown.clone(), reason: e.to_string() })?;
        let channel = channel(target.schema.as_deref());
        let sender = crate::ids::random_id();
        let storage = PgStorage {
            runtime: Some(runtime),
            pool,
            config,
            notify_commit: format!("NOTIFY {channel}, '{sender}'; COMMIT"),
            sender,
            channel,
            conn: RefCell::new(None),
            in_tx: Cell::new(false),
            begun: Cell::new(false),
            notify_on_commit: Cell::new(false),
            listener: Mutex::new(None),
            queued: RefCell::new(Vec::new()),
            poisoned: RefCell::new(None),
            rows: RowCache::default(),
            savepoints: RefCell::new(Vec::new()),
            events: RefCell::new(EventRows::default()),
        };
        let mut conn = storage.checkout().map_err(|e| open_error(&shown, e))?;
        block_on(async {
            if let Some(schema) = &target.schema {
                create_schema(&conn, schema).await?;
            }
            // Without the lock, only "already current" is trusted; anything else is judged
            // again under it (prepare).
            let found = match inspect(&**conn, &shown).await {
                Ok(found @ Found::Version(SCHEMA_VERSION)) => found,
                _ => Found::Empty,
            };
            prepare(&mut conn, &shown, found).await
        })
        .map_err(|e| open_error(&shown, e))?;
        *storage.conn.borrow_mut() = Some(conn);
        Ok(storage)
    }

    pub(super) fn handle(&self) -> tokio::runtime::Handle {
        self.runtime.as_ref().expect("runtime lives as long as the storage").handle().clone()
    }

    /// A connection from the pool, made on this storage's runtime if none is idle.
    fn checkout(&self) -> Result<Object> {
        let pool = self.pool.clone();
        let joined = block_on(self.handle().spawn(async move { pool.get().await }));
        match joined {
            Ok(got) => got.map_err(pool_error),
            Err(e) => Err(EngineError::Storage(format!("connection task failed: {e}"))),
        }
    }

    /// Makes sure a live connection is at hand. Inside a transaction a lost connection cannot
    /// be replaced (the transaction died with it).
    fn ensure_conn(&self) -> Result<()> {
        let alive = self.conn.borrow().as_ref().is_some_and(|c| !c.is_closed());
        if alive {
            return Ok(());
        }
        self.discard();
        if self.in_tx.get() {
            return Err(EngineError::StorageUnavailable { reason: "the connection was lost during the transaction (nothing of it was committed)".into() });
        }
        let conn = self.checkout()?;
        *self.conn.borrow_mut() = Some(conn);
        Ok(())
    }

    /// Drops the current connection without returning it to the pool.
    fn discard(&self) {
        if let Some(conn) = self.conn.borrow_mut().take() {
            drop(Object::take(conn));
        }
    }

    fn failed(&self, e: tokio_postgres::Error) -> EngineError {
        let err = classify(&e);
        if matches!(err, EngineError::StorageUnavailable { .. }) || e.is_closed() {
            self.discard();
        }
        err
    }

    /// Sends what is queued and then `last`, on a live connection (see postgres_pipeline.rs).
    fn send(&self, last: Last<'_>) -> Result<Answer> {
        if let Some(reason) = self.poisoned.borrow().clone() {
            return Err(EngineError::Storage(format!("the transaction was aborted by an earlier statement: {reason}")));
        }
        self.ensure_conn()?;
        let queued = self.assemble();
        if self.in_tx.get() {
            self.begun.set(true);
        }
        let result = {
            let guard = self.conn.borrow();
            block_on(send(guard.as_ref().expect("ensured"), &queued, last))
        };
        result.map_err(|failure| match failure {
            Failure::Last(e) => self.failed(e),
            Failure::Queued(e) => {
                let err = self.failed(e);
                if self.in_tx.get() {
                    *self.poisoned.borrow_mut() = Some(err.to_string());
                }
                err
            }
        })
    }

    pub(super) fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        match self.send(Last::Query(sql, params))? {
            Answer::Rows(rows) => Ok(rows),
            _ => unreachable!("a query answers rows"),
        }
    }

    pub(super) fn query_opt(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    pub(super) fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        match self.send(Last::Execute(sql, params))? {
            Answer::Count(n) => Ok(n),
            _ => unreachable!("an execute answers a count"),
        }
    }

    /// A write whose answer nobody reads: inside a transaction it is queued and sent with the
    /// next statement that needs an answer; outside one it runs at once.
    pub(super) fn defer(&self, sql: &'static str, params: Vec<Param>) -> Result<()> {
        if self.in_tx.get() {
            self.queued.borrow_mut().push(Deferred { sql, params });
            return Ok(());
        }
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect();
        self.execute(sql, &refs).map(|_| ())
    }

    pub(super) fn batch(&self, sql: &str) -> Result<()> {
        self.send(Last::Batch(sql)).map(|_| ())
    }

    /// Inside a write transaction, reads of execution rows lock them (see the module header).
    pub(super) fn locking(&self) -> bool {
        self.in_tx.get()
    }

    /// This transaction made something due, finished an execution or armed a timer: other
    /// workers must look again once it commits.
    pub(super) fn notify_at_commit(&self) {
        if self.in_tx.get() {
            self.notify_on_commit.set(true);
        }
    }

    /// Opens a transaction. BEGIN is queued (sent with the first statement); only a connection
    /// known to be lost is replaced here, where the engine can still retry.
    pub(super) fn begin(&self) -> Result<()> {
        self.in_tx.set(false);
        self.end_tx_state();
        self.ensure_conn()?;
        self.queued.borrow_mut().extend(BEGIN.iter().map(|sql| Deferred { sql, params: Vec::new() }));
        self.in_tx.set(true);
        self.notify_on_commit.set(false);
        Ok(())
    }

    pub(super) fn commit_tx(&self) -> Result<()> {
        if !self.begun.get() && self.queued.borrow().len() == BEGIN.len() && self.events.borrow().len() == 0 {
            // Nothing of it reached the server and nothing was written: there is nothing to
            // commit. (Queued writes without a read before them are sent with the COMMIT.)
            self.in_tx.set(false);
            self.end_tx_state();
            return Ok(());
        }
        let sql = if self.notify_on_commit.get() { self.notify_commit.as_str() } else { "COMMIT" };
        let result = self.batch(sql);
        if result.is_err() {
            // A transaction refused before its COMMIT ran (poisoned by a queued write) is still
            // open, aborted, on the server: end it, or every later statement on this
            // connection fails. After a COMMIT that ran and failed this is a harmless no-op.
            self.queued.borrow_mut().clear();
            self.poisoned.borrow_mut().take();
            self.in_tx.set(false);
            let _ = self.batch("ROLLBACK");
        }
        self.in_tx.set(false);
        self.end_tx_state();
        result.map_err(|e| match e {
            // The server may have committed before the connection broke: say so, and never
            // retry it as if nothing had happened.
            EngineError::StorageUnavailable { reason } => {
                EngineError::StorageUnavailable { reason: format!("the connection broke during COMMIT, its outcome is unknown: {reason}") }
            }
            other => other,
        })
    }

    pub(super) fn rollback_tx(&self) {
        let begun = self.begun.get();
        self.end_tx_state();
        if begun && self.conn.borrow().is_some() {
            let _ = self.batch("ROLLBACK");
        }
        self.in_tx.set(false);
    }

    /// Forgets what belonged to the transaction that ended (or is about to be rolled back).
    fn end_tx_state(&self) {
        self.queued.borrow_mut().clear();
        self.savepoints.borrow_mut().clear();
        *self.events.borrow_mut() = EventRows::default();
        self.poisoned.borrow_mut().take();
        self.rows.clear();
        self.begun.set(false);
    }

    pub(super) fn savepoint(&self) -> Result<()> {
        if !self.in_tx.get() {
            return self.batch("SAVEPOINT request");
        }
        let mark = Savepoint::Queued(self.queued.borrow().len(), self.events.borrow().len());
        self.savepoints.borrow_mut().push(mark);
        Ok(())
    }

    /// A history event of the current transaction, sent with the next flight (outside a
    /// transaction, at once).
    pub(super) fn insert_event(&self, exec_id: i64, event_id: i64, event_type: &str, ts_ms: i64, body: String) -> Result<()> {
        if self.in_tx.get() {
            self.events.borrow_mut().push(exec_id, event_id, event_type, ts_ms, body);
            return Ok(());
        }
        let mut one = EventRows::default();
        one.push(exec_id, event_id, event_type, ts_ms, body);
        let write = one.write(0, 1).expect("one event");
        self.defer(write.sql, write.params)
    }

    /// What the next flight sends before its last statement: the queued writes, each stretch's
    /// events after the stretch's other writes, and every savepoint still held at its place
    /// (which are then sent).
    fn assemble(&self) -> Vec<Deferred> {
        let queued = self.queued.take();
        let events = self.events.take();
        let mut out = Vec::with_capacity(queued.len() + 2);
        let mut writes = queued.into_iter();
        let (mut sent_writes, mut sent_events) = (0, 0);
        for mark in self.savepoints.borrow_mut().iter_mut() {
            if let Savepoint::Queued(at, events_at) = *mark {
                out.extend(writes.by_ref().take(at - sent_writes));
                out.extend(events.write(sent_events, events_at));
                out.push(Deferred { sql: "SAVEPOINT request", params: Vec::new() });
                (sent_writes, sent_events) = (at, events_at);
            }
            *mark = Savepoint::Sent;
        }
        out.extend(writes);
        out.extend(events.write(sent_events, events.len()));
        out
    }

    pub(super) fn release_savepoint(&self) -> Result<()> {
        match self.savepoints.borrow_mut().pop() {
            Some(Savepoint::Queued(..)) => Ok(()),
            _ => self.defer("RELEASE SAVEPOINT request", Vec::new()),
        }
    }

    /// Undoes the current request. Execution rows it read stay locked but may have changed in
    /// the cache, so the cache starts again.
    pub(super) fn rollback_savepoint(&self) -> Result<()> {
        let mark = self.savepoints.borrow_mut().pop();
        match mark {
            Some(Savepoint::Queued(at, events_at)) => {
                self.queued.borrow_mut().truncate(at);
                self.events.borrow_mut().truncate(events_at);
            }
            _ => self.batch("ROLLBACK TO SAVEPOINT request; RELEASE SAVEPOINT request")?,
        }
        self.rows.clear();
        Ok(())
    }

    /// Starts the listener that calls `wake` whenever another worker's commit may have made
    /// work due (and once after every reconnect, for what it may have missed).
    pub(super) fn start_listener(&self, wake: Arc<dyn Fn() + Send + Sync>) {
        let listener = Listener::start(&self.handle(), self.config.clone(), self.channel.clone(), self.sender.clone(), wake);
        *self.listener.lock().unwrap_or_else(|p| p.into_inner()) = Some(listener);
    }

    /// Runs `f` with the current connection's client (a bulk copy drives its futures on it).
    pub(super) fn on_client<T>(&self, f: impl FnOnce(&tokio_postgres::Client) -> Result<T>) -> Result<T> {
        self.flush()?;
        let guard = self.conn.borrow();
        f(guard.as_ref().expect("ensured"))
    }

    /// Runs an async read on the current connection (schema version, integrity check).
    pub(super) fn with_client<T>(&self, f: impl for<'c> FnOnce(&'c tokio_postgres::Client) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<T>> + 'c>>) -> Result<T> {
        self.flush()?;
        let guard = self.conn.borrow();
        let client: &tokio_postgres::Client = guard.as_ref().expect("ensured");
        block_on(f(client))
    }
}

impl PgStorage {
    /// Sends what is queued now (before the client is used directly).
    fn flush(&self) -> Result<()> {
        if self.queued.borrow().is_empty() && self.events.borrow().len() == 0 {
            return self.ensure_conn();
        }
        self.send(Last::Execute("SELECT 1", &[])).map(|_| ())
    }

    /// Closes the listener and every connection; the storage is unusable afterwards.
    pub(super) fn release_connections(&self) {
        self.listener.lock().unwrap_or_else(|p| p.into_inner()).take();
        self.discard();
        self.pool.close();
    }
}

impl Drop for PgStorage {
    fn drop(&mut self) {
        self.release_connections();
        // Never block here: an engine may be dropped on an async thread.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
