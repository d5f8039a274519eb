//! Backups the service takes by itself (`[backup] every`, SQLite only),
//! the oldest beyond `[backup] keep` deleted. A failure is logged and
//! counted (`onsite_backups_failed_total`); the time of the last good one
//! is exported (`onsite_backup_last_success_seconds`) for an alert.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::AppState;

/// Takes a backup in a task of its own, so that the loop keeps turning
/// however long it takes; skipped while the last one still runs.
pub fn start(state: &AppState, running: &Arc<AtomicBool>) {
    if running.swap(true, Ordering::AcqRel) {
        tracing::warn!("the previous scheduled backup is still running; this one is skipped");
        return;
    }
    let (state, running) = (state.clone(), running.clone());
    tokio::spawn(async move {
        take(&state).await;
        running.store(false, Ordering::Release);
    });
}

async fn take(state: &AppState) {
    let c = &state.config;
    match crate::backup::take(&state.store, c, &c.backup.dir, state.clock.now(), Some(c.backup.keep)).await {
        Ok(taken) => {
            tracing::info!(file = %taken.file.display(), bytes = taken.bytes, pruned = taken.pruned, "backup written");
            metrics::gauge!("onsite_backup_last_success_seconds").set(taken.manifest.taken_at.timestamp() as f64);
        }
        Err(e) => {
            tracing::error!(error = %e, "scheduled backup failed");
            metrics::counter!("onsite_backups_failed_total").increment(1);
        }
    }
}
