//! Time, injected. Every timestamp the engine records, every lease it grants and every timer it
//! fires reads one `Clock`:
//! - `SystemClock`: wall time;
//! - `VirtualClock`: wall time plus an offset that the scheduler moves forward when nothing is
//!   running (time skipping), so skipped time looks like real time to the records;
//! - `ManualClock`: stands still until a test moves it, so no test sleeps for time to pass.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

pub trait Clock: Send + Sync {
    /// Milliseconds since the epoch.
    fn now_ms(&self) -> i64;

    /// Whether the scheduler may jump this clock to the next timer when nothing runs.
    fn skips_time(&self) -> bool {
        false
    }

    /// Moves the clock so that `now_ms() >= target_ms`, if this clock can be moved.
    fn advance_to(&self, _target_ms: i64) -> bool {
        false
    }

    /// How long to sleep in real time for `ms` of this clock to pass; `None` when only an
    /// explicit move makes time pass (the caller waits for a wake-up instead).
    fn real_wait(&self, ms: i64) -> Option<Duration> {
        Some(Duration::from_millis(ms.max(0) as u64))
    }
}

fn wall_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        wall_ms()
    }
}

#[derive(Debug, Default)]
pub struct VirtualClock {
    offset_ms: AtomicI64,
}

impl Clock for VirtualClock {
    fn now_ms(&self) -> i64 {
        wall_ms() + self.offset_ms.load(Ordering::SeqCst)
    }

    fn skips_time(&self) -> bool {
        true
    }

    /// Never moves backwards.
    fn advance_to(&self, target_ms: i64) -> bool {
        let now = self.now_ms();
        if target_ms > now {
            self.offset_ms.fetch_add(target_ms - now, Ordering::SeqCst);
        }
        true
    }
}

/// A clock for tests: it reads what it was set to.
#[derive(Debug)]
pub struct ManualClock {
    now_ms: AtomicI64,
}

impl ManualClock {
    pub fn new(start_ms: i64) -> Self {
        ManualClock { now_ms: AtomicI64::new(start_ms) }
    }

    pub fn advance(&self, ms: i64) {
        self.now_ms.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.now_ms.load(Ordering::SeqCst)
    }

    fn advance_to(&self, target_ms: i64) -> bool {
        self.now_ms.fetch_max(target_ms, Ordering::SeqCst);
        true
    }

    fn real_wait(&self, _ms: i64) -> Option<Duration> {
        None
    }
}

/// ISO-8601 with milliseconds, as the service and the SDK write timestamps.
pub fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_time_only_moves_forward() {
        let clock = VirtualClock::default();
        let start = clock.now_ms();
        clock.advance_to(start + 10_000);
        assert!(clock.now_ms() >= start + 10_000);
        clock.advance_to(start);
        assert!(clock.now_ms() >= start + 10_000);
    }

    #[test]
    fn manual_time_stands_still_until_moved() {
        let clock = ManualClock::new(1_000);
        assert_eq!(clock.now_ms(), 1_000);
        clock.advance(500);
        assert_eq!(clock.now_ms(), 1_500);
        clock.advance_to(1_200);
        assert_eq!(clock.now_ms(), 1_500);
        assert!(clock.real_wait(10).is_none());
    }

    #[test]
    fn iso_has_millis_and_z() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
    }
}
