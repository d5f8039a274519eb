//! When each engine loop last finished a pass: a loop that has not for
//! longer than `[engine] stall_after` is stalled (a hung provider, a lock
//! never released, a panic that killed its task). `/readyz` names the
//! stalled loops and the heartbeat is withheld while there is one, so the
//! monitor on the other end pages someone.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Default)]
pub struct Health {
    turned: Mutex<BTreeMap<&'static str, DateTime<Utc>>>,
}

/// A loop that has not turned for too long, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stalled {
    pub name: &'static str,
    pub since: DateTime<Utc>,
}

impl Health {
    /// `name` finished a pass (or started) at `at`.
    pub fn turned(&self, name: &'static str, at: DateTime<Utc>) {
        self.turned.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(name, at);
        metrics::gauge!("onsite_engine_loop_turned_seconds", "loop" => name).set(at.timestamp() as f64);
    }

    /// The loops that have not turned within `stall_after` of `now`.
    pub fn stalled(&self, now: DateTime<Utc>, stall_after: Duration) -> Vec<Stalled> {
        let turned = self.turned.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        turned
            .iter()
            .filter(|(_, at)| now - **at > stall_after)
            .map(|(name, at)| Stalled { name, since: *at })
            .collect()
    }
}

impl std::fmt::Display for Stalled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (last turned {})", self.name, self.since.format("%Y-%m-%dT%H:%M:%SZ"))
    }
}
