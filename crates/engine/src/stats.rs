//! Counters an engine keeps since it opened, for metrics (`GET /metrics`) and for tests that
//! must see batching: checkpoints and the transactions they shared, checkpoint latency as a
//! histogram, steps completed, lease takeovers, and invocations that ended with an error.
//! Atomics only on the hot path (one checkpoint costs a few relaxed adds); the error-type map
//! is touched only when an invocation fails.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::Duration;

use crate::core::lock;

/// Upper bounds of the checkpoint latency buckets, in microseconds (the last bucket is +Inf).
pub const LATENCY_BOUNDS_US: [u64; 12] = [50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000];

#[derive(Debug, Default)]
pub struct Stats {
    /// Checkpoint requests applied (accepted or refused).
    pub checkpoint_requests: AtomicU64,
    /// Transactions those requests were applied in.
    pub checkpoint_transactions: AtomicU64,
    latency_buckets: [AtomicU64; LATENCY_BOUNDS_US.len() + 1],
    latency_sum_us: AtomicU64,
    /// STEP updates accepted that ended a step (SUCCEED or FAIL; a RETRY ends an attempt only).
    steps_completed: AtomicU64,
    /// Invocations of other owners taken over (lease expired or holder gone).
    lease_takeovers: AtomicU64,
    invocation_failures: Mutex<BTreeMap<String, u64>>,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatsSnapshot {
    pub checkpoint_requests: u64,
    pub checkpoint_transactions: u64,
    /// Per bucket of `LATENCY_BOUNDS_US` (not cumulative), then the +Inf bucket.
    pub latency_buckets: Vec<u64>,
    pub latency_sum_us: u64,
    pub steps_completed: u64,
    pub lease_takeovers: u64,
    /// Invocations that ended with an error, by error type.
    pub invocation_failures: Vec<(String, u64)>,
}

impl Stats {
    /// Counts the requests applied in one transaction and how long that transaction took. The
    /// duration is real time (a latency), not the engine clock, which may be virtual.
    pub(crate) fn checkpointed(&self, requests: usize, took: Duration) {
        self.checkpoint_requests.fetch_add(requests as u64, Relaxed);
        self.checkpoint_transactions.fetch_add(1, Relaxed);
        let us = took.as_micros().min(u64::MAX as u128) as u64;
        let bucket = LATENCY_BOUNDS_US.iter().position(|b| us <= *b).unwrap_or(LATENCY_BOUNDS_US.len());
        self.latency_buckets[bucket].fetch_add(1, Relaxed);
        self.latency_sum_us.fetch_add(us, Relaxed);
    }

    pub(crate) fn steps_completed(&self, n: u64) {
        if n > 0 {
            self.steps_completed.fetch_add(n, Relaxed);
        }
    }

    pub(crate) fn lease_taken_over(&self, n: u64) {
        if n > 0 {
            self.lease_takeovers.fetch_add(n, Relaxed);
        }
    }

    pub(crate) fn invocation_failed(&self, error_type: &str, n: u64) {
        if n > 0 {
            *lock(&self.invocation_failures).entry(error_type.to_string()).or_default() += n;
        }
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            checkpoint_requests: self.checkpoint_requests.load(Relaxed),
            checkpoint_transactions: self.checkpoint_transactions.load(Relaxed),
            latency_buckets: self.latency_buckets.iter().map(|b| b.load(Relaxed)).collect(),
            latency_sum_us: self.latency_sum_us.load(Relaxed),
            steps_completed: self.steps_completed.load(Relaxed),
            lease_takeovers: self.lease_takeovers.load(Relaxed),
            invocation_failures: lock(&self.invocation_failures).iter().map(|(k, v)| (k.clone(), *v)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_fall_in_their_bucket() {
        let s = Stats::default();
        s.checkpointed(2, Duration::from_micros(40));
        s.checkpointed(1, Duration::from_micros(1_000));
        s.checkpointed(1, Duration::from_secs(2));
        let snap = s.snapshot();
        assert_eq!(snap.checkpoint_requests, 4);
        assert_eq!(snap.checkpoint_transactions, 3);
        assert_eq!(snap.latency_buckets[0], 1);
        assert_eq!(snap.latency_buckets[4], 1);
        assert_eq!(snap.latency_buckets[LATENCY_BOUNDS_US.len()], 1);
        assert_eq!(snap.latency_sum_us, 2_001_040);
    }

    #[test]
    fn failures_are_counted_by_type() {
        let s = Stats::default();
        s.invocation_failed("Runtime.ExitError", 2);
        s.invocation_failed("TypeError", 1);
        s.invocation_failed("TypeError", 0);
        assert_eq!(s.snapshot().invocation_failures, vec![("Runtime.ExitError".into(), 2), ("TypeError".into(), 1)]);
    }
}
