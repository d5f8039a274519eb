use chrono::{Duration, TimeZone};
use chrono_tz::Asia::Shanghai;

use super::*;
use crate::period::named;

/// Local time on Shanghai's calendar.
fn at(y: i32, mo: u32, d: u32, h: u32) -> DateTime<Utc> {
    Shanghai.with_ymd_and_hms(y, mo, d, h, 0, 0).unwrap().to_utc()
}

fn schedule() -> Schedule {
    Schedule { due_day: 5, remind_before: Duration::days(3) }
}

fn report(unit_id: i64, kind: Reviewed, filed_at: DateTime<Utc>, status: ReviewStatus, findings: u32) -> FiledReport {
    FiledReport { unit_id, kind, filed_at, status, findings }
}

#[test]
fn reports_count_in_the_month_they_were_filed_and_by_their_status() {
    let facts = DutyFacts {
        reports: vec![
            report(1, Reviewed::SpecialReport, at(2026, 10, 3, 9), ReviewStatus::Accepted, 0),
            report(1, Reviewed::SpecialReport, at(2026, 11, 30, 23), ReviewStatus::Returned, 0),
            report(1, Reviewed::ThreatReport, at(2026, 11, 2, 9), ReviewStatus::Submitted, 4),
            report(2, Reviewed::ThreatReport, at(2026, 11, 2, 9), ReviewStatus::Accepted, 2),
            // Filed at 00:30 on 1 December in Shanghai: December's, outside the quarter's November.
            report(2, Reviewed::SpecialReport, at(2026, 12, 1, 0) + Duration::minutes(30), ReviewStatus::Accepted, 0),
        ],
        ..DutyFacts::default()
    };
    let period = named("2026-Q4", Shanghai).unwrap();
    let d = count(&facts, &period, &schedule(), Shanghai, at(2027, 1, 10, 9));
    let one = &d.by_unit[&1];
    assert_eq!((one.special_filed, one.special_accepted, one.special_returned), (2, 1, 1));
    assert_eq!((one.threat_filed, one.threat_accepted, one.threat_findings), (1, 0, 4));
    assert_eq!((d.by_unit[&2].threat_accepted, d.by_unit[&2].special_filed), (1, 1));
    assert_eq!(d.by_month["2026-10"].special_filed, 1);
    assert_eq!(d.by_month["2026-11"].special_filed, 1, "the late-November one, by the local calendar");
    assert_eq!(d.by_month["2026-12"].special_filed, 1);
    assert_eq!((d.totals.special_filed, d.totals.threat_findings), (3, 6));

    let november = named("2026-11", Shanghai).unwrap();
    let d = count(&facts, &november, &schedule(), Shanghai, at(2027, 1, 10, 9));
    assert_eq!(d.totals.special_filed, 1, "October's and December's reports fall outside November");
    assert_eq!(d.by_month.keys().collect::<Vec<_>>(), ["2026-11"]);
}

#[test]
fn instructions_are_judged_against_their_deadline_as_of_now() {
    let issued = at(2026, 11, 10, 9);
    let by = at(2026, 11, 12, 18);
    let receipt = |unit_id, confirmed_at| ReceiptFact { unit_id, issued_at: issued, confirm_by: by, confirmed_at };
    let facts = DutyFacts {
        receipts: vec![
            receipt(1, Some(at(2026, 11, 11, 9))),
            receipt(1, Some(at(2026, 11, 13, 9))),
            receipt(1, None),
            receipt(2, None),
        ],
        ..DutyFacts::default()
    };
    let period = named("2026-11", Shanghai).unwrap();
    let before_the_deadline =
        DutyFacts { receipts: vec![facts.receipts[0].clone(), receipt(1, None)], ..DutyFacts::default() };
    let before = count(&before_the_deadline, &period, &schedule(), Shanghai, at(2026, 11, 12, 12));
    let one = &before.by_unit[&1];
    assert_eq!(
        (one.instructions, one.instructions_on_time, one.instructions_overdue),
        (2, 1, 0),
        "the unread one is still within its deadline"
    );
    let after = count(&facts, &period, &schedule(), Shanghai, at(2026, 11, 20, 12));
    let one = &after.by_unit[&1];
    assert_eq!((one.instructions_on_time, one.instructions_late, one.instructions_overdue), (1, 1, 1));
    assert_eq!(after.totals.instructions_overdue, 2, "unit 2 never read it");
}

#[test]
fn every_registered_unit_owes_a_work_report_for_each_month_after_it_registered() {
    let facts = DutyFacts {
        units: vec![(1, at(2026, 1, 1, 9)), (2, at(2026, 11, 15, 9))],
        work_reports: vec![
            WorkReportFact { unit_id: 1, month: Month::parse("2026-09").unwrap(), submitted_at: at(2026, 10, 4, 9) },
            WorkReportFact { unit_id: 1, month: Month::parse("2026-10").unwrap(), submitted_at: at(2026, 11, 6, 9) },
            // Submitted early, before December's report is due.
            WorkReportFact { unit_id: 2, month: Month::parse("2026-11").unwrap(), submitted_at: at(2026, 12, 1, 9) },
        ],
        ..DutyFacts::default()
    };
    let q3_q4 = Period { from: at(2026, 9, 1, 0), to: at(2027, 1, 1, 0) };
    // 3 December: September's and October's are decided, November's is due on the 5th.
    let d = count(&facts, &q3_q4, &schedule(), Shanghai, at(2026, 12, 3, 9));
    let one = &d.by_unit[&1];
    assert_eq!((one.work_reports_due, one.work_reports_on_time, one.work_reports_late), (2, 1, 1));
    let two = &d.by_unit[&2];
    assert_eq!((two.work_reports_due, two.work_reports_on_time), (1, 1), "registered in November: owes November only");
    // 10 December: unit 1's November report never came.
    let d = count(&facts, &q3_q4, &schedule(), Shanghai, at(2026, 12, 10, 9));
    assert_eq!((d.by_unit[&1].work_reports_due, d.by_unit[&1].work_reports_overdue), (3, 1));
    assert_eq!(d.by_month["2026-11"].work_reports_overdue, 1);
    assert_eq!(d.totals.work_reports_due, 4, "December's is not due yet for anyone");
    let empty = count(
        &DutyFacts { units: vec![(3, at(2026, 12, 2, 9))], ..DutyFacts::default() },
        &q3_q4,
        &schedule(),
        Shanghai,
        at(2027, 3, 1, 9),
    );
    assert_eq!(
        empty.by_unit[&3].work_reports_overdue, 1,
        "a unit that owes nothing else still shows, with December owed"
    );
}

#[test]
fn screening_counts_tasks_due_in_the_period_done_and_overdue() {
    let task = |unit_id, due_at, done| ScreeningFact { unit_id, due_at, done };
    let facts = DutyFacts {
        screenings: vec![
            task(1, at(2026, 11, 5, 18), true),
            task(1, at(2026, 11, 5, 18), false),
            task(1, at(2026, 11, 25, 18), false),
            task(1, at(2026, 12, 5, 18), false),
        ],
        ..DutyFacts::default()
    };
    let d = count(&facts, &named("2026-11", Shanghai).unwrap(), &schedule(), Shanghai, at(2026, 11, 20, 9));
    let one = &d.by_unit[&1];
    assert_eq!((one.screening_tasks, one.screening_done, one.screening_overdue), (3, 1, 1));
}
