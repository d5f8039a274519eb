//! SLA report maths: from the facts of each assignment, the figures managers
//! judge units by. Pure: the store supplies the rows, the API and pages show
//! the result.
//!
//! Definitions (they are what the report page says they are):
//! - *counted*: assignments not stood down; every rate is over these.
//! - *within the deadline*: the milestone came no later than T0 plus the
//!   policy's deadline (the two-hour commitment), whatever extension followed.
//! - *kept*: every required milestone within the deadline.
//! - *breached*: the SLA verdict against the deadline in force (so a granted
//!   extension counts), with the lateness of the latest milestone.
//! - durations are to the second; median and p90 use the nearest-rank method
//!   (the value at rank ⌈p·n⌉ of the sorted list).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::assignment::{AssignmentState, Milestone, Status};
use super::policy::SlaPolicy;
use super::sla::{SlaState, evaluate};

/// One assignment as the report reads it.
#[derive(Debug, Clone)]
pub struct Facts {
    pub assignment_id: i64,
    pub notice_id: i64,
    pub unit_id: i64,
    pub branch_id: Option<i64>,
    pub extended: bool,
    pub state: AssignmentState,
    /// Shared: a year's assignments have a handful of policies between them.
    pub policy: std::sync::Arc<SlaPolicy>,
    /// When its closure report was (last) submitted, if it was.
    pub closure_submitted_at: Option<DateTime<Utc>>,
    pub closure_accepted: bool,
}

/// Median and 90th percentile of a duration, over the assignments that reached it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct DurationStats {
    pub count: u64,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

/// The figures of one group (all, a unit, a branch).
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Figures {
    pub assignments: u64,
    pub stood_down: u64,
    pub extended: u64,
    pub counted: u64,
    pub acknowledged_within_target: u64,
    pub plan_activated_within_deadline: u64,
    /// Counted assignments that need technicians on site.
    pub on_site_required: u64,
    pub on_site_within_deadline: u64,
    pub hq_remote_within_deadline: u64,
    /// Every required milestone within the deadline: the promise kept.
    pub kept: u64,
    pub breached: u64,
    /// `kept / counted`, absent when nothing is counted.
    pub on_time_rate: Option<f64>,
    pub time_to_acknowledge: DurationStats,
    pub time_to_plan: DurationStats,
    pub time_to_on_site: DurationStats,
    /// Counted assignments whose closure report is submitted (or accepted).
    pub closure_filed: u64,
    pub closure_accepted: u64,
    /// From resolved (处置完成) to the report's submission.
    pub time_to_closure: DurationStats,
}

/// A breached assignment for the breach list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    pub assignment_id: i64,
    pub notice_id: i64,
    pub unit_id: i64,
    pub branch_id: Option<i64>,
    pub notified_at: DateTime<Utc>,
    pub milestones: Vec<Milestone>,
    pub lateness_seconds: i64,
    pub extended: bool,
}

/// Width of one bar of the time-to-on-site distribution.
pub const DISTRIBUTION_BUCKET_MINUTES: i64 = 15;
/// Bars up to four hours; the last counts everything later.
pub const DISTRIBUTION_BUCKETS: usize = 17;

/// Figures for everything, per unit and per branch, and the breach list.
#[derive(Debug, Clone, Default)]
pub struct SlaReport {
    pub totals: Figures,
    /// Counted assignments by minutes from T0 to on site, in 15-minute bars
    /// (the last bar: four hours or more).
    pub on_site_distribution: Vec<u64>,
    pub by_unit: Vec<(i64, Figures)>,
    pub by_branch: Vec<((i64, Option<i64>), Figures)>,
    pub breaches: Vec<Breach>,
}

/// Accumulates figures one assignment at a time.
#[derive(Debug, Default, Clone)]
struct Tally {
    figures: Figures,
    ack: Vec<i64>,
    plan: Vec<i64>,
    on_site: Vec<i64>,
    closure: Vec<i64>,
}

