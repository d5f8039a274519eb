//! The assignment state machine: one notice dispatched to one unit, moving
//! through its milestones. `hq_remote` runs in parallel with the main line
//! acknowledged → plan_activated → on_site → resolved → closed; extension and
//! stand-down are the bureau's actions on the clock.

use chrono::{DateTime, Utc};

use super::error::DomainError;
use super::text;
use crate::labelled_enum;

labelled_enum! {
    /// 派单状态: how far the main line has come.
    pub enum Status {
        Notified => ("notified", "已派单", "Notified"),
        Acknowledged => ("acknowledged", "已接收", "Acknowledged"),
        PlanActivated => ("plan_activated", "已启动应急支撑方案", "Plan activated"),
        OnSite => ("on_site", "已到达现场", "On site"),
        Resolved => ("resolved", "处置完成", "Resolved"),
        Closed => ("closed", "已结案", "Closed"),
        StoodDown => ("stood_down", "已撤销", "Stood down"),
    }
}

labelled_enum! {
    /// 节点.
    pub enum Milestone {
        Acknowledged => ("acknowledged", "已接收", "Acknowledged"),
        PlanActivated => ("plan_activated", "启动应急支撑方案", "Plan activated"),
        OnSite => ("on_site", "到达现场", "On site"),
        HqRemote => ("hq_remote", "总部远程支撑", "HQ remote assistance"),
        Resolved => ("resolved", "处置完成", "Resolved"),
        Closed => ("closed", "已结案", "Closed"),
    }
}

impl Status {
    /// The statuses that are still running.
    pub fn open() -> Vec<Status> {
        Status::ALL.iter().copied().filter(|s| s.is_open()).collect()
    }

    /// Still running: the unit has work to do and the bureau may act on the clock.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Notified | Status::Acknowledged | Status::PlanActivated | Status::OnSite)
    }
}

/// When each milestone was reached (the time reported, not recorded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Milestones {
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub plan_activated_at: Option<DateTime<Utc>>,
    pub on_site_at: Option<DateTime<Utc>>,
    pub hq_remote_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl Milestones {
    pub fn get(&self, m: Milestone) -> Option<DateTime<Utc>> {
        match m {
            Milestone::Acknowledged => self.acknowledged_at,
            Milestone::PlanActivated => self.plan_activated_at,
            Milestone::OnSite => self.on_site_at,
            Milestone::HqRemote => self.hq_remote_at,
            Milestone::Resolved => self.resolved_at,
            Milestone::Closed => self.closed_at,
        }
    }

    fn set(&mut self, m: Milestone, at: DateTime<Utc>) {
        let slot = match m {
            Milestone::Acknowledged => &mut self.acknowledged_at,
            Milestone::PlanActivated => &mut self.plan_activated_at,
            Milestone::OnSite => &mut self.on_site_at,
            Milestone::HqRemote => &mut self.hq_remote_at,
            Milestone::Resolved => &mut self.resolved_at,
            Milestone::Closed => &mut self.closed_at,
        };
        *slot = Some(at);
    }
}

/// The part of an assignment the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentState {
    pub status: Status,
    pub requires_onsite: bool,
    pub notified_at: DateTime<Utc>,
    pub deadline_at: DateTime<Utc>,
    pub milestones: Milestones,
    pub stood_down_at: Option<DateTime<Utc>>,
}

impl AssignmentState {
    /// A freshly dispatched assignment: T0 is `notified_at`.
    pub fn dispatched(notified_at: DateTime<Utc>, deadline_secs: i64, requires_onsite: bool) -> Self {
        Self {
            status: Status::Notified,
            requires_onsite,
            notified_at,
            deadline_at: notified_at + chrono::Duration::seconds(deadline_secs),
            milestones: Milestones::default(),
            stood_down_at: None,
        }
    }

    /// The milestones that must already be reached before `m`.
    fn prerequisites(&self, m: Milestone) -> Vec<Milestone> {
        match m {
            Milestone::Acknowledged => vec![],
            Milestone::PlanActivated | Milestone::HqRemote => vec![Milestone::Acknowledged],
            Milestone::OnSite => vec![Milestone::PlanActivated],
            Milestone::Resolved if self.requires_onsite => vec![Milestone::OnSite],
            Milestone::Resolved => vec![Milestone::PlanActivated],
            Milestone::Closed => vec![Milestone::Resolved],
        }
    }

