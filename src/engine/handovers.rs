//! The hand-over step: when someone comes on duty (a rotation's hand-over,
//! an override starting or ending), they are told through their first
//! channel, with whom they take over from; when nobody does (a gap), the
//! unit's support leads are told, since notices page them meanwhile.
//! Durable without a timer row: each pass looks back over a window and the
//! store writes each message once, so a restart inside the window still
//! sends it and a second instance never doubles it.

use chrono::{DateTime, Duration, Utc};

use crate::AppState;
use crate::store::StoreError;

/// How far back a pass looks for hand-overs not yet announced: an instance
/// down for longer does not tell people about shifts long begun.
pub const ANNOUNCE_WINDOW: Duration = Duration::minutes(30);

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Announced {
    pub pages: usize,
    /// The next hand-over of any roster within a day, to sleep until.
    pub next: Option<DateTime<Utc>>,
}

/// Announces every change of duty in `(now - ANNOUNCE_WINDOW, now]` not yet
/// announced.
#[tracing::instrument(skip_all)]
pub async fn announce_due(state: &AppState) -> Result<Announced, StoreError> {
    let now = state.clock.now();
    let since = now - ANNOUNCE_WINDOW;
    let mut out = Announced::default();
    for (branch_id, roster) in state.store.rosters_since(since).await? {
        for h in roster.handovers(since, now) {
            out.pages += state.store.announce_handover(branch_id, &h, now).await?;
        }
        let next = roster.segments(now, now + Duration::days(1)).get(1).map(|s| s.from);
        out.next = super::earliest(out.next, next);
    }
    Ok(out)
}
