use super::*;

const TZ: Tz = chrono_tz::Asia::Shanghai;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn schedule() -> Schedule {
    Schedule { due_day: 5, remind_before: Duration::days(3) }
}

#[test]
fn a_month_is_read_only_in_its_one_spelling() {
    assert_eq!(Month::parse("2026-11").unwrap().to_string(), "2026-11");
    assert_eq!(Month::parse("2026-12").unwrap().next().to_string(), "2027-01");
    assert_eq!(Month::parse("2027-01").unwrap().previous().to_string(), "2026-12");
    for bad in ["2026-13", "2026-1", "26-11", "2026/11", "1999-12", "", "2026-00", "２０２６-11"] {
        assert_eq!(Month::parse(bad).unwrap_err().code, "invalid_month", "{bad}");
    }
}

#[test]
fn novembers_report_is_due_at_the_end_of_the_fifth_of_december_in_chongqing() {
    let nov = Month::parse("2026-11").unwrap();
    assert_eq!(schedule().due_at(nov, TZ), at("2026-12-06T00:00:00+08:00"));
    assert_eq!(schedule().remind_at(nov, TZ), at("2026-12-03T00:00:00+08:00"));
    // Local midnight on the 1st is already December: November's report is owed.
    assert_eq!(schedule().owed(at("2026-11-30T16:00:00Z"), TZ), nov);
    assert_eq!(schedule().owed(at("2026-11-30T15:59:00Z"), TZ).to_string(), "2026-10");
}

#[test]
fn the_engine_reminds_then_flags_and_knows_when_to_wake() {
    let s = schedule();
    let (m, steps, next) = s.due_steps(at("2026-12-02T12:00:00+08:00"), TZ);
    assert_eq!((m.to_string(), steps, next), ("2026-11".into(), vec![], at("2026-12-03T00:00:00+08:00")));
    let (_, steps, next) = s.due_steps(at("2026-12-04T00:00:00+08:00"), TZ);
    assert_eq!((steps, next), (vec![WorkReportStep::Remind], at("2026-12-06T00:00:00+08:00")));
    let (_, steps, next) = s.due_steps(at("2026-12-06T00:00:00+08:00"), TZ);
    assert_eq!(steps, [WorkReportStep::Overdue], "overdue, the reminder is not sent late");
    assert_eq!(next, at("2027-01-03T00:00:00+08:00"), "December's reminder next");
}

#[test]
fn a_unit_stands_by_when_it_submitted_against_the_due_time() {
    let due = at("2026-12-06T00:00:00+08:00");
    assert_eq!(DueStanding::of(due, None, due - Duration::seconds(1)), DueStanding::Pending);
    assert_eq!(DueStanding::of(due, None, due), DueStanding::Overdue);
    assert_eq!(DueStanding::of(due, Some(due - Duration::hours(1)), due), DueStanding::OnTime);
    assert_eq!(DueStanding::of(due, Some(due + Duration::hours(1)), due), DueStanding::Late);
}

#[test]
fn a_report_is_filed_for_a_begun_month_and_submitted_once_it_has_ended() {
    let now = at("2026-12-02T12:00:00+08:00");
    let (nov, dec) = (Month::parse("2026-11").unwrap(), Month::parse("2026-12").unwrap());
    assert!(check_fileable(dec, now, TZ).is_ok() && check_fileable(nov, now, TZ).is_ok());
    assert!(check_fileable(dec.next(), now, TZ).is_err());
    assert!(check_submittable(nov, now, TZ).is_ok());
    assert!(matches!(check_submittable(dec, now, TZ), Err(DomainError::Conflict { code: "month_not_ended", .. })));
    let empty = WorkReportDraft::parse(&WorkReportInput::default()).unwrap();
    let DomainError::Invalid(missing) = empty.check_complete().unwrap_err() else { panic!() };
    assert_eq!(missing.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["work_done", "problems", "next_plans"]);
}
