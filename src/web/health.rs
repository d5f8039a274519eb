//! Liveness, readiness and metrics for load balancers and operators.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use secrecy::ExposeSecret;

use super::problem::ApiError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics_text))
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: its database answers and every engine loop it
/// runs has finished a pass within `[engine] stall_after` (those that have
/// not are named).
async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
    if let Err(e) = state.store.ping().await {
        tracing::warn!(error = %e, "readiness check failed");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable".into());
    }
    let stalled = state.health.stalled(state.clock.now(), state.config.engine.stalled_after());
    if stalled.is_empty() {
        return (StatusCode::OK, "ready".into());
    }
    let loops: Vec<String> = stalled.iter().map(ToString::to_string).collect();
    (StatusCode::SERVICE_UNAVAILABLE, format!("engine loop stalled: {}", loops.join(", ")))
}

/// Whether a scrape may read `/metrics`: anyone when no token is
/// configured, else only a bearer of it (compared in constant time).
fn may_scrape(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(token) = &state.config.http.metrics_token else { return true };
    let given =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    given.is_some_and(|g| crate::crypto::same_secret(g.trim().as_bytes(), token.expose_secret().as_bytes()))
}

/// Prometheus text: engine counters and histograms, plus the backlog read
/// from the database at scrape time (so every instance reports the same).
/// With `ONSITE_HTTP__METRICS_TOKEN` set, only its bearer may read them.
async fn metrics_text(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !may_scrape(&state, &headers) {
        return ApiError::Unauthorized.into_response();
    }
    let handle = crate::telemetry::metrics_handle();
    match (state.store.pending_timer_count().await, state.store.queued_page_count().await) {
        (Ok(timers), Ok(pages)) => {
            metrics::gauge!("onsite_timers_pending").set(timers as f64);
            metrics::gauge!("onsite_pages_queued").set(pages as f64);
        }
        (Err(e), _) | (_, Err(e)) => tracing::warn!(error = %e, "cannot read the backlog for /metrics"),
    }
    let now = state.clock.now();
    match state.store.oldest_due_page(now).await {
        Ok(due) => {
            let waited = due.map_or(0.0, |at| (now - at).num_milliseconds().max(0) as f64 / 1000.0);
            metrics::gauge!("onsite_pages_oldest_due_seconds").set(waited);
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the oldest page for /metrics"),
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render()).into_response()
}
