//! The background work of one instance: the timer engine, duty hand-overs
//! and the page outbox, driven by one loop that sleeps until the earliest due row, a
//! wake-up (this process, or a peer through PostgreSQL NOTIFY), or the
//! fallback poll. Every step is also callable alone (`tick`) for tests.

pub mod backups;
pub mod call_limit;
pub mod credentials;
pub mod evidence;
pub mod handovers;
pub mod health;
pub mod heartbeat;
pub mod instructions;
pub mod outbox;
pub mod retention;
pub mod telegram;
pub mod test_page;
pub mod timers;
pub mod work_reports;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::AppState;
use crate::domain::clock::Clock;
use crate::store::StoreError;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    pub timers: usize,
    pub pages: usize,
    /// Duty hand-over messages written.
    pub handovers: usize,
    /// Unread instructions followed up.
    pub instructions: usize,
    /// Units told of a work report due or overdue.
    pub work_reports: usize,
    /// Credentials whose units were told they lapse soon or lapsed.
    pub credentials: usize,
}

/// One instance's engine.
#[derive(Clone)]
pub struct Engine {
    state: AppState,
    instance: String,
}

impl Engine {
    pub fn new(state: AppState) -> Self {
        // The store's number is what this instance's claims carry.
        let instance = format!("{}-{}", std::process::id(), state.store.instance());
        Self { state, instance }
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Fires every due timer, writes due hand-over messages and the
    /// follow-ups of instructions, work reports and credentials, then sends
    /// every due page.
    pub async fn tick(&self) -> Result<Tick, StoreError> {
        self.state.store.release_dead_claims(self.state.clock.now()).await?;
        let timers = timers::fire_due(&self.state, &self.instance).await?;
        let handovers = handovers::announce_due(&self.state).await?.pages;
        let instructions = instructions::follow_up_due(&self.state).await?;
        let work_reports = work_reports::follow_up_due(&self.state).await?.0;
        let credentials = credentials::follow_up_due(&self.state).await?.0;
        let pages = outbox::send_due(&self.state).await?;
        self.state.store.seal_audit().await?;
        Ok(Tick { timers, pages, handovers, instructions, work_reports, credentials })
    }

    /// Runs the timer loop and the outbox loop until `stop` turns true. They
    /// are separate so a slow provider never delays a timer.
    pub fn spawn(self, stop: watch::Receiver<bool>) -> JoinHandle<()> {
        let [timer_wake, outbox_wake] = self.state.store.wake_signals();
        {
            let (store, stop) = (self.state.store.clone(), stop.clone());
            tokio::spawn(async move { store.listen_for_peers(stop).await });
        }
        tracing::info!(instance = %self.instance, "engine started");
        let timers = {
            let (engine, stop) = (self.clone(), stop.clone());
            tokio::spawn(run_loop(Loop::new("timers", &self.state, timer_wake), stop, move || {
                let engine = engine.clone();
                async move {
                    timers::fire_due(&engine.state, &engine.instance).await?;
                    instructions::follow_up_due(&engine.state).await?;
                    let store = &engine.state.store;
                    Ok(earliest(store.next_timer_due().await?, store.next_instruction_due().await?))
                }
            }))
        };
        let outbox = {
            let engine = self.clone();
            tokio::spawn(run_loop(Loop::new("outbox", &self.state, outbox_wake), stop.clone(), move || {
                let engine = engine.clone();
                async move {
                    outbox::send_due(&engine.state).await?;
                    engine.state.store.next_page_due().await
                }
            }))
        };
        // Takes back the pages a dead peer was sending, every
        // `failover_check` on PostgreSQL; on SQLite a previous run's, once.
        let failover = if self.state.store.backend() == sea_orm::DbBackend::Postgres {
            let engine = self.clone();
            let never = Arc::new(Notify::new());
            let every = chrono::Duration::from_std(self.state.config.engine.failover_check)
                .unwrap_or(chrono::Duration::seconds(1));
            tokio::spawn(run_loop(Loop::new("failover", &self.state, never), stop.clone(), move || {
                let engine = engine.clone();
                async move {
                    let now = engine.state.clock.now();
                    engine.state.store.release_dead_claims(now).await?;
                    Ok(Some(now + every))
                }
            }))
        } else {
            let store = self.state.store.clone();
            let now = self.state.clock.now();
            tokio::spawn(async move {
                if let Err(e) = store.release_dead_claims(now).await {
                    tracing::warn!(error = %e, "cannot take back a previous run's pages; their lease will");
                }
            })
        };
        // Seals the audit entries committed since the last pass, every poll
        // interval (nothing wakes it: writers never wait on the chain).
        let audit = {
            let engine = self.clone();
            let never = Arc::new(Notify::new());
            tokio::spawn(run_loop(Loop::new("audit", &self.state, never), stop.clone(), move || {
                let engine = engine.clone();
                async move { engine.state.store.seal_audit_pass(engine.state.clock.now()).await }
            }))
        };
        // Tells people their duty starts (and support leads of a gap), and
        // units of a work report due or overdue and of credentials lapsing,
        // waking at the next of these.
        let handovers = {
            let engine = self.clone();
            let never = Arc::new(Notify::new());
            tokio::spawn(run_loop(Loop::new("handovers", &self.state, never), stop.clone(), move || {
                let engine = engine.clone();
                async move {
                    let next = handovers::announce_due(&engine.state).await?.next;
                    let (_, report_due) = work_reports::follow_up_due(&engine.state).await?;
                    let (_, tomorrow) = credentials::follow_up_due(&engine.state).await?;
                    Ok(earliest(earliest(next, Some(report_due)), Some(tomorrow)))
                }
            }))
        };
        // Deletes the evidence objects no record names and what retention no
        // longer keeps, at start and hourly;
        // takes a backup every `[backup] every` (SQLite), the first one
        // period after start.
        let periodic = {
            let engine = self.clone();
            let never = Arc::new(Notify::new());
            let now = self.state.clock.now();
            let sweep = Every::starting(now, chrono::Duration::hours(1));
            let backups = self
                .state
                .config
                .backup
                .every
                .filter(|_| self.state.store.sqlite_file().is_some())
                .and_then(|every| chrono::Duration::from_std(every).ok())
                .map(|every| Every::starting(now + every, every));
            let running = Arc::new(std::sync::atomic::AtomicBool::new(false));
            tokio::spawn(run_loop(Loop::new("periodic", &self.state, never), stop.clone(), move || {
                let (engine, sweep, backups, running) =
                    (engine.clone(), sweep.clone(), backups.clone(), running.clone());
                async move {
                    let now = engine.state.clock.now();
                    if sweep.due(now) {
                        evidence::sweep(&engine.state).await;
                        retention::forget(&engine.state).await;
                        retention::forget_idle_limits(&engine.state).await;
                    }
                    if backups.as_ref().is_some_and(|b| b.due(now)) {
                        backups::start(&engine.state, &running);
                    }
                    Ok(earliest(Some(sweep.next()), backups.map(|b| b.next())))
                }
            }))
        };
        // The dead man's switch, in a loop of its own so that a long
        // backup never delays it.
        let heartbeat = {
            let engine = self.clone();
            let never = Arc::new(Notify::new());
            let beats = self.state.config.heartbeat.url.as_ref().and_then(|_| {
                let every = chrono::Duration::from_std(self.state.config.heartbeat.every).ok()?;
                Some(Every::starting(self.state.clock.now(), every))
            });
            tokio::spawn(run_loop(Loop::new("heartbeat", &self.state, never), stop.clone(), move || {
                let (engine, beats) = (engine.clone(), beats.clone());
                async move {
                    let Some(beats) = beats else { return Ok(None) };
                    if beats.due(engine.state.clock.now()) {
                        heartbeat::beat(&engine.state).await;
                    }
                    Ok(Some(beats.next()))
                }
            }))
        };
        let instance = self.instance.clone();
        tokio::spawn(async move {
            let _ = tokio::join!(timers, outbox, failover, audit, handovers, periodic, heartbeat);
            tracing::info!(%instance, "engine stopped");
        })
    }
}

/// The sooner of two due times, either may be missing.
pub fn earliest(
    a: Option<chrono::DateTime<chrono::Utc>>,
    b: Option<chrono::DateTime<chrono::Utc>>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Work due every `period` of the clock, whatever the loop's poll.
#[derive(Clone)]
struct Every {
    period: chrono::Duration,
    next: Arc<std::sync::Mutex<chrono::DateTime<chrono::Utc>>>,
}

impl Every {
    fn starting(first: chrono::DateTime<chrono::Utc>, period: chrono::Duration) -> Self {
        Self { period, next: Arc::new(std::sync::Mutex::new(first)) }
    }

    /// Whether the work is due at `now`; if so, the next time is set.
    fn due(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        let mut next = self.next.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if now < *next {
            return false;
        }
        *next = now + self.period;
        true
    }

    fn next(&self) -> chrono::DateTime<chrono::Utc> {
        *self.next.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What one background loop needs besides its work.
struct Loop {
    name: &'static str,
    clock: Arc<dyn Clock>,
    poll: Duration,
    wake: Arc<Notify>,
    health: Arc<health::Health>,
}

impl Loop {
    /// A loop named `name`, counted as turning from now.
    fn new(name: &'static str, state: &AppState, wake: Arc<Notify>) -> Self {
        state.health.turned(name, state.clock.now());
        let (clock, poll, health) = (state.clock.clone(), state.config.engine.poll_interval, state.health.clone());
        Self { name, clock, poll, wake, health }
    }
}

/// One background loop: do the work, then sleep until the next due time it
/// reports, a wake-up, or the poll interval, whichever comes first.
async fn run_loop<F, Fut>(l: Loop, mut stop: watch::Receiver<bool>, mut pass: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<chrono::DateTime<chrono::Utc>>, StoreError>>,
{
    while !*stop.borrow() {
        let passed = pass().await;
        if passed.is_ok() {
            l.health.turned(l.name, l.clock.now());
        }
        let sleep = match passed {
            // At least a millisecond: a row a peer holds locked may look due
            // until the peer commits, and must not make this loop spin.
            Ok(Some(due)) => {
                (due - l.clock.now()).to_std().unwrap_or(Duration::ZERO).clamp(Duration::from_millis(1), l.poll)
            }
            Ok(None) => l.poll,
            Err(e) => {
                tracing::error!(loop_name = l.name, error = %e, "engine pass failed; retrying shortly");
                Duration::from_secs(1).min(l.poll)
            }
        };
        tokio::select! {
            () = l.wake.notified() => {}
            () = tokio::time::sleep(sleep) => {}
            _ = stop.changed() => {}
        }
    }
}