/// Seconds from T0 to a milestone, if reached.
fn since_t0(state: &AssignmentState, m: Milestone) -> Option<i64> {
    state.milestones.get(m).map(|at| (at - state.notified_at).num_seconds())
}

/// Whether every required milestone came within the deadline from T0 (the
/// two-hour promise kept), whatever extension followed.
pub fn kept(state: &AssignmentState, policy: &SlaPolicy) -> bool {
    policy
        .required_for(state.requires_onsite)
        .into_iter()
        .all(|m| since_t0(state, m).is_some_and(|d| d <= policy.deadline_secs))
}

impl Tally {
    fn add(&mut self, f: &Facts, verdict_breached: bool) {
        let s = &mut self.figures;
        s.assignments += 1;
        s.extended += u64::from(f.extended);
        if f.state.status == Status::StoodDown {
            s.stood_down += 1;
            return;
        }
        s.counted += 1;
        let within = |m: Milestone| since_t0(&f.state, m).is_some_and(|d| d <= f.policy.deadline_secs);
        let ack = since_t0(&f.state, Milestone::Acknowledged);
        s.acknowledged_within_target += u64::from(ack.is_some_and(|d| d <= f.policy.ack_target_secs));
        s.plan_activated_within_deadline += u64::from(within(Milestone::PlanActivated));
        if f.state.requires_onsite {
            s.on_site_required += 1;
            s.on_site_within_deadline += u64::from(within(Milestone::OnSite));
        }
        s.hq_remote_within_deadline += u64::from(within(Milestone::HqRemote));
        s.kept += u64::from(kept(&f.state, &f.policy));
        s.breached += u64::from(verdict_breached);
        self.ack.extend(ack);
        self.plan.extend(since_t0(&f.state, Milestone::PlanActivated));
        self.on_site.extend(since_t0(&f.state, Milestone::OnSite));
        if let Some(filed) = f.closure_submitted_at {
            s.closure_filed += 1;
            s.closure_accepted += u64::from(f.closure_accepted);
            self.closure.extend(f.state.milestones.resolved_at.map(|r| (filed - r).num_seconds().max(0)));
        }
    }

    fn finish(mut self) -> Figures {
        let s = &mut self.figures;
        s.on_time_rate = (s.counted > 0).then(|| s.kept as f64 / s.counted as f64);
        s.time_to_acknowledge = stats(&mut self.ack);
        s.time_to_plan = stats(&mut self.plan);
        s.time_to_on_site = stats(&mut self.on_site);
        s.time_to_closure = stats(&mut self.closure);
        self.figures
    }
}