    /// Records that milestone `m` was reached at `at`, reported at `now`.
    pub fn reach(&self, m: Milestone, at: DateTime<Utc>, now: DateTime<Utc>) -> Result<Self, DomainError> {
        if self.status == Status::StoodDown {
            return Err(stood_down());
        }
        if self.status == Status::Closed {
            return Err(DomainError::conflict("closed", "the assignment is closed", "该派单已结案"));
        }
        if let Some(prev) = self.milestones.get(m) {
            return Err(DomainError::conflict(
                "already_reached",
                format!("{} was already reported at {}", m.code(), prev.to_rfc3339()),
                format!("“{}”已于 {} 报告过", m.label(super::labels::Lang::Zh), prev.to_rfc3339()),
            ));
        }
        if m == Milestone::OnSite && !self.requires_onsite {
            return Err(DomainError::conflict(
                "not_required",
                "this notice needs remote support only; there is no on_site milestone",
                "该通知仅需远程支撑，无“到达现场”节点",
            ));
        }
        if self.status == Status::Resolved && m != Milestone::Closed {
            return Err(DomainError::conflict(
                "resolved",
                "the assignment is resolved; only closing it remains",
                "该派单已处置完成，只能结案",
            ));
        }
        let mut latest_prerequisite = self.notified_at;
        for p in self.prerequisites(m) {
            match self.milestones.get(p) {
                Some(t) => latest_prerequisite = latest_prerequisite.max(t),
                None => {
                    return Err(DomainError::conflict(
                        "out_of_order",
                        format!("{} must be reported before {}", p.code(), m.code()),
                        format!(
                            "须先报告“{}”，再报告“{}”",
                            p.label(super::labels::Lang::Zh),
                            m.label(super::labels::Lang::Zh)
                        ),
                    ));
                }
            }
        }
        if at > now {
            return Err(DomainError::field(
                "at",
                "in_future",
                "the time reported is in the future",
                "报告的时间晚于当前时间",
            ));
        }
        if at < latest_prerequisite {
            return Err(DomainError::field(
                "at",
                "before_previous",
                format!(
                    "the time reported is before the notice or the previous milestone ({})",
                    latest_prerequisite.to_rfc3339()
                ),
                format!("报告的时间早于通知或上一节点（{}）", latest_prerequisite.to_rfc3339()),
            ));
        }
        let mut next = self.clone();
        next.milestones.set(m, at);
        next.status = match m {
            Milestone::Acknowledged => Status::Acknowledged,
            Milestone::PlanActivated => Status::PlanActivated,
            Milestone::OnSite => Status::OnSite,
            Milestone::HqRemote => self.status,
            Milestone::Resolved => Status::Resolved,
            Milestone::Closed => Status::Closed,
        };
        Ok(next)
    }

    /// Moves the deadline later (the bureau's extension, with a reason).
    pub fn extend(&self, new_deadline: DateTime<Utc>, reason: &str) -> Result<(Self, String), DomainError> {
        self.require_open("extend")?;
        let reason = text::required("reason", reason, text::REASON).map_err(|e| DomainError::Invalid(vec![e]))?;
        if new_deadline <= self.deadline_at {
            return Err(DomainError::field(
                "deadline_at",
                "not_later",
                format!("the new deadline must be later than the current one ({})", self.deadline_at.to_rfc3339()),
                format!("新的截止时间须晚于当前截止时间（{}）", self.deadline_at.to_rfc3339()),
            ));
        }
        let mut next = self.clone();
        next.deadline_at = new_deadline;
        Ok((next, reason))
    }

    /// Stops the clock: the assignment is no longer needed (撤销).
    pub fn stand_down(&self, reason: &str, now: DateTime<Utc>) -> Result<(Self, String), DomainError> {
        self.require_open("stand down")?;
        let reason = text::required("reason", reason, text::REASON).map_err(|e| DomainError::Invalid(vec![e]))?;
        let mut next = self.clone();
        next.status = Status::StoodDown;
        next.stood_down_at = Some(now);
        Ok((next, reason))
    }

