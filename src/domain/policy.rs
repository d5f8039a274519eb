//! The SLA policy an assignment is judged by. It is copied onto the assignment
//! at dispatch, so a later configuration change never moves a running clock.

use serde::{Deserialize, Serialize};

use super::assignment::Milestone;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    /// Acknowledgement target (MTTA; drives escalation, not the commitment).
    pub ack_target_secs: i64,
    /// The written commitment: milestones due this long after T0 (2 h).
    pub deadline_secs: i64,
    /// How long before the deadline an open assignment counts as at risk.
    pub at_risk_secs: i64,
    /// Milestones the deadline applies to; `on_site` is dropped for notices
    /// that need only remote support.
    pub required: Vec<Milestone>,
    /// Second acknowledgement escalation (emergency lead, bureau duty).
    #[serde(default = "default_escalate")]
    pub escalate_secs: i64,
    /// Reminder to the unit while milestones are missing ("60 min left").
    #[serde(default = "default_remind")]
    pub remind_secs: i64,
    /// Warning to the unit and the bureau ("30 min left").
    #[serde(default = "default_warn")]
    pub warn_secs: i64,
}

fn default_escalate() -> i64 {
    20 * 60
}

fn default_remind() -> i64 {
    60 * 60
}

fn default_warn() -> i64 {
    90 * 60
}

impl Default for SlaPolicy {
    fn default() -> Self {
        Self {
            ack_target_secs: 10 * 60,
            deadline_secs: 2 * 3_600,
            at_risk_secs: 30 * 60,
            required: vec![Milestone::PlanActivated, Milestone::OnSite, Milestone::HqRemote],
            escalate_secs: default_escalate(),
            remind_secs: default_remind(),
            warn_secs: default_warn(),
        }
    }
}

impl SlaPolicy {
    /// The milestones due for one assignment.
    pub fn required_for(&self, requires_onsite: bool) -> Vec<Milestone> {
        self.required.iter().copied().filter(|m| requires_onsite || *m != Milestone::OnSite).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_only_notices_have_no_on_site_milestone() {
        let p = SlaPolicy::default();
        assert_eq!(p.required_for(true).len(), 3);
        assert_eq!(p.required_for(false), vec![Milestone::PlanActivated, Milestone::HqRemote]);
    }
}
