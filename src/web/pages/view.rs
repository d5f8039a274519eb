//! What the pages show of an assignment, computed once for the board and the
//! notice page alike: the SLA verdict, the countdown, the milestones.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::text::ui;
use crate::domain::assignment::Milestone;
use crate::domain::duration::{format_duration, format_local};
use crate::domain::labels::Lang;
use crate::domain::record::Assignment;
use crate::domain::sla::evaluate;
use crate::store::StoreResult;

/// One milestone as a row or a chip.
pub struct MilestoneView {
    pub code: &'static str,
    pub label: &'static str,
    pub reached: bool,
    pub at: String,
}

/// An assignment's clock as shown.
pub struct ClockView {
    pub sla_code: &'static str,
    pub sla_label: &'static str,
    pub status: &'static str,
    pub open: bool,
    /// A required milestone is still missing: the countdown runs.
    pub pending: bool,
    pub remaining: String,
    pub deadline: String,
    pub deadline_ms: i64,
    pub at_risk_secs: i64,
    pub notified: String,
    pub milestones: Vec<MilestoneView>,
}

/// The milestones a unit reports, in order (no `on_site` for remote-only).
pub fn reportable(requires_onsite: bool) -> Vec<Milestone> {
    let mut all = vec![Milestone::Acknowledged, Milestone::PlanActivated];
    if requires_onsite {
        all.push(Milestone::OnSite);
    }
    all.extend([Milestone::HqRemote, Milestone::Resolved]);
    all
}

impl ClockView {
    pub fn new(a: &Assignment, lang: Lang, tz: Tz, now: DateTime<Utc>) -> StoreResult<Self> {
        let state = a.state.clone();
        let policy = &a.policy;
        let verdict = evaluate(&state, policy, now);
        let t = ui(lang);
        let remaining = match verdict.remaining_seconds {
            Some(left) if left > 0 => format!("{} {}", t.left, format_duration(left, lang)),
            Some(left) => format!("{} {}", t.overdue, format_duration(-left, lang)),
            None => "—".to_owned(),
        };
        let milestones = reportable(a.state.requires_onsite)
            .into_iter()
            .map(|m| {
                let at = state.milestones.get(m);
                MilestoneView {
                    code: m.code(),
                    label: m.label(lang),
                    reached: at.is_some(),
                    at: at.map(|t| format_local(t, tz)).unwrap_or_default(),
                }
            })
            .collect();
        Ok(Self {
            sla_code: verdict.state.code(),
            sla_label: verdict.state.label(lang),
            status: state.status.label(lang),
            open: state.status.is_open(),
            pending: verdict.remaining_seconds.is_some(),
            remaining,
            deadline: format_local(a.state.deadline_at, tz),
            deadline_ms: a.state.deadline_at.timestamp_millis(),
            at_risk_secs: policy.at_risk_secs,
            notified: format_local(a.state.notified_at, tz),
            milestones,
        })
    }
}
