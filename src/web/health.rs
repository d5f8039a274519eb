//! Liveness, readiness and metrics for load balancers and operators.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).route("/metrics", get(metrics_text))
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: its database answers.
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// Prometheus text: engine counters and histograms, plus the backlog read
/// from the database at scrape time (so every instance reports the same).
async fn metrics_text(State(state): State<AppState>) -> impl axum::response::IntoResponse {
    let handle = crate::telemetry::metrics_handle();
    match (state.store.pending_timer_count().await, state.store.queued_page_count().await) {
        (Ok(timers), Ok(pages)) => {
            metrics::gauge!("onsite_timers_pending").set(timers as f64);
            metrics::gauge!("onsite_pages_queued").set(pages as f64);
        }
        (Err(e), _) | (_, Err(e)) => tracing::warn!(error = %e, "cannot read the backlog for /metrics"),
    }
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render())
}
