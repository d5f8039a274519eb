//! The background work of one instance: the timer engine and the page
//! outbox, driven by one loop that sleeps until the earliest due row, a
//! wake-up (this process, or a peer through PostgreSQL NOTIFY), or the
//! fallback poll. Every step is also callable alone (`tick`) for tests.

pub mod outbox;
pub mod timers;

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::AppState;
use crate::store::{StoreError, WAKE_CHANNEL};

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    pub timers: usize,
    pub pages: usize,
}

/// One instance's engine.
#[derive(Clone)]
pub struct Engine {
    state: AppState,
    instance: String,
}

impl Engine {
    pub fn new(state: AppState) -> Self {
        let instance = format!("{}-{}", std::process::id(), crate::store::users::random_secret("", 3));
        Self { state, instance }
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Fires every due timer, then sends every due page.
    pub async fn tick(&self) -> Result<Tick, StoreError> {
        let timers = timers::fire_due(&self.state, &self.instance).await?;
        let pages = outbox::send_due(&self.state).await?;
        Ok(Tick { timers, pages })
    }

    /// How long to sleep: until the earliest due timer or page, at most the poll interval.
    async fn idle_for(&self) -> Result<Duration, StoreError> {
        let poll = self.state.config.engine.poll_interval;
        let next = match (self.state.store.next_timer_due().await?, self.state.store.next_page_due().await?) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let now = self.state.clock.now();
        Ok(next.map_or(poll, |due| (due - now).to_std().unwrap_or(Duration::ZERO).min(poll)))
    }

    /// Runs until `stop` turns true.
    pub fn spawn(self, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
        if !self.state.config.is_sqlite() {
            tokio::spawn(listen_for_peers(self.state.config.database.url.clone(), self.state.store.wake_signal(), stop.clone()));
        }
        let wake = self.state.store.wake_signal();
        tokio::spawn(async move {
            tracing::info!(instance = %self.instance, "engine started");
            loop {
                let idle = match self.tick().await.and(Ok(())) {
                    Ok(()) => self.idle_for().await.unwrap_or(Duration::from_secs(1)),
                    Err(e) => {
                        tracing::error!(error = %e, "engine pass failed; retrying shortly");
                        Duration::from_secs(1)
                    }
                };
                if idle.is_zero() {
                    // More is due already (a page retry due now): yield, then go on.
                    tokio::task::yield_now().await;
                    if *stop.borrow() {
                        break;
                    }
                    continue;
                }
                tokio::select! {
                    () = wake.notified() => {}
                    () = tokio::time::sleep(idle) => {}
                    _ = stop.changed() => {}
                }
                if *stop.borrow() {
                    break;
                }
            }
            tracing::info!(instance = %self.instance, "engine stopped");
        })
    }
}

/// Wakes this instance when a peer commits new work (PostgreSQL LISTEN).
async fn listen_for_peers(url: String, wake: std::sync::Arc<tokio::sync::Notify>, mut stop: watch::Receiver<bool>) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let mut listener = match PgListener::connect(&url).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "cannot LISTEN for peers; polling meanwhile");
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(2)) => continue,
                    _ = stop.changed() => return,
                }
            }
        };
        if let Err(e) = listener.listen(WAKE_CHANNEL).await {
            tracing::warn!(error = %e, "LISTEN failed");
            continue;
        }
        loop {
            tokio::select! {
                n = listener.recv() => match n {
                    Ok(_) => wake.notify_one(),
                    Err(e) => {
                        tracing::warn!(error = %e, "peer listener lost; reconnecting");
                        break;
                    }
                },
                _ = stop.changed() => return,
            }
        }
    }
}
