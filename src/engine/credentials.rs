//! The credentials' reminders: each pass tells units of their credentials
//! entering the warning window before they lapse, and of those lapsed, once
//! each (the store keeps which were told); days turn at local midnight.

use chrono::{DateTime, Days, TimeZone, Utc};

use crate::AppState;
use crate::domain::profile::credential::WARN_DAYS;
use crate::store::StoreError;

/// Sends the reminders due today; returns how many credentials were told
/// of, and the next local midnight (when the day, and so what is due, turns).
#[tracing::instrument(skip_all)]
pub async fn follow_up_due(state: &AppState) -> Result<(usize, DateTime<Utc>), StoreError> {
    let now = state.clock.now();
    let today = crate::reports::today(state);
    let told = state.store.follow_up_credentials(today, WARN_DAYS, now).await?;
    let tomorrow = (today + Days::new(1)).and_hms_opt(0, 0, 0).unwrap_or_default();
    let next =
        state.tz.from_local_datetime(&tomorrow).earliest().map_or(now + chrono::Duration::hours(1), |t| t.to_utc());
    Ok((told, next))
}