    /// Whether the person paged may still decline ("I cannot, page
    /// someone else"): only while nobody has acknowledged it; after that
    /// the unit's lead hands it over.
    pub fn decline(&self) -> Result<(), DomainError> {
        self.require_open("decline")?;
        if let Some(at) = self.milestones.acknowledged_at {
            return Err(DomainError::conflict(
                "already_acknowledged",
                format!("it was already acknowledged at {}; ask the unit's lead to hand it over", at.to_rfc3339()),
                format!("该派单已于 {} 确认接收，无法拒绝；请联系单位负责人改派", at.to_rfc3339()),
            ));
        }
        Ok(())
    }

    fn require_open(&self, action: &str) -> Result<(), DomainError> {
        if self.status.is_open() {
            return Ok(());
        }
        if self.status == Status::StoodDown {
            return Err(stood_down());
        }
        Err(DomainError::conflict(
            "not_open",
            format!("cannot {action}: the assignment is {}", self.status.code()),
            format!("无法操作：该派单状态为“{}”", self.status.label(super::labels::Lang::Zh)),
        ))
    }
}

fn stood_down() -> DomainError {
    DomainError::conflict("stood_down", "the assignment was stood down", "该派单已撤销")
}

#[cfg(test)]
mod tests {
    use crate::fixtures::{min, t0};

    use super::*;

    fn fresh(requires_onsite: bool) -> AssignmentState {
        AssignmentState::dispatched(t0(), 7_200, requires_onsite)
    }

