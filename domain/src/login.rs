//! Web sign-in rules: repeated wrong passwords lock the account for a while,
//! and a browser session ends after a quiet spell or at its absolute limit.

use chrono::{DateTime, Duration, Utc};

/// How many wrong passwords in a row lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lockout {
    pub max_failures: i32,
    pub duration: Duration,
}

/// The account's sign-in counters after a wrong password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AfterFailure {
    pub failed_logins: i32,
    pub locked_until: Option<DateTime<Utc>>,
}

impl Lockout {
    /// Counts a wrong password; the last allowed one locks the account and
    /// restarts the count, so the next lock needs a full run of failures.
    pub fn after_failure(self, failed_logins: i32, now: DateTime<Utc>) -> AfterFailure {
        let failed = failed_logins.saturating_add(1);
        if failed >= self.max_failures {
            AfterFailure { failed_logins: 0, locked_until: Some(now + self.duration) }
        } else {
            AfterFailure { failed_logins: failed, locked_until: None }
        }
    }
}

/// Whether an account locked until `locked_until` is still locked at `now`.
pub fn is_locked(locked_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    locked_until.is_some_and(|until| until > now)
}

/// Session lifetime: idle timeout and absolute limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetime {
    pub idle: Duration,
    pub max: Duration,
}

impl SessionLifetime {
    /// When a session created at `created` and last used at `now` expires.
    pub fn expiry(self, created: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
        (now + self.idle).min(created + self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{min, t0};

    const FIVE: Lockout = Lockout { max_failures: 5, duration: Duration::minutes(15) };

    #[test]
    fn the_fifth_wrong_password_locks_for_fifteen_minutes() {
        let mut failed = 0;
        for _ in 0..4 {
            let after = FIVE.after_failure(failed, t0());
            assert_eq!(after.locked_until, None);
            failed = after.failed_logins;
        }
        assert_eq!(failed, 4);
        let locked = FIVE.after_failure(failed, t0());
        assert_eq!(locked.locked_until, Some(min(15)));
        assert!(is_locked(locked.locked_until, min(14)));
        assert!(!is_locked(locked.locked_until, min(15)));
    }

    #[test]
    fn a_session_ends_when_idle_or_at_its_limit_whichever_is_first() {
        let life = SessionLifetime { idle: Duration::minutes(30), max: Duration::hours(2) };
        assert_eq!(life.expiry(t0(), min(10)), min(40));
        assert_eq!(life.expiry(t0(), min(100)), min(120));
    }
}
