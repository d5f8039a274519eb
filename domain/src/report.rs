//! SLA report maths: from the facts of each assignment, the figures managers
//! judge units by. Pure: the store supplies the rows, the API and pages show
//! the result.
//!
//! Definitions (they are what the report page says they are):
//! - *counted*: assignments not stood down.
//! - *pending*: counted assignments still open whose promise can still be
//!   kept (their deadline from T0 has not passed): neither kept nor missed
//!   yet, so left out of the on-time rate until it is decided.
//! - *within the deadline*: the milestone came no later than T0 plus the
//!   policy's deadline (the two-hour commitment), whatever extension followed.
//! - *kept*: every required milestone within the deadline.
//! - *breached*: the SLA verdict against the deadline in force (so a granted
//!   extension counts), with the lateness of the latest milestone.
//! - durations are to the second; median and p90 use the nearest-rank method
//!   (the value at rank ⌈p·n⌉ of the sorted list).

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::assignment::{AssignmentState, Milestone, Status};
use super::policy::SlaPolicy;
use super::sla::{SlaState, evaluate};

pub mod duties;

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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DurationStats {
    pub count: u64,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

/// The figures of one group (all, a unit, a branch).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Still open with time left: not yet kept or missed.
    #[serde(default)]
    pub pending: u64,
    /// `kept / (counted − pending)`: the promises decided so far; absent
    /// when none is.
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

/// Figures for everything, per unit, per branch and per month, and the
/// breach list.
#[derive(Debug, Clone, Default)]
pub struct SlaReport {
    pub totals: Figures,
    /// Counted assignments by minutes from T0 to on site, in 15-minute bars
    /// (the last bar: four hours or more).
    pub on_site_distribution: Vec<u64>,
    pub by_unit: Vec<(i64, Figures)>,
    pub by_branch: Vec<((i64, Option<i64>), Figures)>,
    /// Keyed by the local month (`YYYY-MM`) the assignments were dispatched in.
    pub by_month: Vec<(String, Figures)>,
    /// The breaches among the assignments given one by one (settled ones
    /// come from the maintained breach list), latest first.
    pub breaches: Vec<Breach>,
}

/// The report's running sums over a set of assignments: the counts, the
/// on-site distribution and every duration (kept whole, so medians and p90
/// stay exact when tallies are merged). The store keeps one per cell of
/// settled assignments; a report merges cells and adds the open ones.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    figures: Figures,
    distribution: Vec<u64>,
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

/// Whether an assignment's figures are final: closed or stood down, its
/// clock has stopped (only its closure report may still change them).
pub fn settled(state: &AssignmentState) -> bool {
    matches!(state.status, Status::Closed | Status::StoodDown)
}

/// One assignment's part of a report: its tally and, if breached, its entry
/// in the breach list.
pub fn contribution(f: &Facts, now: DateTime<Utc>) -> (Tally, Option<Breach>) {
    let verdict = evaluate(&f.state, &f.policy, now);
    let breached = verdict.state == SlaState::Breached;
    let mut tally = Tally::default();
    tally.add(f, breached, pending(f, now));
    let breach = breached.then_some(Breach {
        assignment_id: f.assignment_id,
        notice_id: f.notice_id,
        unit_id: f.unit_id,
        branch_id: f.branch_id,
        notified_at: f.state.notified_at,
        milestones: verdict.breached_milestones,
        lateness_seconds: verdict.lateness_seconds,
        extended: f.extended,
    });
    (tally, breach)
}

/// Whether an assignment's promise is still undecided at `now`: open, not
/// yet kept, and its deadline from T0 not yet passed.
fn pending(f: &Facts, now: DateTime<Utc>) -> bool {
    let deadline = f.state.notified_at + chrono::Duration::seconds(f.policy.deadline_secs);
    !settled(&f.state) && !kept(&f.state, &f.policy) && now < deadline
}

/// A settled assignment's part: the same whenever it is asked (its clock
/// stopped at the close or the stand-down).
pub fn settled_contribution(f: &Facts) -> (Tally, Option<Breach>) {
    contribution(f, DateTime::<Utc>::MAX_UTC)
}

impl Tally {
    /// Nothing counted: the cell can go.
    pub fn is_empty(&self) -> bool {
        self.figures.assignments == 0
    }

    fn add(&mut self, f: &Facts, verdict_breached: bool, pending: bool) {
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
        s.pending += u64::from(pending);
        if let Some(filed) = f.closure_submitted_at {
            s.closure_filed += 1;
            s.closure_accepted += u64::from(f.closure_accepted);
            self.closure.extend(f.state.milestones.resolved_at.map(|r| (filed - r).num_seconds().max(0)));
        }
        self.ack.extend(ack);
        self.plan.extend(since_t0(&f.state, Milestone::PlanActivated));
        let on_site = since_t0(&f.state, Milestone::OnSite);
        self.on_site.extend(on_site);
        if let Some(secs) = on_site {
            let bar = usize::try_from(secs.max(0) / 60 / DISTRIBUTION_BUCKET_MINUTES).unwrap_or(usize::MAX);
            self.distribution.resize(DISTRIBUTION_BUCKETS, 0);
            self.distribution[bar.min(DISTRIBUTION_BUCKETS - 1)] += 1;
        }
    }

    fn counts(f: &mut Figures) -> [&mut u64; 14] {
        [
            &mut f.assignments,
            &mut f.stood_down,
            &mut f.extended,
            &mut f.counted,
            &mut f.acknowledged_within_target,
            &mut f.plan_activated_within_deadline,
            &mut f.on_site_required,
            &mut f.on_site_within_deadline,
            &mut f.hq_remote_within_deadline,
            &mut f.kept,
            &mut f.breached,
            &mut f.pending,
            &mut f.closure_filed,
            &mut f.closure_accepted,
        ]
    }

    fn values(&mut self) -> [&mut Vec<i64>; 4] {
        [&mut self.ack, &mut self.plan, &mut self.on_site, &mut self.closure]
    }

    /// Adds `other`'s assignments to these.
    pub fn merge(&mut self, other: &Tally) {
        let mut theirs = other.figures.clone();
        for (mine, theirs) in Self::counts(&mut self.figures).into_iter().zip(Self::counts(&mut theirs)) {
            *mine += *theirs;
        }
        if self.distribution.len() < other.distribution.len() {
            self.distribution.resize(other.distribution.len(), 0);
        }
        for (mine, theirs) in self.distribution.iter_mut().zip(&other.distribution) {
            *mine += theirs;
        }
        self.ack.extend_from_slice(&other.ack);
        self.plan.extend_from_slice(&other.plan);
        self.on_site.extend_from_slice(&other.on_site);
        self.closure.extend_from_slice(&other.closure);
    }

    /// Takes `other`'s assignments (merged in earlier) out of these again.
    pub fn remove(&mut self, other: &Tally) {
        let mut theirs = other.figures.clone();
        for (mine, theirs) in Self::counts(&mut self.figures).into_iter().zip(Self::counts(&mut theirs)) {
            *mine = mine.saturating_sub(*theirs);
        }
        for (mine, theirs) in self.distribution.iter_mut().zip(&other.distribution) {
            *mine = mine.saturating_sub(*theirs);
        }
        let mut other = other.clone();
        for (mine, theirs) in self.values().into_iter().zip(other.values()) {
            for v in theirs.iter() {
                if let Some(at) = mine.iter().position(|x| x == v) {
                    mine.swap_remove(at);
                }
            }
        }
    }

    fn finish(mut self) -> Figures {
        let s = &mut self.figures;
        let decided = s.counted.saturating_sub(s.pending);
        s.on_time_rate = (decided > 0).then(|| s.kept as f64 / decided as f64);
        s.time_to_acknowledge = stats(&mut self.ack);
        s.time_to_plan = stats(&mut self.plan);
        s.time_to_on_site = stats(&mut self.on_site);
        s.time_to_closure = stats(&mut self.closure);
        self.figures
    }
}

/// Rank ⌈p·n⌉ (1-based) among `n` values (p in 0..=100).
fn nearest_rank(n: usize, p: usize) -> Option<usize> {
    (n > 0).then(|| (p * n).div_ceil(100).max(1))
}

/// Median and p90 by selection (linear time: a year's values need no sort).
fn stats(values: &mut [i64]) -> DurationStats {
    let n = values.len();
    let mut at = |p: usize| nearest_rank(n, p).map(|rank| *values.select_nth_unstable(rank - 1).1);
    let median_seconds = at(50);
    let p90_seconds = at(90);
    DurationStats { count: n as u64, median_seconds, p90_seconds }
}

/// Assembles a report from cells of settled assignments and assignments
/// given one by one.
#[derive(Debug, Default)]
pub struct Builder {
    all: Tally,
    units: BTreeMap<i64, Tally>,
    branches: BTreeMap<(i64, Option<i64>), Tally>,
    months: BTreeMap<String, Tally>,
    breaches: Vec<Breach>,
}

impl Builder {
    /// Adds a cell: the tally of settled assignments of one unit and branch
    /// dispatched in local month `month`.
    pub fn cell(&mut self, month: &str, unit_id: i64, branch_id: Option<i64>, tally: &Tally) {
        self.all.merge(tally);
        self.units.entry(unit_id).or_default().merge(tally);
        self.branches.entry((unit_id, branch_id)).or_default().merge(tally);
        match self.months.get_mut(month) {
            Some(m) => m.merge(tally),
            None => {
                self.months.insert(month.to_owned(), tally.clone());
            }
        }
    }

    /// Adds one assignment as it stands at `now`, dispatched in local month `month`.
    pub fn fact(&mut self, month: &str, f: &Facts, now: DateTime<Utc>) {
        let (tally, breach) = contribution(f, now);
        self.cell(month, f.unit_id, f.branch_id, &tally);
        self.breaches.extend(breach);
    }

    /// Makes sure `month` appears even when nothing was dispatched in it.
    pub fn month(&mut self, month: &str) {
        self.months.entry(month.to_owned()).or_default();
    }

    pub fn finish(mut self) -> SlaReport {
        sort_breaches(&mut self.breaches);
        let mut distribution = self.all.distribution.clone();
        distribution.resize(DISTRIBUTION_BUCKETS, 0);
        SlaReport {
            totals: self.all.finish(),
            on_site_distribution: distribution,
            by_unit: self.units.into_iter().map(|(k, t)| (k, t.finish())).collect(),
            by_branch: self.branches.into_iter().map(|(k, t)| (k, t.finish())).collect(),
            by_month: self.months.into_iter().map(|(k, t)| (k, t.finish())).collect(),
            breaches: self.breaches,
        }
    }
}

/// The breach list's order: latest first, then by assignment.
pub fn sort_breaches(breaches: &mut [Breach]) {
    breaches.sort_by(|a, b| b.lateness_seconds.cmp(&a.lateness_seconds).then(a.assignment_id.cmp(&b.assignment_id)));
}

/// Builds the report over `facts` as it stands at `now`, each in the month
/// `month_of` names.
pub fn build(facts: &[Facts], month_of: impl Fn(DateTime<Utc>) -> String, now: DateTime<Utc>) -> SlaReport {
    let mut b = Builder::default();
    for f in facts {
        b.fact(&month_of(f.state.notified_at), f, now);
    }
    b.finish()
}

#[cfg(test)]
mod tests;
