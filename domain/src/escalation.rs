//! Escalation planning: which durable timers a dispatch schedules, what each
//! does when it falls due (or why it retires without paging), and which
//! timers a change to the assignment cancels or moves. Pure: the engine and
//! the store apply these decisions in their transactions.

use chrono::{DateTime, Duration, Utc};

use super::assignment::{AssignmentState, Status};
use super::people::{BureauRole, Role};
use super::policy::SlaPolicy;
use super::sla::evaluate;
use crate::labelled_enum;

labelled_enum! {
    /// A durable timer's purpose.
    pub enum TimerKind {
        AckReminder => ("ack_reminder", "催办确认", "Acknowledgement reminder"),
        AckEscalation => ("ack_escalation", "升级通知负责人", "Escalation to leads"),
        Reminder => ("reminder", "时限提醒", "Deadline reminder"),
        Warning => ("warning", "超时预警", "Deadline warning"),
        Breach => ("breach", "超时", "Breach"),
    }
}

labelled_enum! {
    /// Where a durable timer stands: `retired` when it came due but no
    /// longer applied (its milestone had been reached).
    pub enum TimerStatus {
        Pending => ("pending", "待触发", "Pending"),
        Fired => ("fired", "已触发", "Fired"),
        Retired => ("retired", "已失效", "Retired"),
        Cancelled => ("cancelled", "已取消", "Cancelled"),
    }
}

labelled_enum! {
    /// Who a page goes to, resolved to people when it is enqueued.
    pub enum Audience {
        Engineers => ("engineers", "属地技术人员", "Branch engineers"),
        Liaison => ("liaison", "接口人", "Liaison"),
        SupportLead => ("support_lead", "支撑单位工作负责人", "Support lead"),
        EmergencyLead => ("emergency_lead", "网络安全应急工作负责人", "Emergency lead"),
        HqEngineers => ("hq_engineers", "总部技术人员", "HQ engineers"),
        BureauDuty => ("bureau_duty", "通管局值班人员", "Bureau duty officer"),
        Managers => ("managers", "管理人员", "Managers"),
    }
}

/// Whom an audience means: the unit's people in a role, or the bureau's
/// contacts in one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whom {
    Unit(Role),
    Bureau(BureauRole),
}

impl Audience {
    pub fn whom(self) -> Whom {
        match self {
            Self::Engineers => Whom::Unit(Role::Engineer),
            Self::Liaison => Whom::Unit(Role::Liaison),
            Self::SupportLead => Whom::Unit(Role::SupportLead),
            Self::EmergencyLead => Whom::Unit(Role::EmergencyLead),
            Self::HqEngineers => Whom::Unit(Role::HqEngineer),
            Self::BureauDuty => Whom::Bureau(BureauRole::DutyOfficer),
            Self::Managers => Whom::Bureau(BureauRole::Manager),
        }
    }
}

labelled_enum! {
    /// Why a page is sent; decides its wording.
    pub enum PageReason {
        Dispatch => ("dispatch", "应急响应派单", "Emergency-response dispatch"),
        AckReminder => ("ack_reminder", "请尽快确认接收", "Please acknowledge"),
        AckEscalation => ("ack_escalation", "派单未确认，已升级", "Unacknowledged, escalated"),
        Reminder => ("reminder", "时限提醒", "Deadline reminder"),
        Warning => ("warning", "超时预警", "Deadline warning"),
        Breach => ("breach", "已超过响应时限", "Deadline breached"),
        DeliveryFailed => ("delivery_failed", "呼叫无法送达", "Page could not be delivered"),
        DutyStart => ("duty_start", "值班开始", "Your duty starts"),
        DutyGap => ("duty_gap", "值班空缺", "Nobody on duty"),
        Test => ("test", "测试呼叫", "Test page"),
        Instruction => ("instruction", "工作指示", "Instruction"),
        InstructionReminder => ("instruction_reminder", "工作指示待确认", "Instruction awaiting confirmation"),
        InstructionEscalation => ("instruction_escalation", "工作指示逾期未确认", "Instruction unconfirmed"),
        WorkReportDue => ("work_report_due", "工作汇报提醒", "Work report due"),
        WorkReportOverdue => ("work_report_overdue", "工作汇报逾期", "Work report overdue"),
        CredentialExpiring => ("credential_expiring", "资质证书即将到期", "Credential expiring"),
        CredentialExpired => ("credential_expired", "资质证书已过期", "Credential expired"),
    }
}

/// A timer to schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedTimer {
    pub kind: TimerKind,
    pub due_at: DateTime<Utc>,
}

/// Who is paged the moment an assignment is dispatched (every channel).
pub const DISPATCH_AUDIENCE: &[Audience] = &[Audience::Engineers, Audience::Liaison];

