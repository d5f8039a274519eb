//! When the outbox next looks for pages whose lease ran out. A lease runs
//! out only when a sender hung or died, and a dead peer's pages are handed
//! back by `release_dead_claims`, which asks for a look at once; so a claim
//! looks at most once every `EVERY` rather than on each of the hundred
//! claims a second a burst makes (the look was the costliest statement of a
//! PostgreSQL burst: it walks the index past every page sent since the
//! last vacuum).

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};

/// How long a lease that ran out may wait for a sender to notice it.
pub const EVERY: chrono::Duration = chrono::Duration::seconds(1);

/// The time of the next look, in milliseconds since the epoch.
#[derive(Debug)]
pub struct LeaseWatch {
    next: AtomicI64,
}

impl Default for LeaseWatch {
    fn default() -> Self {
        Self { next: AtomicI64::new(i64::MIN) }
    }
}

impl LeaseWatch {
    /// Whether a claim at `now` looks; if so, the next look is `EVERY` later.
    /// Of claims racing at the same moment, one looks. A clock set back by
    /// more than `EVERY` looks at once rather than waiting to catch up.
    pub fn due(&self, now: DateTime<Utc>) -> bool {
        let at = now.timestamp_millis();
        let every = EVERY.num_milliseconds();
        let next = self.next.load(Ordering::Acquire);
        (at >= next || at < next.saturating_sub(every))
            && self.next.compare_exchange(next, at + every, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }

    /// The next claim looks, whenever it comes (pages were handed back).
    pub fn now(&self) {
        self.next.store(i64::MIN, Ordering::Release);
    }

    /// When a lease that ran out at `expired` will be looked at.
    pub fn seen_at(&self, expired: DateTime<Utc>) -> DateTime<Utc> {
        let next = self.next.load(Ordering::Acquire);
        DateTime::from_timestamp_millis(next).map_or(expired, |n| n.max(expired))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_800_000_000_000 + ms).unwrap()
    }

    #[test]
    fn one_look_per_interval_unless_asked_again() {
        let w = LeaseWatch::default();
        assert!(w.due(at(0)), "the first claim looks");
        assert!(!w.due(at(10)), "a claim 10 ms later does not");
        assert_eq!(w.seen_at(at(5)), at(1_000), "a lease that ran out waits for the next look");
        assert_eq!(w.seen_at(at(2_000)), at(2_000));
        assert!(w.due(at(1_000)), "a claim an interval later looks again");
        w.now();
        assert!(w.due(at(1_001)), "after pages were handed back the next claim looks at once");
        assert!(w.due(at(-5_000)), "a clock set back looks at once");
        assert!(!w.due(at(-4_990)));
    }
}
