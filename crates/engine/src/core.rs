//! The state every engine service shares: the storage behind one lock, the clock, this
//! engine's identity and token key, the invocations it runs, and the wake-up signal. Services
//! (checkpoint, invocation, timers, callbacks, control, scheduler) are functions over a `Core`;
//! the `Engine` facade only delegates to them. Also the one place that retries a transaction:
//! one that lost a race to another worker (conflict), or ran while the database server was
//! unreachable (with backoff, for `storage_retry_ms`), runs again from the start.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::EngineConfig;
use crate::error::{EngineError, Result};
use crate::lease::Identity;
use crate::stats::Stats;
use crate::storage::Storage;
use crate::token::TokenKey;

/// An invocation this engine is running. Its token sequence and delivery mark live here, not in
/// storage, so a checkpoint writes only the records it changes (the invocation dies with this
/// engine anyway).
#[derive(Debug, Clone)]
pub(crate) struct ActiveInvocation {
    pub epoch: i64,
    pub token_seq: i64,
    /// The execution's `change_seq` as of the last answer to this invocation.
    pub delivered_seq: i64,
    pub lease_expires_ms: i64,
    /// Operations the execution has (EXECUTION excluded), for the per-execution limit.
    pub op_count: i64,
    /// Ids of the execution's operations. Only this invocation creates operations of its
    /// execution, so an id not here needs no lookup.
    pub known_ops: HashSet<String>,
    /// Whether a checkpoint of this invocation recorded anything (a failed invocation that
    /// made progress does not count towards `max_failed_invocations`).
    pub progressed: bool,
    /// The id the next history event gets, valid while the execution's `change_seq` equals
    /// `delivered_seq` (everything else that appends events bumps `change_seq` or ends the
    /// invocation).
    pub next_event_id: i64,
    /// The state the invocation was handed (ARN and pruned records, as of its claim), kept
    /// until an in-process SDK opens it: opening then needs no read.
    pub initial_state: Option<(String, Vec<crate::model::Operation>)>,
}

pub(crate) struct Core {
    storage: Mutex<Box<dyn Storage>>,
    pub clock: Arc<dyn Clock>,
    pub notify: Notify,
    pub me: Identity,
    pub tokens: TokenKey,
    /// Invocations run by this engine, by execution id.
    pub active: Mutex<HashMap<i64, ActiveInvocation>>,
    closed: AtomicBool,
    /// Set by `stop_tasks`: no more invocations are handed out.
    pub tasks_stopped: AtomicBool,
    pub config: EngineConfig,
    pub stats: Stats,
    /// Executions (by ARN) whose running invocation cannot end now: user code runs in it.
    busy: Mutex<HashSet<String>>,
    /// How often the scheduler looks for other processes' changes: `config.poll_ms`, or only
    /// as a safety net when the storage wakes the engine on every such change.
    pub poll_ms: u64,
    /// When this engine last looked for invocations of dead processes on its own host.
    host_checked: Mutex<Option<std::time::Instant>>,
}

