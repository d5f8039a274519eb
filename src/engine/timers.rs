//! The timer engine step: claim each due timer, ask the domain what it
//! does now (`escalation::on_fire`: retire, or page and perhaps breach),
//! and have the claim write that in its one transaction.

use crate::AppState;
use crate::domain::escalation::{Firing, on_fire};
use crate::store::StoreError;

/// Fires every timer due now; returns how many were handled.
#[tracing::instrument(skip_all)]
pub async fn fire_due(state: &AppState, instance: &str) -> Result<usize, StoreError> {
    let mut handled = 0;
    loop {
        let now = state.clock.now();
        let Some(claim) = state.store.claim_due_timer(now).await? else { return Ok(handled) };
        let fired = match on_fire(claim.kind(), &claim.state(), claim.policy(), now) {
            Firing::Retire { why } => claim.retire(why, instance, now).await?,
            Firing::Page { audiences, reason, breach } => claim.page(&audiences, reason, breach, instance, now).await?,
        };
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
}
