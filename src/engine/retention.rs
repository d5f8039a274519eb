//! Settled rows forgotten hourly as `[retention]` says (pages, expired web
//! sessions, handled Telegram updates), and rate limits' keys idle for a day.
//! A failure is logged and tried again at the next hour.

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

/// Forgets the shared rate limits' idle keys (they follow the wall clock,
/// as the limits do).
pub async fn forget_idle_limits(state: &AppState) {
    if let Err(e) = state.store.forget_idle_limits(chrono::Utc::now()).await {
        tracing::warn!(error = %e, "forgetting idle rate limits failed");
    }
}
