use super::*;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn daily(members: Vec<i64>) -> Rotation {
    Rotation {
        zone: chrono_tz::Asia::Shanghai,
        starts_on: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        handover: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        shift_days: 1,
        members,
    }
}

#[test]
fn a_typed_rotation_is_checked_field_by_field() {
    let shanghai = chrono_tz::Asia::Shanghai;
    let good = RotationInput {
        zone: None,
        starts_on: "2026-11-23".into(),
        handover: "09:00".into(),
        shift_days: 7,
        members: vec![4, 5],
    };
    let r = Rotation::parse(&good, shanghai).unwrap();
    assert_eq!((r.zone, r.shift_days, r.members.clone()), (shanghai, 7, vec![4, 5]));
    let bad = RotationInput {
        zone: Some("Mars/Olympus".into()),
        starts_on: "23/11/2026".into(),
        handover: "9am".into(),
        shift_days: 0,
        members: vec![4, 4],
    };
    let Err(DomainError::Invalid(errors)) = Rotation::parse(&bad, shanghai) else { panic!("refused") };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["zone", "starts_on", "handover", "shift_days", "members[1]"]);
}

#[test]
fn a_daily_rotation_hands_over_at_nine_local_time() {
    let r = daily(vec![1, 2, 3]);
    // 3 a.m. on the 25th in Chongqing is still the 24th's shift (person 2).
    let s = r.shift_at(at("2026-11-25T03:00:00+08:00")).unwrap();
    assert_eq!((s.person_id, s.after), (2, Some(1)));
    assert_eq!(s.from, at("2026-11-24T09:00:00+08:00"));
    assert_eq!(s.until, at("2026-11-25T09:00:00+08:00"));
    assert_eq!(r.shift_at(at("2026-11-25T08:59:59+08:00")).unwrap().person_id, 2);
    assert_eq!(r.shift_at(at("2026-11-25T09:00:00+08:00")).unwrap().person_id, 3);
    // And round again.
    assert_eq!(r.shift_at(at("2026-11-26T10:00:00+08:00")).unwrap().person_id, 1);
}

#[test]
fn a_weekly_rotation_cycles_by_weeks() {
    let r = Rotation { shift_days: 7, ..daily(vec![10, 20]) };
    assert_eq!(r.shift_at(at("2026-11-29T23:00:00+08:00")).unwrap().person_id, 10);
    let second = r.shift_at(at("2026-11-30T09:00:00+08:00")).unwrap();
    assert_eq!((second.person_id, second.after), (20, Some(10)));
    assert_eq!(second.until, at("2026-12-07T09:00:00+08:00"));
    assert_eq!(r.shift_at(at("2026-12-07T09:00:00+08:00")).unwrap().person_id, 10);
}

#[test]
fn before_the_first_shift_or_with_nobody_there_is_a_gap() {
    assert_eq!(daily(vec![1]).shift_at(at("2026-11-23T08:59:00+08:00")), None);
    assert_eq!(daily(vec![]).shift_at(at("2026-11-24T12:00:00+08:00")), None);
}

#[test]
fn an_override_puts_someone_else_on_duty_for_its_stretch_only() {
    let roster = Roster {
        rotation: daily(vec![1, 2, 3]),
        overrides: vec![
            Override { person_id: 9, from: at("2026-11-24T18:00:00+08:00"), until: at("2026-11-25T06:00:00+08:00") },
            Override { person_id: 8, from: at("2026-11-25T00:00:00+08:00"), until: at("2026-11-25T02:00:00+08:00") },
        ],
    };
    assert_eq!(roster.on_duty(at("2026-11-24T17:59:00+08:00")).unwrap().person_id, 2);
    let night = roster.on_duty(at("2026-11-24T23:00:00+08:00")).unwrap();
    assert!(night.overridden && night.person_id == 9);
    assert_eq!(roster.on_duty(at("2026-11-25T01:00:00+08:00")).unwrap().person_id, 8, "the later override wins");
    assert_eq!(roster.on_duty(at("2026-11-25T06:00:00+08:00")).unwrap().person_id, 2, "back to the rotation");
}

