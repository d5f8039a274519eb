//! The injected source of "now". Production reads the system clock; tests
//! drive a manual clock so two hours pass without sleeping.

use std::sync::Mutex;

use chrono::{DateTime, Duration, DurationRound, Utc};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// Truncates to whole microseconds, the precision PostgreSQL keeps, so a time
/// reads back from either database exactly as it was written.
pub fn to_storage_precision(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(Duration::microseconds(1)).unwrap_or(at)
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        to_storage_precision(Utc::now())
    }
}

/// A clock that moves only when told to.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self { now: Mutex::new(to_storage_precision(start)) }
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.lock() = to_storage_precision(at);
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.lock();
        *now = to_storage_precision(*now + by);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DateTime<Utc>> {
        // A poisoned lock still holds a valid time; keep going with it.
        self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let start = DateTime::parse_from_rfc3339("2026-11-24T16:00:00Z").unwrap().to_utc();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::minutes(90));
        assert_eq!(clock.now(), start + Duration::minutes(90));
    }

    #[test]
    fn storage_precision_drops_nanoseconds() {
        let at = DateTime::parse_from_rfc3339("2026-11-24T16:00:00.123456789Z").unwrap().to_utc();
        assert_eq!(to_storage_precision(at).timestamp_subsec_nanos(), 123_456_000);
    }
}
