//! A value worked out once for each key as of a stamp (the changes seen,
//! the second it is) and shared: everyone asking for the same key and stamp
//! gets the one value, and while it is being worked out they wait for it
//! instead of each doing the work. Only the latest stamp of a key is kept.
//! The live board's renderings and the SLA report's answers go through it.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

/// Keys kept before all are forgotten (a flood of different filters must
/// not grow the map without bound).
const KEPT: usize = 1_024;

type Slot<V> = Arc<OnceCell<Arc<V>>>;

pub struct Latest<K, S, V> {
    entries: Mutex<HashMap<K, (S, Slot<V>)>>,
    /// Values worked out (for the tests and the benchmark to count).
    made: AtomicU64,
}

impl<K, S, V> Default for Latest<K, S, V> {
    fn default() -> Self {
        Self { entries: Mutex::default(), made: AtomicU64::new(0) }
    }
}

impl<K: Hash + Eq, S: Clone, V> Latest<K, S, V> {
    /// The value of `key` as of `stamp`: the one kept while `serves` says
    /// its stamp still serves, else `make`'s (made once, shared by every
    /// concurrent asker; an error is not kept).
    pub async fn get<E, F, Fut>(&self, key: K, stamp: S, serves: impl FnOnce(&S) -> bool, make: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let slot = {
            let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match entries.get(&key) {
                Some((kept, slot)) if serves(kept) => slot.clone(),
                _ => {
                    if entries.len() >= KEPT {
                        entries.clear();
                    }
                    let slot: Slot<V> = Arc::default();
                    entries.insert(key, (stamp, slot.clone()));
                    slot
                }
            }
        };
        let made = || async {
            self.made.fetch_add(1, Ordering::Relaxed);
            make().await.map(Arc::new)
        };
        slot.get_or_try_init(made).await.cloned()
    }

    /// How many values were worked out.
    pub fn made(&self) -> u64 {
        self.made.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_value_per_key_and_stamp_is_shared_by_every_asker() {
        let latest: Latest<&str, u32, String> = Latest::default();
        let ask = |key: &'static str, stamp: u32, value: &'static str| {
            latest.get(key, stamp, move |kept| *kept == stamp, move || async move { Ok::<_, ()>(value.to_owned()) })
        };
        let many = futures::future::join_all((0..50).map(|_| ask("bureau", 1, "a"))).await;
        assert!(many.iter().all(|v| v.as_deref() == Ok(&"a".to_owned())));
        assert_eq!(latest.made(), 1, "fifty askers, one value");
        assert_eq!(*ask("unit", 1, "u").await.unwrap(), "u", "another key has its own");
        assert_eq!(*ask("bureau", 2, "b").await.unwrap(), "b", "a new stamp makes it again");
        assert_eq!(*ask("bureau", 2, "c").await.unwrap(), "b");
        assert_eq!(latest.made(), 3);
    }

    #[tokio::test]
    async fn a_failure_is_not_kept() {
        let latest: Latest<u8, u8, u8> = Latest::default();
        assert!(latest.get(1, 1, |_| true, || async { Err::<u8, _>("down") }).await.is_err());
        assert_eq!(*latest.get(1, 1, |_| true, || async { Ok::<_, &str>(7) }).await.unwrap(), 7);
    }
}
