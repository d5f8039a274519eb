use super::*;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn input(confirm_by: Option<&str>) -> InstructionInput {
    InstructionInput {
        title: "关于加强春节期间网络安全保障的通知".into(),
        body: "请各单位即日起落实 7×24 小时值守。".into(),
        unit_ids: vec![3, 1, 3],
        confirm_by: confirm_by.map(|s| DateTime::parse_from_rfc3339(s).unwrap()),
    }
}

const NOW: &str = "2026-12-01T02:00:00Z";

#[test]
fn a_good_instruction_names_its_units_once_and_keeps_its_deadline() {
    let d = InstructionDraft::parse(&input(Some("2026-12-01T18:00:00+08:00")), at(NOW)).unwrap();
    assert_eq!(d.addressees, Addressees::Units(vec![1, 3]));
    assert_eq!(d.confirm_by, at("2026-12-01T10:00:00Z"));
    let mut all = input(Some("2026-12-01T18:00:00+08:00"));
    all.unit_ids.clear();
    assert_eq!(InstructionDraft::parse(&all, at(NOW)).unwrap().addressees, Addressees::All);
}

#[test]
fn every_bad_field_is_named_in_both_languages() {
    let mut bad = input(None);
    bad.title = "  ".into();
    bad.body = String::new();
    bad.unit_ids = (1..=(MAX_UNITS as i64 + 1)).collect();
    let DomainError::Invalid(errors) = InstructionDraft::parse(&bad, at(NOW)).unwrap_err() else { panic!() };
    let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert_eq!(
        fields,
        [("title", "required"), ("body", "required"), ("unit_ids", "too_many"), ("confirm_by", "required")]
    );
    assert!(errors.iter().all(|e| !e.message_zh.is_empty() && !e.message.is_empty()));
    for (when, code) in [("2026-12-01T10:00:00+08:00", "past"), ("2027-06-01T10:00:00+08:00", "too_far")] {
        let DomainError::Invalid(errors) = InstructionDraft::parse(&input(Some(when)), at(NOW)).unwrap_err() else {
            panic!()
        };
        assert_eq!((errors[0].field.as_str(), errors[0].code), ("confirm_by", code));
    }
}

fn follow_up() -> FollowUp {
    FollowUp { remind_after: Duration::hours(1), escalate_after: Duration::minutes(30) }
}

#[test]
fn an_unread_instruction_is_reminded_then_escalated_past_its_deadline() {
    let (issued, by) = (at("2026-12-01T02:00:00Z"), at("2026-12-01T06:00:00Z"));
    let f = follow_up();
    assert_eq!(f.next(issued, by, &[]), Some(Due { step: FollowUpStep::Remind, at: at("2026-12-01T03:00:00Z") }));
    assert_eq!(
        f.next(issued, by, &[FollowUpStep::Remind]),
        Some(Due { step: FollowUpStep::Escalate, at: at("2026-12-01T06:30:00Z") })
    );
    assert_eq!(f.next(issued, by, &[FollowUpStep::Remind, FollowUpStep::Escalate]), None);
    // A deadline sooner than the reminder: reminded at the deadline.
    let soon = at("2026-12-01T02:20:00Z");
    assert_eq!(f.next(issued, soon, &[]).unwrap().at, soon);
    // Escalating at the deadline itself: the reminder would come with it, so it is not sent.
    let sharp = FollowUp { remind_after: Duration::hours(5), escalate_after: Duration::zero() };
    assert_eq!(sharp.next(issued, by, &[]), Some(Due { step: FollowUpStep::Escalate, at: by }));
}

#[test]
fn after_an_outage_only_the_latest_follow_up_due_is_sent() {
    let (issued, by) = (at("2026-12-01T02:00:00Z"), at("2026-12-01T06:00:00Z"));
    let f = follow_up();
    assert_eq!(f.due_now(issued, by, &[], at("2026-12-01T02:59:00Z")), None);
    assert_eq!(f.due_now(issued, by, &[], at("2026-12-01T03:00:00Z")), Some(FollowUpStep::Remind));
    assert_eq!(f.due_now(issued, by, &[], at("2026-12-01T09:00:00Z")), Some(FollowUpStep::Escalate));
    assert_eq!(f.due_now(issued, by, &[FollowUpStep::Escalate], at("2026-12-02T00:00:00Z")), None);
}

#[test]
fn a_receipt_stands_by_when_it_was_confirmed_against_the_deadline() {
    let by = at("2026-12-01T06:00:00Z");
    let before = at("2026-12-01T05:00:00Z");
    let after = at("2026-12-01T07:00:00Z");
    assert_eq!(Standing::of(by, None, before), Standing::Pending);
    assert_eq!(Standing::of(by, None, after), Standing::Overdue);
    assert_eq!(Standing::of(by, Some(by), after), Standing::OnTime);
    assert_eq!(Standing::of(by, Some(after), after), Standing::Late);
}