/// The timers a decline ("I cannot, page someone else") brings due now:
/// the first still pending, so the support lead hears at once (the
/// reminder), or the emergency lead and the bureau when that has fired.
pub const BROUGHT_FORWARD_BY_DECLINE: [TimerKind; 2] = [TimerKind::AckReminder, TimerKind::AckEscalation];

/// Every timer of a freshly dispatched assignment.
pub fn plan(policy: &SlaPolicy, state: &AssignmentState) -> Vec<PlannedTimer> {
    let t0 = state.notified_at;
    let mut timers = vec![
        PlannedTimer { kind: TimerKind::AckReminder, due_at: t0 + Duration::seconds(policy.ack_target_secs) },
        PlannedTimer { kind: TimerKind::AckEscalation, due_at: t0 + Duration::seconds(policy.escalate_secs) },
    ];
    timers.extend(deadline_timers(policy, state, t0));
    timers
}

/// The deadline-relative timers (reminder, warning, breach), keeping their
/// "time left" to the deadline in force; those already past `not_before`
/// are dropped, except the breach itself.
pub fn deadline_timers(policy: &SlaPolicy, state: &AssignmentState, not_before: DateTime<Utc>) -> Vec<PlannedTimer> {
    let deadline = state.deadline_at;
    let left = |offset: i64| Duration::seconds(policy.deadline_secs - offset);
    [
        PlannedTimer { kind: TimerKind::Reminder, due_at: deadline - left(policy.remind_secs) },
        PlannedTimer { kind: TimerKind::Warning, due_at: deadline - left(policy.warn_secs) },
        PlannedTimer { kind: TimerKind::Breach, due_at: deadline },
    ]
    .into_iter()
    .filter(|t| t.kind == TimerKind::Breach || t.due_at >= not_before)
    .collect()
}

/// What a due timer does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Firing {
    /// The condition no longer holds: retire without paging.
    Retire { why: &'static str },
    /// Page these audiences; `breach` records the breach on the assignment.
    Page { audiences: Vec<Audience>, reason: PageReason, breach: bool },
}

/// Decides what timer `kind` does for `state` at `now`.
pub fn on_fire(kind: TimerKind, state: &AssignmentState, policy: &SlaPolicy, now: DateTime<Utc>) -> Firing {
    use Audience::*;
    if state.status == Status::StoodDown {
        return Firing::Retire { why: "stood down" };
    }
    let acknowledged = state.milestones.acknowledged_at.is_some();
    let pending = policy.required_for(state.requires_onsite).iter().any(|m| state.milestones.get(*m).is_none());
    let page = |audiences: Vec<Audience>, reason| Firing::Page { audiences, reason, breach: false };
    match kind {
        TimerKind::AckReminder | TimerKind::AckEscalation if acknowledged || !state.status.is_open() => {
            Firing::Retire { why: "acknowledged" }
        }
        TimerKind::AckReminder => page(vec![Engineers, Liaison, SupportLead], PageReason::AckReminder),
        TimerKind::AckEscalation => page(vec![EmergencyLead, BureauDuty], PageReason::AckEscalation),
        TimerKind::Reminder | TimerKind::Warning if !pending || !state.status.is_open() => {
            Firing::Retire { why: "milestones reached" }
        }
        TimerKind::Reminder => page(vec![Engineers, Liaison], PageReason::Reminder),
        TimerKind::Warning => page(vec![Engineers, Liaison, BureauDuty], PageReason::Warning),
        TimerKind::Breach => {
            if evaluate(state, policy, now.max(state.deadline_at + Duration::seconds(1))).breached_milestones.is_empty()
            {
                Firing::Retire { why: "milestones reached in time" }
            } else {
                Firing::Page { audiences: vec![BureauDuty, Managers], reason: PageReason::Breach, breach: true }
            }
        }
    }
}

