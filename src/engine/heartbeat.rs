//! The dead man's switch: while every engine loop turns, a POST to
//! `[heartbeat] url` every `[heartbeat] every` (the heartbeat monitors of
//! GoAlert and Grafana OnCall, or any uptime service, page someone when the
//! calls stop). A stalled loop withholds it, and so does a dead process.

use std::sync::OnceLock;

use secrecy::ExposeSecret;

use crate::AppState;

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().unwrap_or_default()
    })
}

/// Calls the heartbeat URL when the engine is healthy; says whether it
/// went out.
pub async fn beat(state: &AppState) -> bool {
    let Some(url) = &state.config.heartbeat.url else { return false };
    let stalled = state.health.stalled(state.clock.now(), state.config.engine.stalled_after());
    if !stalled.is_empty() {
        let loops: Vec<String> = stalled.iter().map(ToString::to_string).collect();
        tracing::warn!(loops = %loops.join(", "), "engine loop stalled: heartbeat withheld");
        metrics::counter!("onsite_heartbeats_withheld_total").increment(1);
        return false;
    }
    match client().post(url.expose_secret()).send().await.and_then(reqwest::Response::error_for_status) {
        Ok(_) => {
            metrics::counter!("onsite_heartbeats_sent_total").increment(1);
            true
        }
        Err(e) => {
            // The URL may carry the monitor's secret: never logged.
            tracing::warn!(error = %e.without_url(), "heartbeat failed");
            metrics::counter!("onsite_heartbeats_failed_total").increment(1);
            false
        }
    }
}
