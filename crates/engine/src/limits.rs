//! The range of every timeout and limit a user can set, in one table, and the one check that
//! refuses a value outside it naming the field, the value and the range. The engine's settings
//! are checked here when an engine opens; the TypeScript layer checks its own knobs (worker
//! flags, config-file fields) through the binding's `checkLimit`, so a range is written once and
//! every refusal reads alike. Where AWS has a limit, the range is the service's (the Lambda API
//! model of botocore 1.44.8).

use crate::config::{EngineConfig, MAX_RETRY_DELAY_MS};
use crate::error::{EngineError, Result};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    /// The name the limit is looked up by (`checkLimit("leaseMs", …)`).
    pub name: &'static str,
    pub min: i64,
    pub max: i64,
    /// What the number counts ("ms", "seconds", "days", …).
    pub unit: &'static str,
}

const fn limit(name: &'static str, min: i64, max: i64, unit: &'static str) -> Limit {
    Limit { name, min, max, unit }
}

/// One year of seconds: the service's longest execution, wait and retry delay.
pub const YEAR_SECONDS: i64 = 31_622_400;

pub const LIMITS: &[Limit] = &[
    // The engine's settings (EngineConfig, DurableEngine.open).
    limit("leaseMs", 100, 86_400_000, "ms"),
    limit("pollMs", 1, 60_000, "ms"),
    limit("pageSize", 1, 1_000, "operations"),
    limit("invocationRetryDelayMs", 0, MAX_RETRY_DELAY_MS, "ms"),
    limit("maxFailedInvocations", 1, 1_000, "invocations"),
    limit("callbackQuietMs", 0, 3_600_000, "ms"),
    limit("storageRetryMs", 0, 3_600_000, "ms"),
    // A manual clock's start: from the epoch to the last millisecond of year 9999.
    limit("manualClockMs", 0, 253_402_300_799_999, "ms since the epoch"),
    // DurableConfig of a function (AWS: ExecutionTimeout 1..31622400, RetentionPeriodInDays 1..90).
    limit("executionTimeout", 1, YEAR_SECONDS, "seconds"),
    limit("retentionPeriodInDays", 1, 90, "days"),
    // A function's timeout per invocation (AWS Lambda: 1 to 900 seconds).
    limit("functionTimeout", 1, 900, "seconds"),
    // A function's memory size (AWS Lambda: 128 to 10,240 MB); a Node runtime's heap limit.
    limit("functionMemory", 128, 10_240, "MB"),
    // The worker (ts/cli/worker-command.ts).
    limit("concurrency", 1, 10_000, "invocations"),
    limit("shutdownTimeoutMs", 0, 3_600_000, "ms"),
    limit("port", 0, 65_535, ""),
];

pub fn find(name: &str) -> Option<&'static Limit> {
    LIMITS.iter().find(|l| l.name == name)
}

impl Limit {
    fn refuse(&self, shown_as: &str, value: impl std::fmt::Display) -> EngineError {
        let unit = if self.unit.is_empty() { String::new() } else { format!(" {}", self.unit) };
        EngineError::parameter(shown_as, value, format!("must be a whole number from {} to {}{unit}", self.min, self.max))
    }

    /// `value` if it is within the range; else the refusal, naming `shown_as` (a flag such as
    /// `--lease-ms`, a config field, or the option's name).
    pub fn check(&self, shown_as: &str, value: i64) -> Result<i64> {
        if (self.min..=self.max).contains(&value) {
            Ok(value)
        } else {
            Err(self.refuse(shown_as, value))
        }
    }

    /// `check` for a number from JavaScript or a config file: it must also be whole.
    pub fn check_number(&self, shown_as: &str, value: f64) -> Result<i64> {
        if !value.is_finite() || value.fract() != 0.0 || value < i64::MIN as f64 || value > i64::MAX as f64 {
            return Err(self.refuse(shown_as, value));
        }
        self.check(shown_as, value as i64)
    }

    /// `check` for the text of a command-line flag (decimal digits, optionally signed).
    pub fn check_text(&self, shown_as: &str, text: &str) -> Result<i64> {
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.refuse(shown_as, format!("{text:?}")));
        }
        match text.parse::<i64>() {
            Ok(v) => self.check(shown_as, v),
            Err(_) => Err(self.refuse(shown_as, text)),
        }
    }
}

fn named(name: &str) -> &'static Limit {
    find(name).unwrap_or_else(|| panic!("no limit named {name}"))
}

impl EngineConfig {
    /// Refuses settings outside their range (names the option, the value and the range).
    pub fn validate(&self) -> Result<()> {
        named("leaseMs").check("leaseMs", self.lease_ms)?;
        named("pollMs").check("pollMs", self.poll_ms as i64)?;
        named("pageSize").check("pageSize", self.page_size as i64)?;
        named("invocationRetryDelayMs").check("invocationRetryDelayMs", self.invocation_retry_delay_ms)?;
        named("maxFailedInvocations").check("maxFailedInvocations", self.max_failed_invocations)?;
        named("executionTimeout").check("executionTimeout", self.execution_timeout_s)?;
        named("storageRetryMs").check("storageRetryMs", self.storage_retry_ms)?;
        if let Some(quiet) = self.callback_quiet_ms {
            named("callbackQuietMs").check("callbackQuietMs", quiet)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_ranges_ordered() {
        for (i, l) in LIMITS.iter().enumerate() {
            assert!(l.min <= l.max, "{l:?}");
            assert!(LIMITS[i + 1..].iter().all(|o| o.name != l.name), "{} twice", l.name);
        }
        EngineConfig::default().validate().unwrap();
    }

    #[test]
    fn a_refusal_names_the_field_the_value_and_the_range() {
        let e = named("functionTimeout").check_text("--timeout", "0").unwrap_err();
        assert_eq!(e.to_string(), "invalid --timeout 0: must be a whole number from 1 to 900 seconds");
        assert!(named("functionTimeout").check_text("--timeout", "1.5").unwrap_err().to_string().contains("\"1.5\""));
        assert!(named("functionTimeout").check_text("--timeout", "").is_err());
        assert_eq!(named("functionTimeout").check_text("--timeout", "900").unwrap(), 900);
        assert!(named("port").check_number("port", 65_536.0).unwrap_err().to_string().contains("from 0 to 65535"));
        assert!(named("port").check_number("port", 1.5).is_err());
        assert!(named("port").check_number("port", f64::NAN).is_err());
        assert!(named("retentionPeriodInDays").check("RetentionPeriodInDays", 91).is_err());
        let bad = EngineConfig { lease_ms: -1, ..Default::default() };
        assert_eq!(bad.validate().unwrap_err().to_string(), "invalid leaseMs -1: must be a whole number from 100 to 86400000 ms");
        let bad = EngineConfig { execution_timeout_s: YEAR_SECONDS + 1, ..Default::default() };
        assert!(bad.validate().unwrap_err().to_string().contains("executionTimeout 31622401"));
    }
}
