//! Backups the service takes by itself (`[backup] every`, SQLite only),
//! the oldest beyond `[backup] keep` deleted. A failure is logged and
//! counted (`onsite_backups_failed_total`); the time of the last good one
//! is exported (`onsite_backup_last_success_seconds`) for an alert.

use crate::AppState;

pub async fn take(state: &AppState) {
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
