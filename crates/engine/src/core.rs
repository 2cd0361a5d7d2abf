//! The state every engine service shares: the storage behind one lock, the clock, this
//! engine's identity and token key, the invocations it runs, and the wake-up signal. Services
//! (checkpoint, invocation, timers, callbacks, control, scheduler) are functions over a `Core`;
//! the `Engine` facade only delegates to them.

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
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock cannot leave a half-applied transaction behind (storage
    // rolls it back), so a poisoned lock is still safe to use.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Core {
    pub fn new(storage: Box<dyn Storage>, clock: Arc<dyn Clock>, config: EngineConfig) -> Self {
        Core {
            storage: Mutex::new(storage),
            clock,
            notify: Notify::new(),
            me: Identity::new(config.host_id.clone()),
            tokens: TokenKey::random(),
            active: Mutex::new(HashMap::new()),
            closed: AtomicBool::new(false),
            tasks_stopped: AtomicBool::new(false),
            config,
            stats: Stats::default(),
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    pub fn tasks_stopped(&self) -> bool {
        self.tasks_stopped.load(Ordering::SeqCst)
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

    /// Runs `f` in one write transaction: everything it wrote commits, or nothing does.
    pub fn write<T>(&self, f: impl FnOnce(&dyn Storage) -> Result<T>) -> Result<T> {
        let store = self.storage()?;
        store.begin_write()?;
        match f(store.as_ref()) {
            Ok(value) => match store.commit() {
                Ok(()) => Ok(value),
                Err(e) => {
                    store.rollback();
                    Err(e)
                }
            },
            Err(e) => {
                store.rollback();
                Err(e)
            }
        }
    }

    pub fn read<T>(&self, f: impl FnOnce(&dyn Storage) -> Result<T>) -> Result<T> {
        let store = self.storage()?;
        f(store.as_ref())
    }
}
