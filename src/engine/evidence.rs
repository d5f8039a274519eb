//! The evidence store swept hourly of objects no record names (an upload
//! whose change never committed leaves one behind). A failure is logged and
//! tried again at the next hour: nothing waits on it.

use chrono::{DateTime, Duration, Utc};

use crate::AppState;

pub async fn sweep(state: &AppState) -> DateTime<Utc> {
    let now = state.clock.now();
    match state.app.sweep_evidence(now).await {
        Ok(0) => {}
        Ok(objects) => tracing::info!(objects, "evidence swept"),
        Err(e) => tracing::warn!(error = %e, "evidence sweep failed"),
    }
    now + Duration::hours(1)
}