/// The scheduler's safety-net poll on a storage that wakes the engine itself.
const WAKING_STORAGE_POLL_MS: u64 = 5_000;
/// How often a claim looks for dead processes' invocations on this host.
const HOST_CHECK: std::time::Duration = std::time::Duration::from_secs(1);
/// Attempts of a transaction that keeps losing races before its conflict is reported.
const CONFLICT_ATTEMPTS: u32 = 8;

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock cannot leave a half-applied transaction behind (storage
    // rolls it back), so a poisoned lock is still safe to use.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Core {
    pub fn new(storage: Box<dyn Storage>, clock: Arc<dyn Clock>, config: EngineConfig) -> Self {
        let poll_ms = if storage.changes_wake() { config.poll_ms.max(WAKING_STORAGE_POLL_MS) } else { config.poll_ms };
        Core {
            poll_ms,
            storage: Mutex::new(storage),
            clock,
            notify: Notify::new(),
            me: Identity::new(config.host_id.clone()),
            tokens: TokenKey::random(),
            active: Mutex::new(HashMap::new()),
            closed: AtomicBool::new(false),
            tasks_stopped: AtomicBool::new(false),
            busy: Mutex::new(HashSet::new()),
            config,
            stats: Stats::default(),
            host_checked: Mutex::new(None),
        }
    }

    /// Whether a claim should also look for invocations held by dead processes of this host
    /// (lease.rs's fast path): on the first claim, then at most every `HOST_CHECK_MS`. That
    /// look reads every invocation the host's other engines run, so it is not made on every
    /// claim; an expired lease is found on every claim regardless. Real time, on purpose: this
    /// bounds a cost, and a test's frozen clock must not stop the look.
    pub fn host_check_due(&self) -> bool {
        let mut last = lock(&self.host_checked);
        if last.is_some_and(|t| t.elapsed() < HOST_CHECK) {
            return false;
        }
        *last = Some(std::time::Instant::now());
        true
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
        lock(&self.storage).release();
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    pub fn tasks_stopped(&self) -> bool {
        self.tasks_stopped.load(Ordering::SeqCst)
    }

    /// The running invocation of `arn` became busy (user code runs) or not.
    pub fn set_busy(&self, arn: &str, busy: bool) {
        let changed = if busy { lock(&self.busy).insert(arn.to_string()) } else { lock(&self.busy).remove(arn) };
        if changed && busy {
            self.wake_waiters();
        }
    }

    /// ARNs of the executions whose running invocation is busy.
    pub fn busy_arns(&self) -> Vec<String> {
        lock(&self.busy).iter().cloned().collect()
    }

    /// Wakes every waiter of `next_tasks` (something may have become due).
    pub fn wake_waiters(&self) {
        self.notify.notify_waiters();
    }

    fn storage(&self) -> Result<MutexGuard<'_, Box<dyn Storage>>> {
        if self.is_closed() {
            return Err(EngineError::Closed);
        }
        Ok(lock(&self.storage))
    }

    /// Gives the storage this core's wake-up (other processes' commits then wake its waiters).
    pub fn connect_waker(core: &Arc<Core>) {
        let weak = Arc::downgrade(core);
        lock(&core.storage).set_waker(Arc::new(move || {
            if let Some(core) = weak.upgrade() {
                core.wake_waiters();
            }
        }));
    }

    /// Runs `f` in one write transaction: everything it wrote commits, or nothing does. A
    /// transaction that cannot begin (the server is away) is retried before `f` runs; once `f`
    /// ran, a failure is returned, since `f` may have changed this engine's memory.
    pub fn write<T>(&self, f: impl FnOnce(&dyn Storage) -> Result<T>) -> Result<T> {
        let store = self.storage()?;
        let mut retry = Retry::new(self.config.storage_retry_ms);
        while let Err(e) = store.begin_write() {
            store.rollback();
            if self.is_closed() || !retry.again(&e) {
                retry.done();
                return Err(e);
            }
        }
        retry.done();
        let value = f(store.as_ref()).inspect_err(|_| store.rollback())?;
        store.commit().inspect_err(|_| store.rollback())?;
        Ok(value)
    }

    /// `write` for an `f` that changes nothing but storage: it runs again from the start when
    /// it lost a race to another worker (conflict) or the server went away during it. A failed
    /// COMMIT is never retried, since its outcome may be unknown.
    pub fn write_retrying<T>(&self, mut f: impl FnMut(&dyn Storage) -> Result<T>) -> Result<T> {
        let store = self.storage()?;
        let mut retry = Retry::new(self.config.storage_retry_ms);
        loop {
            match store.begin_write().and_then(|()| f(store.as_ref())) {
                Ok(value) => {
                    retry.done();
                    store.commit().inspect_err(|_| store.rollback())?;
                    return Ok(value);
                }
                Err(e) => {
                    store.rollback();
                    if self.is_closed() || !retry.again(&e) {
                        retry.done();
                        return Err(e);
                    }
                }
            }
        }
    }

    pub fn read<T>(&self, mut f: impl FnMut(&dyn Storage) -> Result<T>) -> Result<T> {
        let store = self.storage()?;
        let mut retry = Retry::new(self.config.storage_retry_ms);
        loop {
            match f(store.as_ref()) {
                Err(e) if !self.is_closed() && retry.again(&e) => continue,
                other => {
                    retry.done();
                    return other;
                }
            }
        }
    }
}

/// When to run a failed transaction again. Real time, on purpose: it waits for a server.
struct Retry {
    started: std::time::Instant,
    budget: std::time::Duration,
    conflicts: u32,
    pause: std::time::Duration,
    said: bool,
}

impl Retry {
    fn new(budget_ms: i64) -> Self {
        Retry {
            started: std::time::Instant::now(),
            budget: std::time::Duration::from_millis(budget_ms.max(0) as u64),
            conflicts: 0,
            pause: std::time::Duration::from_millis(50),
            said: false,
        }
    }

    /// Whether to try again after `e` (having waited as long as needed).
    fn again(&mut self, e: &EngineError) -> bool {
        match e {
            EngineError::StorageConflict { .. } => {
                self.conflicts += 1;
                if self.conflicts >= CONFLICT_ATTEMPTS {
                    return false;
                }
                // A short pause that grows, so racing workers do not collide again in step.
                let jitter = u64::from(crate::ids::random_u16() % 8);
                std::thread::sleep(std::time::Duration::from_millis(u64::from(self.conflicts) + jitter));
                true
            }
            EngineError::StorageUnavailable { reason } => {
                if self.started.elapsed() + self.pause > self.budget {
                    return false;
                }
                if !self.said {
                    // The one line a CLI user or an operator sees while the server is away.
                    eprintln!("durable-node: waiting for the database ({reason}); retrying for up to {} s", self.budget.as_secs());
                    self.said = true;
                }
                std::thread::sleep(self.pause);
                self.pause = (self.pause * 2).min(std::time::Duration::from_secs(1));
                true
            }
            _ => false,
        }
    }

    fn done(&self) {
        if self.said {
            eprintln!("durable-node: the database is back after {} ms", self.started.elapsed().as_millis());
        }
    }
}
