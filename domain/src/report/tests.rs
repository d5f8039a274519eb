use super::*;
use crate::fixtures::{min, t0};

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
    let r = build(&rows, |_| "2026-11".to_owned(), min(200));
    let t = &r.totals;
    assert_eq!((t.assignments, t.stood_down, t.counted), (4, 1, 3));
    assert_eq!(t.acknowledged_within_target, 1);
    assert_eq!((t.plan_activated_within_deadline, t.on_site_within_deadline, t.kept), (1, 1, 1));
    assert_eq!(t.breached, 2);
    assert_eq!(t.on_time_rate, Some(1.0 / 3.0));
    assert_eq!(t.time_to_acknowledge, DurationStats { count: 2, median_seconds: Some(300), p90_seconds: Some(900) });
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
    let mut ten: Vec<i64> = (1..=10).rev().collect();
    assert_eq!(stats(&mut ten), DurationStats { count: 10, median_seconds: Some(5), p90_seconds: Some(9) });
    assert_eq!(stats(&mut [7]), DurationStats { count: 1, median_seconds: Some(7), p90_seconds: Some(7) });
    assert_eq!(stats(&mut []), DurationStats::default());
}

/// A report merged from stored cells says the same as one built from
/// every assignment, and taking an assignment out of a cell undoes it.
#[test]
fn cells_merge_and_unmerge_to_the_same_figures() {
    let closed = |ack: i64, done: i64| {
        let s = answered(ack, done);
        let resolved = s.reach(Milestone::Resolved, min(done + 10), min(done + 10)).unwrap();
        resolved.reach(Milestone::Closed, min(done + 20), min(done + 20)).unwrap()
    };
    let rows: Vec<Facts> = (0..40).map(|i| facts(i, 10 + i % 3, closed(i % 17, 60 + i * 3))).collect();
    let month = |_| "2026-11".to_owned();
    let direct = build(&rows, month, min(5_000));
    let mut cells: BTreeMap<i64, Tally> = BTreeMap::new();
    for f in &rows {
        assert!(settled(&f.state));
        cells.entry(f.unit_id).or_default().merge(&contribution(f, min(5_000)).0);
    }
    let mut b = Builder::default();
    for (unit, tally) in &cells {
        b.cell("2026-11", *unit, None, tally);
    }
    let merged = b.finish();
    assert_eq!(merged.totals, direct.totals);
    assert_eq!(merged.by_unit, direct.by_unit);
    assert_eq!(merged.on_site_distribution, direct.on_site_distribution);
    assert!(direct.totals.breached > 0, "some of the forty came late");

    let mut cell = cells[&10].clone();
    let before = cell.clone();
    let (extra, _) = contribution(&rows[5], min(5_000));
    cell.merge(&extra);
    assert_ne!(cell, before);
    cell.remove(&extra);
    assert_eq!(cell.clone().finish(), before.clone().finish());
}

#[test]
fn an_open_assignment_with_time_left_is_pending_not_missed() {
    // At 30 minutes: one kept already (all in by 20), two open with time left.
    let fresh = AssignmentState::dispatched(t0(), 7_200, true);
    let acknowledged = fresh.reach(Milestone::Acknowledged, min(3), min(3)).unwrap();
    let rows = [facts(1, 10, answered(2, 20)), facts(2, 10, fresh.clone()), facts(3, 20, acknowledged)];
    let t = build(&rows, |_| "2026-11".to_owned(), min(30)).totals;
    assert_eq!((t.counted, t.kept, t.pending, t.breached), (3, 1, 2, 0));
    assert_eq!(t.on_time_rate, Some(1.0), "only the decided one is rated");

    // A month of nothing but fresh notices has no rate yet, not 0 %.
    let t = build(&[facts(2, 10, fresh.clone())], |_| "2026-11".to_owned(), min(30)).totals;
    assert_eq!((t.pending, t.on_time_rate), (1, None));

    // Past the deadline it is decided: missed, even before anyone closes it.
    let t = build(&rows, |_| "2026-11".to_owned(), min(121)).totals;
    assert_eq!((t.kept, t.pending, t.breached), (1, 0, 2));
    assert_eq!(t.on_time_rate, Some(1.0 / 3.0));
}