#[test]
fn a_roster_in_a_zone_with_daylight_saving_hands_over_at_the_local_hour() {
    // Berlin springs forward on 2026-03-29 at 02:00 and falls back on
    // 2026-10-25 at 03:00; a 02:30 hand-over does not exist on the first.
    let r = Rotation {
        zone: chrono_tz::Europe::Berlin,
        starts_on: NaiveDate::from_ymd_opt(2026, 3, 27).unwrap(),
        handover: NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
        shift_days: 1,
        members: vec![1, 2],
    };
    assert_eq!(r.shift_start(1), at("2026-03-28T02:30:00+01:00"));
    assert_eq!(r.shift_start(2), at("2026-03-29T03:00:00+02:00"), "the first instant after the gap");
    assert_eq!(r.shift_start(3), at("2026-03-30T02:30:00+02:00"));
    assert_eq!(r.shift_at(at("2026-03-29T02:59:00+02:00")).map(|s| s.person_id), Some(2));
    assert_eq!(r.shift_at(at("2026-03-29T03:00:00+02:00")).map(|s| s.person_id), Some(1));
    // Autumn: 02:30 happens twice; the hand-over is the first.
    let autumn = Rotation { starts_on: NaiveDate::from_ymd_opt(2026, 10, 24).unwrap(), ..r };
    assert_eq!(autumn.shift_start(1), at("2026-10-25T02:30:00+02:00"));
    let shift = autumn.shift_at(at("2026-10-25T02:45:00+01:00")).unwrap();
    assert_eq!((shift.person_id, shift.until), (2, at("2026-10-26T02:30:00+01:00")));
}

/// 1 and 2 daily at 09:00 from the 23rd; 9 swapped in overnight on the 24th.
fn swapped() -> Roster {
    Roster {
        rotation: daily(vec![1, 2]),
        overrides: vec![Override {
            person_id: 9,
            from: at("2026-11-24T20:00:00+08:00"),
            until: at("2026-11-25T02:00:00+08:00"),
        }],
    }
}

#[test]
fn segments_follow_the_rotation_and_its_overrides_and_show_gaps() {
    let r = swapped();
    let segs = r.segments(at("2026-11-22T00:00:00+08:00"), at("2026-11-25T12:00:00+08:00"));
    let people: Vec<(Option<i64>, DateTime<Utc>)> = segs.iter().map(|s| (s.person_id, s.from)).collect();
    assert_eq!(
        people,
        [
            (None, at("2026-11-22T00:00:00+08:00")),
            (Some(1), at("2026-11-23T09:00:00+08:00")),
            (Some(2), at("2026-11-24T09:00:00+08:00")),
            (Some(9), at("2026-11-24T20:00:00+08:00")),
            (Some(2), at("2026-11-25T02:00:00+08:00")),
            (Some(1), at("2026-11-25T09:00:00+08:00")),
        ]
    );
    assert_eq!(segs.last().unwrap().until, at("2026-11-25T12:00:00+08:00"), "cut at the end of the question");
    assert!(segs[3].overridden && !segs[4].overridden);
}

#[test]
fn a_handover_names_who_comes_on_and_who_hands_over() {
    let r = swapped();
    let day = r.handovers(at("2026-11-24T08:00:00+08:00"), at("2026-11-25T09:00:00+08:00"));
    let seen: Vec<(Option<i64>, Option<i64>, DateTime<Utc>)> =
        day.iter().map(|h| (h.person_id, h.after, h.at)).collect();
    assert_eq!(
        seen,
        [
            (Some(2), Some(1), at("2026-11-24T09:00:00+08:00")),
            (Some(9), Some(2), at("2026-11-24T20:00:00+08:00")),
            (Some(2), Some(9), at("2026-11-25T02:00:00+08:00")),
            (Some(1), Some(2), at("2026-11-25T09:00:00+08:00")),
        ],
        "a hand-over exactly at the end of the window is in it"
    );
    assert_eq!(day[0].until, at("2026-11-25T09:00:00+08:00"));
    assert!(r.handovers(at("2026-11-24T09:00:00+08:00"), at("2026-11-24T19:00:00+08:00")).is_empty(), "(from, to]");
    let first = Roster { rotation: daily(vec![5]), overrides: vec![] };
    let h = first.handovers(at("2026-11-23T08:00:00+08:00"), at("2026-11-23T09:30:00+08:00"));
    assert_eq!((h[0].person_id, h[0].after), (Some(5), None), "the first shift takes over from nobody");
    assert!(
        first.handovers(at("2026-11-23T09:30:00+08:00"), at("2026-11-26T09:30:00+08:00")).is_empty(),
        "one member stays on duty"
    );
}

#[test]
fn a_swap_before_the_rotation_starts_leaves_a_gap_when_it_ends() {
    let r = Roster {
        rotation: Rotation { starts_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), ..daily(vec![1]) },
        overrides: vec![Override {
            person_id: 9,
            from: at("2026-11-24T20:00:00+08:00"),
            until: at("2026-11-25T08:00:00+08:00"),
        }],
    };
    let h = r.handovers(at("2026-11-25T07:00:00+08:00"), at("2026-11-25T08:00:00+08:00"));
    assert_eq!(h.len(), 1);
    assert_eq!((h[0].person_id, h[0].after, h[0].at), (None, Some(9), at("2026-11-25T08:00:00+08:00")));
    assert_eq!(h[0].until, at("2026-12-01T09:00:00+08:00"), "the gap lasts until the rotation starts");
}