/// The pending timers a change makes pointless.
pub fn cancelled_by(before: &AssignmentState, after: &AssignmentState, policy: &SlaPolicy) -> Vec<TimerKind> {
    if matches!(after.status, Status::StoodDown | Status::Closed) {
        return TimerKind::ALL.to_vec();
    }
    let mut kinds = Vec::new();
    if before.milestones.acknowledged_at.is_none() && after.milestones.acknowledged_at.is_some() {
        kinds.extend([TimerKind::AckReminder, TimerKind::AckEscalation]);
    }
    let all_reached = policy.required_for(after.requires_onsite).iter().all(|m| after.milestones.get(*m).is_some());
    if all_reached {
        kinds.extend([TimerKind::Reminder, TimerKind::Warning, TimerKind::Breach]);
    }
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assignment::Milestone;
    use crate::fixtures::{min, t0};

    fn fresh() -> AssignmentState {
        AssignmentState::dispatched(t0(), 7_200, true)
    }

    #[test]
    fn dispatch_plans_the_default_policy() {
        let plan = plan(&SlaPolicy::default(), &fresh());
        let got: Vec<(TimerKind, DateTime<Utc>)> = plan.iter().map(|t| (t.kind, t.due_at)).collect();
        assert_eq!(
            got,
            vec![
                (TimerKind::AckReminder, min(10)),
                (TimerKind::AckEscalation, min(20)),
                (TimerKind::Reminder, min(60)),
                (TimerKind::Warning, min(90)),
                (TimerKind::Breach, min(120)),
            ]
        );
    }

    #[test]
    fn an_unacknowledged_assignment_escalates_step_by_step() {
        let p = SlaPolicy::default();
        let a = fresh();
        let Firing::Page { audiences, .. } = on_fire(TimerKind::AckReminder, &a, &p, min(10)) else { panic!() };
        assert_eq!(audiences, vec![Audience::Engineers, Audience::Liaison, Audience::SupportLead]);
        let Firing::Page { audiences, .. } = on_fire(TimerKind::AckEscalation, &a, &p, min(20)) else { panic!() };
        assert_eq!(audiences, vec![Audience::EmergencyLead, Audience::BureauDuty]);
        let Firing::Page { audiences, breach, .. } = on_fire(TimerKind::Breach, &a, &p, min(120)) else { panic!() };
        assert_eq!(audiences, vec![Audience::BureauDuty, Audience::Managers]);
        assert!(breach);
    }

    #[test]
    fn timers_whose_condition_is_gone_retire() {
        let p = SlaPolicy::default();
        let acked = fresh().reach(Milestone::Acknowledged, min(3), min(3)).unwrap();
        assert!(matches!(on_fire(TimerKind::AckReminder, &acked, &p, min(10)), Firing::Retire { .. }));
        assert!(matches!(on_fire(TimerKind::Reminder, &acked, &p, min(60)), Firing::Page { .. }));
        let (stood, _) = fresh().stand_down("误报", min(5)).unwrap();
        for kind in TimerKind::ALL {
            assert!(matches!(on_fire(*kind, &stood, &p, min(200)), Firing::Retire { .. }), "{kind}");
        }
    }

    #[test]
    fn a_breach_timer_fired_late_still_judges_at_the_deadline() {
        let p = SlaPolicy::default();
        let done = fresh()
            .reach(Milestone::Acknowledged, min(1), min(100))
            .and_then(|a| a.reach(Milestone::PlanActivated, min(10), min(100)))
            .and_then(|a| a.reach(Milestone::HqRemote, min(20), min(100)))
            .and_then(|a| a.reach(Milestone::OnSite, min(100), min(100)))
            .unwrap();
        // The engine was down and fires the breach timer three hours late:
        // every milestone came in time, so it retires.
        assert!(matches!(on_fire(TimerKind::Breach, &done, &p, min(300)), Firing::Retire { .. }));
    }

    #[test]
    fn acknowledgement_cancels_the_ack_timers_and_completion_the_deadline_ones() {
        let p = SlaPolicy::default();
        let a = fresh();
        let acked = a.reach(Milestone::Acknowledged, min(1), min(1)).unwrap();
        assert_eq!(cancelled_by(&a, &acked, &p), vec![TimerKind::AckReminder, TimerKind::AckEscalation]);
        let planned = acked.reach(Milestone::PlanActivated, min(2), min(2)).unwrap();
        assert!(cancelled_by(&acked, &planned, &p).is_empty());
        let remote = planned.reach(Milestone::HqRemote, min(3), min(3)).unwrap();
        let onsite = remote.reach(Milestone::OnSite, min(4), min(4)).unwrap();
        assert_eq!(
            cancelled_by(&remote, &onsite, &p),
            vec![TimerKind::Reminder, TimerKind::Warning, TimerKind::Breach]
        );
        let (stood, _) = a.stand_down("x", min(1)).unwrap();
        assert_eq!(cancelled_by(&a, &stood, &p).len(), TimerKind::ALL.len());
    }

    #[test]
    fn an_extension_keeps_the_time_left_of_reminders() {
        let p = SlaPolicy::default();
        let (ext, _) = fresh().extend(min(180), "x").unwrap();
        let timers = deadline_timers(&p, &ext, min(100));
        let got: Vec<(TimerKind, DateTime<Utc>)> = timers.iter().map(|t| (t.kind, t.due_at)).collect();
        assert_eq!(
            got,
            vec![(TimerKind::Reminder, min(120)), (TimerKind::Warning, min(150)), (TimerKind::Breach, min(180))]
        );
        // Extended when only 20 minutes remain of the new deadline: only the breach is left.
        let timers = deadline_timers(&p, &ext, min(160));
        assert_eq!(timers.iter().map(|t| t.kind).collect::<Vec<_>>(), vec![TimerKind::Breach]);
    }
}
