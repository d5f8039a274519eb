//! Settled rows forgotten hourly as `[retention]` says (pages, expired web
//! sessions, handled Telegram updates). A failure is logged and tried again
//! at the next hour.

use crate::AppState;

/// Deletes what `[retention]` no longer keeps.
pub async fn forget(state: &AppState) {
    match state.store.sweep_retention(&state.config.retention.retention(), state.clock.now()).await {
        Ok(swept) if swept.total() > 0 => tracing::info!(
            pages = swept.pages,
            web_sessions = swept.web_sessions,
            telegram_updates = swept.telegram_updates,
            "retention swept"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "retention sweep failed"),
    }
}
