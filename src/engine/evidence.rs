//! The evidence store swept hourly of objects no record names (an upload
//! whose change never committed leaves one behind). A failure is logged and
//! tried again at the next hour: nothing waits on it.

use crate::AppState;

pub async fn sweep(state: &AppState) {
    match state.app.sweep_evidence(state.clock.now()).await {
        Ok(0) => {}
        Ok(objects) => tracing::info!(objects, "evidence swept"),
        Err(e) => tracing::warn!(error = %e, "evidence sweep failed"),
    }
}
