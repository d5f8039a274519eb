//! The whole response: a unit, a notice, every milestone to closed, with the
//! SLA verdict and the timeline read back at each step.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_json, expect_problem, notice_body, t0};

crate::on_both_backends!(
    a_notice_walks_through_every_milestone_to_closed,
    a_late_on_site_is_a_breach_with_its_lateness,
    an_extension_moves_the_deadline_and_is_on_the_timeline,
    a_stood_down_assignment_stops_its_clock_and_refuses_milestones,
    a_remote_only_notice_has_no_on_site_milestone,
    a_back_dated_milestone_keeps_the_time_reported,
    reassigning_stands_the_old_down_and_dispatches_the_new_unit_with_its_branch_engineers,
    notices_issued_at_once_each_come_back_whole_to_their_own_caller,
);

async fn assignment(app: &TestApp, id: i64) -> Value {
    app.get_ok(&format!("/api/v1/assignments/{id}")).await
}

async fn report(app: &TestApp, id: i64, kind: &str) -> Value {
    expect_json(app.event(id, json!({"kind": kind})).await, StatusCode::CREATED).await
}

async fn a_notice_walks_through_every_milestone_to_closed(app: TestApp) {
    let unit = app.unit_with_people("重庆安盾网络安全技术有限公司").await;
    let notice = app.issue(&[unit.id], true).await;
    let a = &notice["assignments"][0];
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["unit_id"], unit.id);
    assert_eq!(a["status"], "notified");
    // T0 is the issue time; the deadline two hours later, shown in Shanghai time.
    assert_eq!(a["notified_at"], "2026-11-25T03:00:00+08:00");
    assert_eq!(a["deadline_at"], "2026-11-25T05:00:00+08:00");
    assert_eq!(a["sla"]["state"], "on_track");
    assert_eq!(a["sla"]["remaining_seconds"], 7200);

    let steps = [
        ("acknowledged", 4),
        ("plan_activated", 15),
        ("hq_remote", 20),
        ("on_site", 70),
        ("resolved", 150),
        ("closed", 200),
    ];
    let mut minutes_so_far = 0;
    for (kind, at_minute) in steps {
        app.clock.advance(Duration::minutes(at_minute - minutes_so_far));
        minutes_so_far = at_minute;
        let recorded = report(&app, id, kind).await;
        assert_eq!(recorded["event"]["kind"], kind);
        assert_eq!(recorded["event"]["actor"], "duty");
        assert_eq!(recorded["event"]["source"], "api");
        let now = t0() + Duration::minutes(at_minute);
        let a = assignment(&app, id).await;
        let field = format!("{kind}_at");
        assert_eq!(
            chrono::DateTime::parse_from_rfc3339(a["milestones"][&field].as_str().unwrap()).unwrap(),
            now,
            "{field} is the time it was reported"
        );
        let expected_state = if at_minute < 70 { "on_track" } else { "met" };
        assert_eq!(a["sla"]["state"], expected_state, "after {kind}");
    }
    let a = assignment(&app, id).await;
    assert_eq!(a["status"], "closed");
    assert_eq!(a["sla"]["state"], "met");
    assert_eq!(a["sla"]["lateness_seconds"], 0);

    let timeline = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    let kinds: Vec<&str> = timeline.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["dispatched", "acknowledged", "plan_activated", "hq_remote", "on_site", "resolved", "closed"]);

    // Closed is final: nothing more can be reported.
    let problem = expect_problem(app.event(id, json!({"kind": "resolved"})).await, StatusCode::CONFLICT).await;
    assert_eq!(problem["code"], "closed");
}

async fn a_late_on_site_is_a_breach_with_its_lateness(app: TestApp) {
    let unit = app.unit_with_people("山城信息安全").await;
    let id = app.issue(&[unit.id], true).await["assignments"][0]["id"].as_i64().unwrap();
    report(&app, id, "acknowledged").await;
    app.clock.advance(Duration::minutes(30));
    report(&app, id, "plan_activated").await;
    report(&app, id, "hq_remote").await;

    app.clock.advance(Duration::minutes(65)); // T0+95m: 25 minutes left
    assert_eq!(assignment(&app, id).await["sla"]["state"], "at_risk");

    app.clock.advance(Duration::minutes(40)); // T0+135m: 15 minutes late and counting
    let a = assignment(&app, id).await;
    assert_eq!(a["sla"]["state"], "breached");
    assert_eq!(a["sla"]["breached_milestones"], json!(["on_site"]));
    assert_eq!(a["sla"]["lateness_seconds"], 15 * 60);

    app.clock.advance(Duration::minutes(20)); // arrives at T0+155m
    report(&app, id, "on_site").await;
    app.clock.advance(Duration::hours(3));
    let a = assignment(&app, id).await;
    assert_eq!(a["sla"]["state"], "breached", "a breach stays a breach");
    assert_eq!(a["sla"]["lateness_seconds"], 35 * 60, "lateness stops when the milestone came");
}

