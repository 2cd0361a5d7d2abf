//! The engine's settings, with the defaults of the Lambda service where it has one.

/// The longest delay between retries of a failing invocation.
pub const MAX_RETRY_DELAY_MS: i64 = 5 * 60 * 1000;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Use the virtual clock: timers fire as soon as nothing is running.
    pub skip_time: bool,
    /// How long an invocation may go without renewing its lease before another owner may take
    /// it over. The engine renews the leases it holds every third of this.
    pub lease_ms: i64,
    /// Operations per page of execution state.
    pub page_size: usize,
    /// Delay before re-invoking after a failed invocation; it doubles with each failure in a
    /// row, up to `MAX_RETRY_DELAY_MS`.
    pub invocation_retry_delay_ms: i64,
    /// Invocations that may fail in a row without checkpointing anything before the execution
    /// ends FAILED (a deterministic failure, such as a result that cannot be serialized).
    pub max_failed_invocations: i64,
    /// `ExecutionTimeout` recorded on new executions (seconds).
    pub execution_timeout_s: i64,
    /// Poll interval for changes made by other processes on the same storage.
    pub poll_ms: u64,
    /// This machine's identity for leases (boot and PID namespace); derived when `None`. Two
    /// engines with different host ids never judge each other's invocations by pid.
    pub host_id: Option<String>,
    /// With `skip_time`: jump to a callback's timeout or heartbeat deadline only once this
    /// process has run no invocation and seen no activity (a start, a callback answer, an
    /// invocation's end) for this many ms of real time, so a test can still answer the callback
    /// (timers.rs). `None`: jump at once, like any other timer.
    pub callback_quiet_ms: Option<i64>,
    /// How long a call keeps retrying while the database server cannot be reached (PostgreSQL
    /// restarting, a network cut) before it fails with `StorageUnavailable`.
    pub storage_retry_ms: i64,
    /// SQLite: the size of the -wal file past which the writer truncates it between two
    /// transactions (`storage/sqlite_files.rs`). `None` leaves the log to SQLite's passive
    /// checkpoints, under which it grows without bound while writes continue.
    pub wal_limit_bytes: Option<u64>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            skip_time: false,
            lease_ms: 15 * 60 * 1000,
            page_size: 1000,
            invocation_retry_delay_ms: 1000,
            max_failed_invocations: 6,
            execution_timeout_s: 31_622_400,
            poll_ms: 50,
            host_id: None,
            callback_quiet_ms: None,
            storage_retry_ms: 15_000,
            wal_limit_bytes: Some(crate::storage::WAL_LIMIT_BYTES),
        }
    }
}
