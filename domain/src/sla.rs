//! The SLA verdict of an assignment at a moment: on track, at risk, breached,
//! met or stood down, which milestones breached and how late. The clock keeps
//! running after a breach so lateness shows how late a milestone came.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::assignment::{AssignmentState, Milestone, Status};
use super::policy::SlaPolicy;
use crate::labelled_enum;

labelled_enum! {
    pub enum SlaState {
        OnTrack => ("on_track", "正常", "On track"),
        AtRisk => ("at_risk", "临近超时", "At risk"),
        Breached => ("breached", "已超时", "Breached"),
        Met => ("met", "已达标", "Met"),
        StoodDown => ("stood_down", "已撤销", "Stood down"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlaVerdict {
    pub state: SlaState,
    /// Required milestones reached after the deadline, or still missing past it.
    pub breached_milestones: Vec<Milestone>,
    /// How far past the deadline the latest breached milestone is (0 if none).
    pub lateness_seconds: i64,
    /// Seconds until the deadline (negative once past), while any is pending.
    pub remaining_seconds: Option<i64>,
}

/// Judges `state` under `policy` at `now`.
pub fn evaluate(state: &AssignmentState, policy: &SlaPolicy, now: DateTime<Utc>) -> SlaVerdict {
    // A stood-down clock stops where it was stood down, a closed one where
    // it was closed: no milestone can come after that.
    let until = state.stood_down_at.or(state.milestones.closed_at).map_or(now, |s| s.min(now));
    let deadline = state.deadline_at;
    let required = policy.required_for(state.requires_onsite);

    let mut breached = Vec::new();
    let mut lateness = 0i64;
    let mut pending = false;
    for m in &required {
        match state.milestones.get(*m) {
            Some(at) if at > deadline => {
                breached.push(*m);
                lateness = lateness.max((at - deadline).num_seconds());
            }
            Some(_) => {}
            None => {
                pending = true;
                if until > deadline {
                    breached.push(*m);
                    lateness = lateness.max((until - deadline).num_seconds());
                }
            }
        }
    }

    let state_now = if state.status == Status::StoodDown {
        SlaState::StoodDown
    } else if !breached.is_empty() {
        SlaState::Breached
    } else if !pending {
        SlaState::Met
    } else if (deadline - until).num_seconds() <= policy.at_risk_secs {
        SlaState::AtRisk
    } else {
        SlaState::OnTrack
    };

    SlaVerdict {
        state: state_now,
        breached_milestones: breached,
        lateness_seconds: lateness,
        remaining_seconds: (pending && state.status.is_open()).then(|| (deadline - until).num_seconds()),
    }
}

#[cfg(test)]
mod tests {
    use crate::fixtures::{min, t0};

    use super::*;

    fn policy() -> SlaPolicy {
        SlaPolicy::default()
    }

    fn at(state: &AssignmentState, now_min: i64) -> SlaVerdict {
        evaluate(state, &policy(), min(now_min))
    }

    fn fresh() -> AssignmentState {
        AssignmentState::dispatched(t0(), 7_200, true)
    }

    fn all_done_at(plan: i64, onsite: i64, hq: i64, now: i64) -> AssignmentState {
        fresh()
            .reach(Milestone::Acknowledged, min(1), min(now))
            .and_then(|a| a.reach(Milestone::PlanActivated, min(plan), min(now)))
            .and_then(|a| a.reach(Milestone::HqRemote, min(hq), min(now)))
            .and_then(|a| a.reach(Milestone::OnSite, min(onsite), min(now)))
            .unwrap()
    }

    #[test]
    fn on_track_then_at_risk_thirty_minutes_before_the_deadline() {
        let a = fresh();
        assert_eq!(at(&a, 0).state, SlaState::OnTrack);
        assert_eq!(at(&a, 0).remaining_seconds, Some(7_200));
        assert_eq!(at(&a, 89).state, SlaState::OnTrack);
        assert_eq!(at(&a, 90).state, SlaState::AtRisk);
        assert_eq!(at(&a, 120).state, SlaState::AtRisk);
    }

    #[test]
    fn breached_past_the_deadline_and_lateness_keeps_growing() {
        let a = fresh();
        let v = at(&a, 121);
        assert_eq!(v.state, SlaState::Breached);
        assert_eq!(v.breached_milestones, vec![Milestone::PlanActivated, Milestone::OnSite, Milestone::HqRemote]);
        assert_eq!(v.lateness_seconds, 60);
        assert_eq!(at(&a, 155).lateness_seconds, 35 * 60);
    }

    /// Closed without HQ remote assistance: the lateness is counted to the
    /// close, not to whenever the report is read.
    #[test]
    fn a_closed_clock_stops_at_the_close() {
        let a = fresh()
            .reach(Milestone::Acknowledged, min(1), min(200))
            .and_then(|a| a.reach(Milestone::PlanActivated, min(20), min(200)))
            .and_then(|a| a.reach(Milestone::OnSite, min(110), min(200)))
            .and_then(|a| a.reach(Milestone::Resolved, min(150), min(200)))
            .and_then(|a| a.reach(Milestone::Closed, min(160), min(200)))
            .unwrap();
        for now in [200, 10_000] {
            let v = at(&a, now);
            assert_eq!(v.state, SlaState::Breached);
            assert_eq!(v.breached_milestones, vec![Milestone::HqRemote]);
            assert_eq!(v.lateness_seconds, 40 * 60);
        }
    }

    #[test]
    fn met_when_every_required_milestone_came_in_time() {
        let a = all_done_at(20, 110, 30, 115);
        let v = at(&a, 400);
        assert_eq!(v.state, SlaState::Met);
        assert!(v.breached_milestones.is_empty());
        assert_eq!(v.remaining_seconds, None);
    }

    #[test]
    fn a_late_milestone_is_breached_with_its_own_lateness() {
        let a = all_done_at(20, 155, 30, 160);
        let v = at(&a, 500);
        assert_eq!(v.state, SlaState::Breached);
        assert_eq!(v.breached_milestones, vec![Milestone::OnSite]);
        assert_eq!(v.lateness_seconds, 35 * 60);
    }

    #[test]
    fn an_extension_moves_the_verdict() {
        let (a, _) = fresh().extend(min(180), "道路中断").unwrap();
        assert_eq!(at(&a, 130).state, SlaState::OnTrack);
        assert_eq!(at(&a, 150).state, SlaState::AtRisk);
        assert_eq!(at(&a, 181).state, SlaState::Breached);
    }

    #[test]
    fn stand_down_stops_the_clock() {
        let (a, _) = fresh().stand_down("误报", min(130)).unwrap();
        let v = at(&a, 600);
        assert_eq!(v.state, SlaState::StoodDown);
        assert_eq!(v.lateness_seconds, 10 * 60);
        assert_eq!(v.remaining_seconds, None);
    }

    #[test]
    fn remote_only_is_met_without_on_site() {
        let a = AssignmentState::dispatched(t0(), 7_200, false)
            .reach(Milestone::Acknowledged, min(1), min(50))
            .and_then(|a| a.reach(Milestone::PlanActivated, min(10), min(50)))
            .and_then(|a| a.reach(Milestone::HqRemote, min(40), min(50)))
            .unwrap();
        assert_eq!(at(&a, 300).state, SlaState::Met);
    }
}
