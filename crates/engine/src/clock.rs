//! The engine clock: real time, or real time plus a virtual offset that the scheduler moves
//! forward when nothing is running (time skipping). Every timestamp the engine records and
//! every timer it fires reads this clock, so skipped time looks like real time to the records.

use std::sync::atomic::{AtomicI64, Ordering};

pub struct Clock {
    skip_time: bool,
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn new(skip_time: bool) -> Self {
        Clock { skip_time, offset_ms: AtomicI64::new(0) }
    }

    pub fn skips_time(&self) -> bool {
        self.skip_time
    }

    pub fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis() + self.offset_ms.load(Ordering::SeqCst)
    }

    /// Moves virtual time forward so that `now_ms() >= target_ms`. Never moves backwards.
    pub fn advance_to(&self, target_ms: i64) {
        let now = self.now_ms();
        if target_ms > now {
            self.offset_ms.fetch_add(target_ms - now, Ordering::SeqCst);
        }
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
        let clock = Clock::new(true);
        let start = clock.now_ms();
        clock.advance_to(start + 10_000);
        assert!(clock.now_ms() >= start + 10_000);
        clock.advance_to(start);
        assert!(clock.now_ms() >= start + 10_000);
    }

    #[test]
    fn iso_has_millis_and_z() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
    }
}