    fn code(e: DomainError) -> &'static str {
        match e {
            DomainError::Conflict { code, .. } => code,
            DomainError::Invalid(errs) => errs[0].code,
        }
    }

    #[test]
    fn dispatch_sets_the_two_hour_deadline() {
        let a = fresh(true);
        assert_eq!(a.deadline_at, min(120));
        assert_eq!(a.status, Status::Notified);
    }

    #[test]
    fn the_whole_main_line_in_order() {
        let now = min(200);
        let a = fresh(true)
            .reach(Milestone::Acknowledged, min(5), now)
            .and_then(|a| a.reach(Milestone::PlanActivated, min(20), now))
            .and_then(|a| a.reach(Milestone::HqRemote, min(25), now))
            .and_then(|a| a.reach(Milestone::OnSite, min(80), now))
            .and_then(|a| a.reach(Milestone::Resolved, min(150), now))
            .and_then(|a| a.reach(Milestone::Closed, min(190), now))
            .unwrap();
        assert_eq!(a.status, Status::Closed);
        assert_eq!(a.milestones.on_site_at, Some(min(80)));
        assert_eq!(a.milestones.hq_remote_at, Some(min(25)));
    }

    #[test]
    fn hq_remote_does_not_move_the_main_line() {
        let a = fresh(true)
            .reach(Milestone::Acknowledged, min(1), min(2))
            .and_then(|a| a.reach(Milestone::HqRemote, min(2), min(2)))
            .unwrap();
        assert_eq!(a.status, Status::Acknowledged);
    }

    #[test]
    fn nothing_before_acknowledgement() {
        let e = fresh(true).reach(Milestone::PlanActivated, min(1), min(1)).unwrap_err();
        assert_eq!(code(e), "out_of_order");
        let e = fresh(true).reach(Milestone::HqRemote, min(1), min(1)).unwrap_err();
        assert_eq!(code(e), "out_of_order");
    }

    #[test]
    fn on_site_needs_the_plan_and_resolved_needs_on_site() {
        let acked = fresh(true).reach(Milestone::Acknowledged, min(1), min(1)).unwrap();
        assert_eq!(code(acked.reach(Milestone::OnSite, min(2), min(2)).unwrap_err()), "out_of_order");
        let planned = acked.reach(Milestone::PlanActivated, min(2), min(2)).unwrap();
        assert_eq!(code(planned.reach(Milestone::Resolved, min(3), min(3)).unwrap_err()), "out_of_order");
        assert_eq!(code(planned.reach(Milestone::Closed, min(3), min(3)).unwrap_err()), "out_of_order");
    }

    #[test]
    fn remote_only_has_no_on_site_and_resolves_after_the_plan() {
        let planned = fresh(false)
            .reach(Milestone::Acknowledged, min(1), min(1))
            .and_then(|a| a.reach(Milestone::PlanActivated, min(2), min(2)))
            .unwrap();
        assert_eq!(code(planned.reach(Milestone::OnSite, min(3), min(3)).unwrap_err()), "not_required");
        assert_eq!(planned.reach(Milestone::Resolved, min(3), min(3)).unwrap().status, Status::Resolved);
    }

    #[test]
    fn a_milestone_is_reported_once() {
        let acked = fresh(true).reach(Milestone::Acknowledged, min(1), min(1)).unwrap();
        assert_eq!(code(acked.reach(Milestone::Acknowledged, min(2), min(2)).unwrap_err()), "already_reached");
    }

    #[test]
    fn reported_times_must_be_after_the_previous_step_and_not_in_the_future() {
        let acked = fresh(true).reach(Milestone::Acknowledged, min(10), min(10)).unwrap();
        assert_eq!(code(acked.reach(Milestone::PlanActivated, min(9), min(12)).unwrap_err()), "before_previous");
        assert_eq!(code(acked.reach(Milestone::PlanActivated, min(13), min(12)).unwrap_err()), "in_future");
        assert_eq!(code(fresh(true).reach(Milestone::Acknowledged, min(-1), min(0)).unwrap_err()), "before_previous");
        // Back-dating within the allowed window is fine.
        assert!(acked.reach(Milestone::PlanActivated, min(11), min(30)).is_ok());
    }

    #[test]
    fn after_resolution_only_closing_remains() {
        let resolved = fresh(false)
            .reach(Milestone::Acknowledged, min(1), min(1))
            .and_then(|a| a.reach(Milestone::PlanActivated, min(2), min(2)))
            .and_then(|a| a.reach(Milestone::Resolved, min(3), min(3)))
            .unwrap();
        assert_eq!(code(resolved.reach(Milestone::HqRemote, min(4), min(4)).unwrap_err()), "resolved");
        assert_eq!(code(resolved.extend(min(300), "x").unwrap_err()), "not_open");
        assert_eq!(code(resolved.stand_down("x", min(4)).unwrap_err()), "not_open");
        let closed = resolved.reach(Milestone::Closed, min(4), min(4)).unwrap();
        assert_eq!(code(closed.reach(Milestone::Closed, min(5), min(5)).unwrap_err()), "closed");
    }

    #[test]
    fn extension_must_move_the_deadline_later_and_give_a_reason() {
        let a = fresh(true);
        let (b, reason) = a.extend(min(180), "  道路中断 ").unwrap();
        assert_eq!(b.deadline_at, min(180));
        assert_eq!(reason, "道路中断");
        assert_eq!(code(a.extend(min(120), "x").unwrap_err()), "not_later");
        assert_eq!(code(a.extend(min(180), " ").unwrap_err()), "required");
    }

    #[test]
    fn a_stood_down_assignment_refuses_everything() {
        let (s, _) = fresh(true).stand_down("误报", min(30)).unwrap();
        assert_eq!(s.status, Status::StoodDown);
        assert_eq!(s.stood_down_at, Some(min(30)));
        assert_eq!(code(s.reach(Milestone::Acknowledged, min(31), min(31)).unwrap_err()), "stood_down");
        assert_eq!(code(s.extend(min(300), "x").unwrap_err()), "stood_down");
        assert_eq!(code(s.stand_down("again", min(32)).unwrap_err()), "stood_down");
        assert_eq!(code(s.decline().unwrap_err()), "stood_down");
    }

    #[test]
    fn only_an_unacknowledged_open_assignment_can_be_declined() {
        assert!(fresh(true).decline().is_ok());
        let acked = fresh(true).reach(Milestone::Acknowledged, min(1), min(1)).unwrap();
        assert_eq!(code(acked.decline().unwrap_err()), "already_acknowledged");
    }
}