async fn an_extension_moves_the_deadline_and_is_on_the_timeline(app: TestApp) {
    let unit = app.unit_with_people("巴渝数安").await;
    let id = app.issue(&[unit.id], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.clock.advance(Duration::minutes(100));
    assert_eq!(assignment(&app, id).await["sla"]["state"], "at_risk");

    let extended = expect_json(
        app.post(
            &format!("/api/v1/assignments/{id}/extend"),
            &json!({"deadline_at": "2026-11-25T06:00:00+08:00", "reason": "山区道路塌方，绕行"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(extended["deadline_at"], "2026-11-25T06:00:00+08:00");
    assert_eq!(extended["original_deadline_at"], "2026-11-25T05:00:00+08:00");
    assert_eq!(extended["extension_count"], 1);
    assert_eq!(extended["sla"]["state"], "on_track");

    // An "extension" that does not extend is refused and changes nothing.
    let problem = expect_problem(
        app.post(
            &format!("/api/v1/assignments/{id}/extend"),
            &json!({"deadline_at": "2026-11-25T05:30:00+08:00", "reason": "x"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "deadline_at");
    assert_eq!(assignment(&app, id).await["deadline_at"], "2026-11-25T06:00:00+08:00");

    let timeline = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    let last = timeline.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "extended");
    assert_eq!(last["note"], "山区道路塌方，绕行");
    // Every time the API shows is in Shanghai time, the facts' too, and
    // every kind is named in both languages.
    assert_eq!(last["data"]["to"], "2026-11-25T06:00:00+08:00");
    assert_eq!(
        (last["kind_label"]["zh"].as_str(), last["kind_label"]["en"].as_str()),
        (Some("延长时限"), Some("Deadline extended"))
    );
    let dispatched = &timeline[0];
    assert_eq!(dispatched["kind"], "dispatched");
    assert!(dispatched["data"]["deadline_at"].as_str().unwrap().ends_with("+08:00"), "{dispatched}");
}

async fn a_stood_down_assignment_stops_its_clock_and_refuses_milestones(app: TestApp) {
    let unit = app.unit_with_people("巴渝数安").await;
    let id = app.issue(&[unit.id], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.clock.advance(Duration::minutes(10));
    let a = expect_json(
        app.post(&format!("/api/v1/assignments/{id}/stand-down"), &json!({"reason": "经核实为误报"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(a["status"], "stood_down");
    assert_eq!(a["stand_down_reason"], "经核实为误报");
    app.clock.advance(Duration::hours(5));
    let a = assignment(&app, id).await;
    assert_eq!(a["sla"]["state"], "stood_down");
    assert_eq!(a["sla"]["lateness_seconds"], 0, "the clock stopped before the deadline");
    let problem = expect_problem(app.event(id, json!({"kind": "acknowledged"})).await, StatusCode::CONFLICT).await;
    assert_eq!(problem["code"], "stood_down");
    assert!(problem["detail_zh"].as_str().unwrap().contains("撤销"));
    // A note is still welcome after the fact.
    expect_json(app.event(id, json!({"kind": "note", "note": "已电话告知单位"})).await, StatusCode::CREATED).await;
}

async fn a_remote_only_notice_has_no_on_site_milestone(app: TestApp) {
    let unit = app.unit_with_people("远程支撑单位").await;
    let id = app.issue(&[unit.id], false).await["assignments"][0]["id"].as_i64().unwrap();
    report(&app, id, "acknowledged").await;
    report(&app, id, "plan_activated").await;
    let problem = expect_problem(app.event(id, json!({"kind": "on_site"})).await, StatusCode::CONFLICT).await;
    assert_eq!(problem["code"], "not_required");
    report(&app, id, "hq_remote").await;
    assert_eq!(assignment(&app, id).await["sla"]["state"], "met");
}

async fn a_back_dated_milestone_keeps_the_time_reported(app: TestApp) {
    let unit = app.unit_with_people("安盾").await;
    let id = app.issue(&[unit.id], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.clock.advance(Duration::minutes(30));
    let r = expect_json(
        app.event(id, json!({"kind": "acknowledged", "at": "2026-11-25T03:05:00+08:00", "note": "电话已确认"})).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(r["event"]["at"], "2026-11-25T03:05:00+08:00");
    assert_eq!(r["event"]["recorded_at"], "2026-11-25T03:30:00+08:00");
    assert_eq!(r["event"]["note"], "电话已确认");
    assert_eq!(r["assignment"]["milestones"]["acknowledged_at"], "2026-11-25T03:05:00+08:00");
}

async fn reassigning_stands_the_old_down_and_dispatches_the_new_unit_with_its_branch_engineers(app: TestApp) {
    let first = app.unit_with_people("安盾").await;
    let second = app.unit_with_people("山城").await;
    // A branch of the first unit named at dispatch: its engineer is paged.
    let mut body = crate::helpers::notice_body(&[first.id], true);
    body["branch_ids"] = json!([first.branch_id]);
    let notice = expect_json(app.post("/api/v1/notices", &body).await, StatusCode::CREATED).await;
    let a = notice["assignments"][0]["id"].as_i64().unwrap();
    assert_eq!(assignment(&app, a).await["branch_id"], first.branch_id);
    // A branch of a unit that is not chosen is refused, naming the field.
    let mut wrong = crate::helpers::notice_body(&[first.id], true);
    wrong["branch_ids"] = json!([second.branch_id]);
    let problem = expect_problem(app.post("/api/v1/notices", &wrong).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem.to_string().contains("branch_ids"), "{problem}");

    let path = format!("/api/v1/assignments/{a}/reassign");
    for (bad, why) in [
        (json!({"unit_id": first.id, "reason": "x"}), "same unit"),
        (json!({"unit_id": 9999, "reason": "x"}), "unknown unit"),
        (json!({"unit_id": second.id, "reason": "  "}), "no reason"),
    ] {
        expect_problem(app.post(&path, &bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(assignment(&app, a).await["status"], "notified", "{why} changes nothing");
    }
    app.clock.set(t0() + Duration::minutes(25));
    let created = expect_json(
        app.post(&path, &json!({"unit_id": second.id, "reason": "原单位无人响应"})).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["unit_id"], second.id);
    assert_eq!(created["deadline_at"], "2026-11-25T05:25:00+08:00");
    assert_eq!(assignment(&app, a).await["status"], "stood_down");
    let dispatched = &app.get_ok(&format!("/api/v1/assignments/{}/timeline", created["id"])).await[0];
    assert_eq!(dispatched["kind"], "dispatched");
    assert_eq!(dispatched["data"]["reassigned_from"], a);
    // The new unit's engineer and liaison are paged at once (these test
    // people have no channel yet, so they are listed as unreachable).
    let reached = format!("{}{}", dispatched["data"]["paged"], dispatched["data"]["unreachable"]);
    assert!(reached.contains("赵磊") && reached.contains("王敏"), "{reached}");
    // Reassigning a stood-down assignment again is refused.
    expect_problem(app.post(&path, &json!({"unit_id": second.id, "reason": "再次"})).await, StatusCode::CONFLICT).await;
}

/// Notices arriving together are written together: each caller still gets
/// its own notice, with its own unit's assignment, pages and event.
async fn notices_issued_at_once_each_come_back_whole_to_their_own_caller(app: TestApp) {
    let mut units = Vec::new();
    for name in ["重庆甲网络安全公司", "重庆乙网络安全公司", "重庆丙网络安全公司"] {
        let unit = app.unit_with_people(name).await;
        let channel = json!({"kind": "sms", "address": "13800000002"});
        let added = app.post(&format!("/api/v1/people/{}/channels", unit.people[3]), &channel).await;
        expect_json(added, StatusCode::CREATED).await;
        units.push(unit);
    }
    let issued = futures::future::join_all((0..24usize).map(|i| {
        let mut body = notice_body(&[units[i % 3].id], true);
        body["title"] = json!(format!("通报 {i}"));
        let app = &app;
        async move { (i, expect_json(app.post("/api/v1/notices", &body).await, StatusCode::CREATED).await) }
    }))
    .await;
    let mut notices = std::collections::HashSet::new();
    for (i, notice) in &issued {
        let unit = &units[i % 3];
        assert_eq!(notice["title"], format!("通报 {i}"));
        assert!(notices.insert(notice["id"].as_i64().unwrap()), "notice {i} is a notice of its own");
        let a = &notice["assignments"][0];
        assert_eq!((&a["unit_id"], &a["notice_id"]), (&json!(unit.id), &notice["id"]), "notice {i}");
        let id = a["id"].as_i64().unwrap();
        let timeline = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
        let kinds: Vec<&str> = timeline.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["dispatched"], "notice {i}");
        let pages = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
        let paged: Vec<i64> = pages.as_array().unwrap().iter().filter_map(|p| p["person_id"].as_i64()).collect();
        assert!(!paged.is_empty() && paged.iter().all(|p| unit.people.contains(p)), "notice {i} pages {paged:?}");
    }
}
