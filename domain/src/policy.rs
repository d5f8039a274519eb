//! The SLA policy an assignment is judged by. It is copied onto the assignment
//! at dispatch, so a later configuration change never moves a running clock.

use serde::{Deserialize, Serialize};

use super::assignment::Milestone;
use super::error::{DomainError, FieldError, Validator};

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

/// A unit's deviations from the configured policy (a unit may promise a
/// shorter deadline, or the bureau may give it longer to reach remote sites).
/// Offsets are durations such as `90m`; absent ones keep the base value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PolicyOverride {
    pub ack_target: Option<String>,
    pub escalate_at: Option<String>,
    pub remind_at: Option<String>,
    pub warn_at: Option<String>,
    pub deadline: Option<String>,
    pub at_risk: Option<String>,
}

impl PolicyOverride {
    /// The effective policy: `base` with these offsets, checked for order.
    pub fn apply(&self, base: &SlaPolicy) -> Result<SlaPolicy, DomainError> {
        let mut v = Validator::default();
        let mut p = base.clone();
        for (field, value, slot) in [
            ("ack_target", &self.ack_target, &mut p.ack_target_secs),
            ("escalate_at", &self.escalate_at, &mut p.escalate_secs),
            ("remind_at", &self.remind_at, &mut p.remind_secs),
            ("warn_at", &self.warn_at, &mut p.warn_secs),
            ("deadline", &self.deadline, &mut p.deadline_secs),
            ("at_risk", &self.at_risk, &mut p.at_risk_secs),
        ] {
            if let Some(text) = value
                && let Some(secs) = v.check(parse_offset(field, text))
            {
                *slot = secs;
            }
        }
        v.finish()?;
        let order_ok = 0 < p.ack_target_secs
            && p.ack_target_secs < p.escalate_secs
            && p.escalate_secs <= p.deadline_secs
            && p.remind_secs < p.warn_secs
            && p.warn_secs < p.deadline_secs
            && p.at_risk_secs < p.deadline_secs;
        if !order_ok {
            return Err(DomainError::field(
                "policy",
                "out_of_order",
                "offsets must satisfy ack_target < escalate_at <= deadline, remind_at < warn_at < deadline, at_risk < deadline",
                "时限须满足：确认时限 < 升级时间 ≤ 响应时限，提醒 < 预警 < 响应时限，临近超时窗口 < 响应时限",
            ));
        }
        Ok(p)
    }
}

/// Parses an offset such as `90s`, `10m` or `2h` (at most a week).
pub fn parse_offset(field: &str, text: &str) -> Result<i64, FieldError> {
    humantime::parse_duration(text.trim())
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .filter(|s| (1..=7 * 86_400).contains(s))
        .ok_or_else(|| {
            FieldError::new(
                field,
                "invalid_duration",
                format!("`{text}` is not a duration between 1s and 7d (e.g. 90s, 10m, 2h)"),
                format!("“{text}”不是 1 秒到 7 天之间的时长（如 90s、10m、2h）"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_override_changes_only_what_it_names() {
        let o = PolicyOverride { deadline: Some("3h".into()), warn_at: Some("150m".into()), ..Default::default() };
        let p = o.apply(&SlaPolicy::default()).unwrap();
        assert_eq!(p.deadline_secs, 3 * 3_600);
        assert_eq!(p.warn_secs, 150 * 60);
        assert_eq!(p.ack_target_secs, 600);
    }

    #[test]
    fn an_override_that_breaks_the_order_or_the_syntax_is_refused() {
        let o = PolicyOverride { deadline: Some("50m".into()), ..Default::default() };
        let DomainError::Invalid(e) = o.apply(&SlaPolicy::default()).unwrap_err() else { panic!() };
        assert_eq!(e[0].code, "out_of_order");
        let o = PolicyOverride { ack_target: Some("soon".into()), ..Default::default() };
        let DomainError::Invalid(e) = o.apply(&SlaPolicy::default()).unwrap_err() else { panic!() };
        assert_eq!((e[0].field.as_str(), e[0].code), ("ack_target", "invalid_duration"));
    }

    #[test]
    fn remote_only_notices_have_no_on_site_milestone() {
        let p = SlaPolicy::default();
        assert_eq!(p.required_for(true).len(), 3);
        assert_eq!(p.required_for(false), vec![Milestone::PlanActivated, Milestone::HqRemote]);
    }
}
