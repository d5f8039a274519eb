//! Where rate limits are counted. On PostgreSQL several instances may serve
//! one deployment, so the limits are kept in the database they share
//! (`Store::take_uses`); on SQLite one instance serves, and they are kept in
//! its memory. Both follow the domain's sliding log, so a limit means the
//! same on either. Limits follow the wall clock: they are other parties'
//! (Telegram's) or guard against a stranger's guessing, in real seconds.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use sea_orm::DbBackend;

use crate::domain::rate::{self, Limit, UseLog};
use crate::store::Store;

/// Keys remembered in memory before lapsed ones are forgotten: a flood from
/// many addresses must not grow the map without bound.
const REMEMBERED_KEYS: usize = 10_000;

/// A store error holds the use back this long rather than letting it through.
const ON_ERROR_WAIT: Duration = Duration::seconds(1);

pub enum Limits {
    Local(Mutex<HashMap<String, (UseLog, Duration)>>),
    Shared(Store),
}

impl Limits {
    /// Counted where the store's deployment needs them counted.
    pub fn for_store(store: &Store) -> Self {
        match store.backend() {
            DbBackend::Postgres => Self::Shared(store.clone()),
            _ => Self::Local(Mutex::default()),
        }
    }

    /// Takes one use of every key under its limit if all allow it now;
    /// otherwise takes none and says when they would.
    pub async fn take(&self, uses: &[(String, Limit)]) -> Result<(), DateTime<Utc>> {
        let now = Utc::now();
        match self {
            Self::Local(logs) => {
                let mut logs = logs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if logs.len() > REMEMBERED_KEYS {
                    logs.retain(|_, (log, window)| !log.lapsed(*window, now));
                }
                let empty = UseLog::default();
                let ready = rate::ready_at(
                    uses.iter().map(|(key, limit)| (logs.get(key).map_or(&empty, |l| &l.0), *limit)),
                    now,
                );
                if ready > now {
                    return Err(ready);
                }
                for (key, limit) in uses {
                    let entry = logs.entry(key.clone()).or_insert_with(|| (UseLog::default(), limit.window));
                    entry.0.record(*limit, now);
                    entry.1 = entry.1.max(limit.window);
                }
                Ok(())
            }
            Self::Shared(store) => store.take_uses(uses, now).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot count a rate limit in the database; holding the use back");
                Err(now + ON_ERROR_WAIT)
            }),
        }
    }

    /// One use of one key: whether it was allowed now.
    pub async fn allow(&self, key: String, limit: Limit) -> bool {
        self.take(&[(key, limit)]).await.is_ok()
    }
}
