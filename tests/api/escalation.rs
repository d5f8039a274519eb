//! The two-hour clock, driven by a manual clock: who is paged at each step
//! of the default policy, what stops the escalation, and what a late engine
//! does with overdue timers.

use chrono::{DateTime, Duration};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_json, t0};
use crate::receiver::Receiver;

crate::on_both_backends!(
    the_default_policy_pages_exactly_who_it_should_when,
    acknowledging_and_reporting_stop_the_escalation,
    a_late_engine_fires_overdue_timers_at_once_and_dates_the_breach_at_the_deadline,
    standing_down_cancels_timers_and_unsent_pages,
    an_extension_moves_the_reminders_and_the_breach,
    a_unit_policy_applies_to_new_assignments_only,
    a_decline_pages_the_next_step_at_once,
);

/// A unit whose people each have one webhook channel named after their role,
/// and the bureau's duty officer and manager; returns the unit id.
pub async fn paged_unit(app: &TestApp, receiver: &Receiver) -> i64 {
    let unit = expect_json(
        app.post("/api/v1/units", &json!({"name": "重庆安盾网络安全技术有限公司"})).await,
        StatusCode::CREATED,
    )
    .await;
    let id = unit["id"].as_i64().unwrap();
    let branch = expect_json(
        app.post(&format!("/api/v1/units/{id}/branches"), &json!({"name": "渝中分公司", "address": "民族路188号"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    for (name, role) in [
        ("赵磊", "engineer"),
        ("王敏", "liaison"),
        ("李强", "support_lead"),
        ("陈静", "emergency_lead"),
        ("孙悦", "hq_engineer"),
    ] {
        let p = expect_json(
            app.post(
                &format!("/api/v1/units/{id}/people"),
                &json!({"name": name, "role": role, "branch_id": branch["id"]}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        expect_json(
            app.post(
                &format!("/api/v1/people/{}/channels", p["id"]),
                &json!({"kind": "webhook", "address": receiver.url(role)}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    for (name, role, hook) in [("值班员甲", "duty_officer", "duty"), ("处长乙", "manager", "manager")] {
        expect_json(
            app.post(
                "/api/v1/bureau-contacts",
                &json!({"name": name, "role": role, "kind": "webhook", "address": receiver.url(hook)}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    id
}

/// With the engineer's first channel down: the acknowledgement reminder,
/// sent only to the first channel, gives up there and falls over to the
/// engineer's webhook (`engineer` on `hooks`), on the assignment's timeline.
pub async fn reminder_falls_over_to_the_webhook(app: &TestApp, hooks: &Receiver, assignment: i64) {
    app.clock.advance(Duration::minutes(11));
    app.tick().await;
    for _ in 0..5 {
        app.clock.advance(Duration::minutes(2));
        app.tick().await;
    }
    let names = hooks.take_names();
    assert!(names.contains(&"engineer".to_owned()), "fell over to the webhook: {names:?}");
    let events = app.get_ok(&format!("/api/v1/assignments/{assignment}/timeline")).await;
    let events = events.as_array().unwrap();
    assert!(events.iter().any(|e| e["kind"] == "page_fallback" && e["data"]["recipient"] == "赵磊"));
}

/// Puts `kind` at `address` in place of the unit's engineer's first channel
/// (the webhook `paged_unit` gave them); returns the engineer's id.
pub async fn engineer_first_on(app: &TestApp, unit: i64, kind: &str, address: &str) -> i64 {
    let people = app.get_ok(&format!("/api/v1/units/{unit}/people")).await;
    let engineer = people.as_array().unwrap().iter().find(|p| p["role"] == "engineer").unwrap()["id"].as_i64().unwrap();
    let channels = app.get_ok(&format!("/api/v1/people/{engineer}/channels")).await;
    let first = channels[0]["id"].as_i64().unwrap();
    let put = app.client.put(app.url(&format!("/api/v1/channels/{first}"))).bearer_auth(&app.token);
    expect_json(put.json(&json!({"kind": kind, "address": address})).send().await.unwrap(), StatusCode::OK).await;
    engineer
}

async fn at_minute(app: &TestApp, minute: i64) {
    app.clock.set(t0() + Duration::minutes(minute));
    app.tick().await;
}

async fn timeline_kinds(app: &TestApp, id: i64) -> Vec<String> {
    let events = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    events.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_owned()).collect()
}

async fn timer_statuses(app: &TestApp, id: i64) -> Vec<(String, String)> {
    app.state
        .store
        .timers(id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.kind.code().to_owned(), t.status.code().to_owned()))
        .collect()
}

async fn the_default_policy_pages_exactly_who_it_should_when(app: TestApp) {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();

    for (minute, expected) in [
        (0, vec!["engineer", "liaison"]),
        (9, vec![]),
        (10, vec!["engineer", "liaison", "support_lead"]),
        (20, vec!["duty", "emergency_lead"]),
        (59, vec![]),
        (60, vec!["engineer", "liaison"]),
        (90, vec!["duty", "engineer", "liaison"]),
        (120, vec!["duty", "manager"]),
        (300, vec![]),
    ] {
        at_minute(&app, minute).await;
        assert_eq!(hooks.take_names(), expected, "paged at T0+{minute}m");
    }

    let a = app.get_ok(&format!("/api/v1/assignments/{id}")).await;
    assert_eq!(a["sla"]["state"], "breached");
    let kinds = timeline_kinds(&app, id).await;
    assert_eq!(kinds, ["dispatched", "ack_reminder", "ack_escalation", "reminder", "warning", "breach"]);
    let events = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    let breach = events.as_array().unwrap().iter().find(|e| e["kind"] == "breach").unwrap();
    assert_eq!(breach["at"], "2026-11-25T05:00:00+08:00");
    assert_eq!(breach["source"], "system");
    assert_eq!(breach["data"]["paged"], json!(["值班员甲", "处长乙"]));

    // Every page is on record with its reason and delivery state.
    let pages = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
    let pages = pages.as_array().unwrap();
    assert_eq!(pages.len(), 2 + 3 + 2 + 2 + 3 + 2);
    assert!(pages.iter().all(|p| p["status"] == "sent" && p["attempts"] == 1), "{pages:?}");
    let reasons: Vec<&str> = pages.iter().map(|p| p["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons.iter().filter(|r| **r == "breach").count(), 2);
    assert!(timer_statuses(&app, id).await.iter().all(|(_, s)| s == "fired"));
}

async fn acknowledging_and_reporting_stop_the_escalation(app: TestApp) {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    at_minute(&app, 0).await;
    let first = hooks.received();
    let text = first[0].body["text"].as_str().unwrap();
    assert!(text.starts_with("【应急响应派单】"), "{text}");
    assert!(text.contains("2026-11-25 05:00"), "{text}");
    hooks.take_names();

    app.clock.set(t0() + Duration::minutes(5));
    expect_json(app.event(id, json!({"kind": "acknowledged"})).await, StatusCode::CREATED).await;
    at_minute(&app, 10).await;
    at_minute(&app, 20).await;
    assert!(hooks.take_names().is_empty(), "no escalation after acknowledgement");

    app.clock.set(t0() + Duration::minutes(30));
    for kind in ["plan_activated", "hq_remote", "on_site"] {
        expect_json(app.event(id, json!({"kind": kind})).await, StatusCode::CREATED).await;
    }
    for minute in [60, 90, 120, 240] {
        at_minute(&app, minute).await;
    }
    assert!(hooks.take_names().is_empty(), "no reminder, warning or breach once every milestone is in");
    let statuses = timer_statuses(&app, id).await;
    assert!(statuses.iter().all(|(_, s)| s == "cancelled"), "{statuses:?}");
    assert_eq!(app.get_ok(&format!("/api/v1/assignments/{id}")).await["sla"]["state"], "met");
    assert_eq!(app.state.store.pending_timer_count().await.unwrap(), 0);
}

async fn a_late_engine_fires_overdue_timers_at_once_and_dates_the_breach_at_the_deadline(app: TestApp) {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    // The engine was down from T0 until T0+3h.
    app.clock.set(t0() + Duration::hours(3));
    let tick = app.tick().await;
    assert_eq!(tick.timers, 5, "every overdue timer fires in one pass");
    let timers = app.state.store.timers(id).await.unwrap();
    let breach = timers.iter().find(|t| t.kind == onsite::domain::escalation::TimerKind::Breach).unwrap();
    assert_eq!(breach.late_ms, Some(60 * 60 * 1000), "fired an hour after its due time, and says so");
    let a = app.state.store.assignment(onsite::domain::access::Scope::All, id).await.unwrap();
    assert_eq!(a.breached_at, Some(t0() + Duration::hours(2)), "the breach is dated at the deadline");
    let events = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    let breach_event = events.as_array().unwrap().iter().find(|e| e["kind"] == "breach").unwrap().clone();
    assert_eq!(breach_event["at"], "2026-11-25T05:00:00+08:00");
    assert_eq!(breach_event["recorded_at"], "2026-11-25T06:00:00+08:00");
    assert_eq!(breach_event["data"]["late_ms"], 3_600_000);
    assert!(!hooks.take_names().is_empty());
}

async fn standing_down_cancels_timers_and_unsent_pages(app: TestApp) {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    hooks.always("engineer", crate::receiver::Answer::Status(503));
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    at_minute(&app, 0).await; // the engineer's page fails and waits for a retry
    let pages = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
    assert!(pages.as_array().unwrap().iter().any(|p| p["status"] == "queued"), "{pages}");
    expect_json(
        app.post(&format!("/api/v1/assignments/{id}/stand-down"), &json!({"reason": "误报"})).await,
        StatusCode::OK,
    )
    .await;
    hooks.recover("engineer");
    hooks.take_names();
    for minute in [1, 10, 20, 60, 90, 120] {
        at_minute(&app, minute).await;
    }
    assert!(hooks.take_names().is_empty(), "a stood-down assignment pages nobody");
    let pages = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
    assert!(pages.as_array().unwrap().iter().any(|p| p["status"] == "cancelled"), "{pages}");
    assert!(timer_statuses(&app, id).await.iter().all(|(_, s)| s == "cancelled"));
}

async fn an_extension_moves_the_reminders_and_the_breach(app: TestApp) {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.clock.set(t0() + Duration::minutes(2));
    expect_json(app.event(id, json!({"kind": "acknowledged"})).await, StatusCode::CREATED).await;
    at_minute(&app, 30).await;
    hooks.take_names();
    // Deadline 05:00 → 06:00: reminder at 05:00, warning at 05:30, breach at 06:00.
    let body: Value = json!({"deadline_at": "2026-11-25T06:00:00+08:00", "reason": "山区道路塌方"});
    expect_json(app.post(&format!("/api/v1/assignments/{id}/extend"), &body).await, StatusCode::OK).await;
    for (minute, expected) in [
        (60, vec![]),
        (90, vec![]),
        (120, vec!["engineer", "liaison"]),
        (150, vec!["duty", "engineer", "liaison"]),
        (179, vec![]),
        (180, vec!["duty", "manager"]),
    ] {
        at_minute(&app, minute).await;
        assert_eq!(hooks.take_names(), expected, "paged at T0+{minute}m");
    }
    let a = app.state.store.assignment(onsite::domain::access::Scope::All, id).await.unwrap();
    assert_eq!(a.breached_at, Some(DateTime::parse_from_rfc3339("2026-11-24T22:00:00Z").unwrap().to_utc()));
}

async fn a_unit_policy_applies_to_new_assignments_only(app: TestApp) {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    let before = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();

    let bad = app
        .client
        .put(app.url(&format!("/api/v1/units/{unit}/policy")))
        .bearer_auth(&app.token)
        .json(&json!({"deadline": "45m"}))
        .send()
        .await
        .unwrap();
    let problem = crate::helpers::expect_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["code"], "out_of_order");

    let set = app
        .client
        .put(app.url(&format!("/api/v1/units/{unit}/policy")))
        .bearer_auth(&app.token)
        .json(&json!({"deadline": "3h", "warn_at": "150m"}))
        .send()
        .await
        .unwrap();
    let policy = expect_json(set, StatusCode::OK).await;
    assert_eq!(policy["effective"]["deadline_secs"], 3 * 3600);
    assert_eq!(policy["effective"]["ack_target_secs"], 600);
    assert_eq!(app.get_ok(&format!("/api/v1/units/{unit}/policy")).await["override"]["deadline"], "3h");

    let after = app.issue(&[unit], true).await["assignments"][0].clone();
    assert_eq!(after["deadline_at"], "2026-11-25T06:00:00+08:00", "new assignments take the unit's policy");
    let old = app.get_ok(&format!("/api/v1/assignments/{before}")).await;
    assert_eq!(
        old["deadline_at"], "2026-11-25T05:00:00+08:00",
        "a running clock keeps the policy it was dispatched with"
    );

    // The breach of the new assignment falls at 3 h, the old one's at 2 h.
    at_minute(&app, 0).await;
    hooks.take_names();
    at_minute(&app, 120).await;
    let names = hooks.take_names();
    assert_eq!(names.iter().filter(|n| *n == "manager").count(), 1, "only the old assignment breached: {names:?}");
    at_minute(&app, 180).await;
    assert_eq!(hooks.take_names().iter().filter(|n| *n == "manager").count(), 1);
}

async fn a_decline_pages_the_next_step_at_once(app: TestApp) {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    at_minute(&app, 0).await;
    hooks.take_names();

    // Three minutes in, the engineer cannot go: the reminder to the support
    // lead goes out now, not at ten minutes.
    app.clock.set(t0() + Duration::minutes(3));
    let declined = app.event(id, json!({"kind": "declined", "note": "人在外地"})).await;
    let event = expect_json(declined, StatusCode::CREATED).await["event"].clone();
    assert_eq!((event["kind"].as_str(), event["note"].as_str()), (Some("declined"), Some("人在外地")));
    at_minute(&app, 3).await;
    assert_eq!(hooks.take_names(), ["engineer", "liaison", "support_lead"]);
    // Declined again, the escalation to the emergency lead and the bureau
    // comes next; then nothing is left to bring forward.
    expect_json(app.event(id, json!({"kind": "declined"})).await, StatusCode::CREATED).await;
    at_minute(&app, 4).await;
    assert_eq!(hooks.take_names(), ["duty", "emergency_lead"]);
    at_minute(&app, 20).await;
    assert!(hooks.take_names().is_empty(), "each step paged once");

    // Once acknowledged, a decline is refused and changes nothing.
    expect_json(app.event(id, json!({"kind": "acknowledged"})).await, StatusCode::CREATED).await;
    let refused = expect_json(app.event(id, json!({"kind": "declined"})).await, StatusCode::CONFLICT).await;
    assert_eq!(refused["code"], "already_acknowledged", "{refused}");
    let kinds = timeline_kinds(&app, id).await;
    assert_eq!(kinds.iter().filter(|k| *k == "declined").count(), 2, "{kinds:?}");
}
