//! The timer engine step: fire every due timer, one transaction each.

use crate::AppState;
use crate::store::StoreError;

/// Fires every timer due now; returns how many were handled.
#[tracing::instrument(skip_all)]
pub async fn fire_due(state: &AppState, instance: &str) -> Result<usize, StoreError> {
    let mut handled = 0;
    while let Some(fired) = state.store.fire_next_timer(instance, state.clock.now()).await? {
        handled += 1;
        metrics::histogram!("onsite_timer_lateness_seconds").record(fired.late_ms as f64 / 1000.0);
        metrics::counter!("onsite_timers_fired_total", "kind" => fired.timer.kind.code(), "status" => fired.timer.status.code())
            .increment(1);
        if fired.breach {
            metrics::counter!("onsite_breaches_total").increment(1);
        }
        if fired.late_ms > 1_000 {
            tracing::warn!(timer = fired.timer.id, kind = %fired.timer.kind, late_ms = fired.late_ms, "timer fired late");
        }
    }
    Ok(handled)
}
