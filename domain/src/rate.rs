//! Rate limits as a sliding log: a key may be used at most `count` times in
//! any window of `window`. The log keeps the last `count` uses, so the rule is
//! exact (Telegram's "20 messages a minute to a group" holds for every
//! minute, not just on average) and the same whether the log lives in one
//! process or in the database several instances share.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// At most `count` uses in any `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub count: u32,
    pub window: Duration,
}

impl Limit {
    pub const fn new(count: u32, window: Duration) -> Self {
        Self { count, window }
    }

    pub fn per_second(count: u32) -> Self {
        Self::new(count, Duration::seconds(1))
    }

    pub fn per_minute(count: u32) -> Self {
        Self::new(count, Duration::minutes(1))
    }

    pub fn per_hour(count: u32) -> Self {
        Self::new(count, Duration::hours(1))
    }
}

/// The recent uses of one key, oldest first (at most the limit's count).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UseLog(Vec<DateTime<Utc>>);

impl UseLog {
    /// When the key may next be used at or after `now`: `now` itself if a
    /// use is free, else when the oldest use in the window leaves it.
    pub fn ready_at(&self, limit: Limit, now: DateTime<Utc>) -> DateTime<Utc> {
        let count = limit.count.max(1) as usize;
        let in_window = &self.0[self.0.partition_point(|at| *at <= now - limit.window)..];
        match in_window.len().checked_sub(count) {
            // The use that must leave the window before another may enter.
            Some(leaving) => in_window[leaving] + limit.window,
            None => now,
        }
    }

    /// Records a use at `now`, keeping only what the limit can still need.
    pub fn record(&mut self, limit: Limit, now: DateTime<Utc>) {
        self.0.drain(..self.0.partition_point(|at| *at <= now - limit.window));
        let at = self.0.partition_point(|at| *at <= now);
        self.0.insert(at, now);
        let count = limit.count.max(1) as usize;
        if self.0.len() > count {
            self.0.drain(..self.0.len() - count);
        }
    }

    /// Whether nothing in the log can hold a use back at `now` any more.
    pub fn lapsed(&self, window: Duration, now: DateTime<Utc>) -> bool {
        self.0.last().is_none_or(|last| *last <= now - window)
    }
}

/// Several limits on one use (Telegram: the chat's second, the chat's
/// minute, the bot overall): when all of them allow it.
pub fn ready_at<'a>(logs: impl IntoIterator<Item = (&'a UseLog, Limit)>, now: DateTime<Utc>) -> DateTime<Utc> {
    logs.into_iter().map(|(log, limit)| log.ready_at(limit, now)).max().unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::t0;

    fn ms(n: i64) -> Duration {
        Duration::milliseconds(n)
    }

    #[test]
    fn uses_up_to_the_count_go_at_once_then_wait_for_the_oldest_to_leave() {
        let limit = Limit::per_second(3);
        let mut log = UseLog::default();
        for i in 0..3 {
            assert_eq!(log.ready_at(limit, t0() + ms(i * 10)), t0() + ms(i * 10));
            log.record(limit, t0() + ms(i * 10));
        }
        assert_eq!(log.ready_at(limit, t0() + ms(30)), t0() + ms(1_000), "the first use leaves the window at 1 s");
        log.record(limit, t0() + ms(1_000));
        assert_eq!(log.ready_at(limit, t0() + ms(1_000)), t0() + ms(1_010));
    }

    #[test]
    fn no_window_ever_holds_more_than_the_count() {
        let limit = Limit::per_minute(20);
        let mut log = UseLog::default();
        let mut uses = Vec::new();
        let mut now = t0();
        for _ in 0..70 {
            now = log.ready_at(limit, now);
            log.record(limit, now);
            uses.push(now);
            now += ms(700);
        }
        for (i, first) in uses.iter().enumerate() {
            let within = uses[i..].iter().filter(|at| **at < *first + limit.window).count();
            assert!(within <= 20, "{within} uses in the minute from {first}");
        }
        assert!(log.0.len() <= 20, "the log keeps only what it needs");
    }

    #[test]
    fn the_latest_of_several_limits_wins() {
        let (second, minute) = (Limit::per_second(1), Limit::per_minute(2));
        let (mut chat_s, mut chat_m) = (UseLog::default(), UseLog::default());
        for at in [t0(), t0() + ms(1_000)] {
            chat_s.record(second, at);
            chat_m.record(minute, at);
        }
        let now = t0() + ms(2_000);
        assert_eq!(ready_at([(&chat_s, second), (&chat_m, minute)], now), t0() + ms(60_000));
    }

    #[test]
    fn a_log_lapses_once_its_newest_use_leaves_the_window() {
        let limit = Limit::per_second(1);
        let mut log = UseLog::default();
        assert!(log.lapsed(limit.window, t0()));
        log.record(limit, t0());
        assert!(!log.lapsed(limit.window, t0() + ms(999)));
        assert!(log.lapsed(limit.window, t0() + ms(1_000)));
    }

    #[test]
    fn a_use_recorded_late_keeps_the_log_in_order() {
        let limit = Limit::per_second(2);
        let mut log = UseLog::default();
        log.record(limit, t0() + ms(500));
        log.record(limit, t0() + ms(200));
        assert_eq!(log.0, vec![t0() + ms(200), t0() + ms(500)]);
        assert_eq!(log.ready_at(limit, t0() + ms(600)), t0() + ms(1_200));
    }
}