/// The value at nearest rank ⌈p·n⌉ of `sorted` (p in 0..=100).
fn nearest_rank(sorted: &[i64], p: u64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    let rank = (p * n).div_ceil(100).max(1);
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

fn stats(values: &mut [i64]) -> DurationStats {
    values.sort_unstable();
    DurationStats {
        count: values.len() as u64,
        median_seconds: nearest_rank(values, 50),
        p90_seconds: nearest_rank(values, 90),
    }
}

/// Builds the report over `facts` as it stands at `now`.
pub fn build(facts: &[Facts], now: DateTime<Utc>) -> SlaReport {
    use std::collections::BTreeMap;
    let mut all = Tally::default();
    let mut units: BTreeMap<i64, Tally> = BTreeMap::new();
    let mut branches: BTreeMap<(i64, Option<i64>), Tally> = BTreeMap::new();
    let mut breaches = Vec::new();
    let mut distribution = vec![0u64; DISTRIBUTION_BUCKETS];
    for f in facts {
        if f.state.status != Status::StoodDown
            && let Some(secs) = since_t0(&f.state, Milestone::OnSite)
        {
            let bar = usize::try_from(secs.max(0) / 60 / DISTRIBUTION_BUCKET_MINUTES).unwrap_or(usize::MAX);
            distribution[bar.min(DISTRIBUTION_BUCKETS - 1)] += 1;
        }
        let verdict = evaluate(&f.state, &f.policy, now);
        let breached = verdict.state == SlaState::Breached;
        all.add(f, breached);
        units.entry(f.unit_id).or_default().add(f, breached);
        branches.entry((f.unit_id, f.branch_id)).or_default().add(f, breached);
        if breached {
            breaches.push(Breach {
                assignment_id: f.assignment_id,
                notice_id: f.notice_id,
                unit_id: f.unit_id,
                branch_id: f.branch_id,
                notified_at: f.state.notified_at,
                milestones: verdict.breached_milestones,
                lateness_seconds: verdict.lateness_seconds,
                extended: f.extended,
            });
        }
    }
    breaches.sort_by(|a, b| b.lateness_seconds.cmp(&a.lateness_seconds).then(a.assignment_id.cmp(&b.assignment_id)));
    SlaReport {
        totals: all.finish(),
        on_site_distribution: distribution,
        by_unit: units.into_iter().map(|(k, t)| (k, t.finish())).collect(),
        by_branch: branches.into_iter().map(|(k, t)| (k, t.finish())).collect(),
        breaches,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{min, t0};

    fn facts(id: i64, unit: i64, state: AssignmentState) -> Facts {
        Facts {
            assignment_id: id,
            notice_id: id,
            unit_id: unit,
            branch_id: None,
            extended: false,
            state,
            policy: SlaPolicy::default().into(),
            closure_submitted_at: None,
            closure_accepted: false,
        }
    }

    /// Acknowledged at `ack`, plan, on site and HQ remote at `done` minutes.
    fn answered(ack: i64, done: i64) -> AssignmentState {
        let now = min(done.max(ack) + 1);
        AssignmentState::dispatched(t0(), 7_200, true)
            .reach(Milestone::Acknowledged, min(ack), now)
            .and_then(|s| s.reach(Milestone::PlanActivated, min(done), now))
            .and_then(|s| s.reach(Milestone::HqRemote, min(done), now))
            .and_then(|s| s.reach(Milestone::OnSite, min(done), now))
            .unwrap()
    }

    #[test]
    fn kept_late_and_never_acknowledged_are_told_apart() {
        let stood = AssignmentState::dispatched(t0(), 7_200, true).stand_down("误报", min(5)).unwrap().0;
        let rows = [
            facts(1, 10, answered(5, 100)),                               // kept
            facts(2, 10, answered(15, 135)),                              // 15 min late
            facts(3, 20, AssignmentState::dispatched(t0(), 7_200, true)), // never acknowledged
            facts(4, 20, stood),
        ];
        let r = build(&rows, min(200));
        let t = &r.totals;
        assert_eq!((t.assignments, t.stood_down, t.counted), (4, 1, 3));
        assert_eq!(t.acknowledged_within_target, 1);
        assert_eq!((t.plan_activated_within_deadline, t.on_site_within_deadline, t.kept), (1, 1, 1));
        assert_eq!(t.breached, 2);
        assert_eq!(t.on_time_rate, Some(1.0 / 3.0));
        assert_eq!(
            t.time_to_acknowledge,
            DurationStats { count: 2, median_seconds: Some(300), p90_seconds: Some(900) }
        );
        assert_eq!(r.by_unit.len(), 2);
        // On site at 100 minutes (bar 6: 90–105) and at 135 (bar 9: 135–150).
        assert_eq!(r.on_site_distribution.iter().sum::<u64>(), 2);
        assert_eq!((r.on_site_distribution[6], r.on_site_distribution[9]), (1, 1));
        assert_eq!(r.by_unit[0].1.kept, 1);
        assert_eq!(r.by_unit[1].1.stood_down, 1);
        // Breaches, latest first: never acknowledged is 80 minutes late at 200.
        assert_eq!(
            r.breaches.iter().map(|b| (b.assignment_id, b.lateness_seconds)).collect::<Vec<_>>(),
            [(3, 4_800), (2, 900)]
        );
    }

    #[test]
    fn nearest_rank_percentiles() {
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 50), Some(5));
        assert_eq!(nearest_rank(&ten, 90), Some(9));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&[], 50), None);
    }
}
