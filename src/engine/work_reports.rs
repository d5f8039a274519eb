//! The work reports' follow-ups: as the month owed comes due (the domain's
//! `Schedule`, configured under `[work_reports]`), the units that have not
//! submitted it are reminded and then flagged overdue, each once (the
//! store keeps which were sent).

use chrono::{DateTime, Utc};

use crate::AppState;
use crate::store::StoreError;

/// Sends the follow-ups due now; returns how many units were told, and
/// when the next follow-up is due.
#[tracing::instrument(skip_all)]
pub async fn follow_up_due(state: &AppState) -> Result<(usize, DateTime<Utc>), StoreError> {
    let schedule = state.app.schedule();
    let (now, tz) = (state.clock.now(), state.tz);
    let (month, steps, next) = schedule.due_steps(now, tz);
    let mut told = 0;
    for step in steps {
        let due_at = schedule.due_at(month, tz);
        told += state.store.follow_up_work_reports(month, step, month.end(tz), due_at, now).await?;
    }
    Ok((told, next))
}
