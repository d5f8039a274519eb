//! Major-event protection periods: a notice issued inside one, to a unit on
//! watch, answers under the period's stricter policy; other units and other
//! times keep their own.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, expect_json, expect_problem, t0};

crate::on_both_backends!(
    a_notice_inside_a_protection_period_gets_its_stricter_policy,
    a_bad_period_is_refused_field_by_field_and_changes_nothing,
);

async fn a_notice_inside_a_protection_period_gets_its_stricter_policy(app: TestApp) {
    let watched = app.unit_with_people("安盾").await;
    let other = app.unit_with_people("山城").await;
    let period = expect_json(
        app.post(
            "/api/v1/protection-periods",
            &json!({
                "name": "2026重庆重大活动网络安全保障",
                "starts_at": "2026-11-24T20:00:00+08:00",
                "ends_at": "2026-11-26T20:00:00+08:00",
                "unit_ids": [watched.id],
                "policy": {"ack_target": "5m", "escalate_at": "10m", "warn_at": "75m", "deadline": "90m"},
            }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(period["active"], true, "{period}");

    // 03:00 on the 25th is inside the period.
    let notice = app.issue(&[watched.id, other.id], true).await;
    let (strict, normal) = (&notice["assignments"][0], &notice["assignments"][1]);
    assert_eq!(strict["unit_id"], watched.id);
    assert_eq!(strict["deadline_at"], "2026-11-25T04:30:00+08:00", "90 minutes inside the period");
    assert_eq!(normal["deadline_at"], "2026-11-25T05:00:00+08:00", "a unit not on watch keeps two hours");
    let id = strict["id"].as_i64().unwrap();
    let timeline = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    assert_eq!(timeline[0]["data"]["protection_period"], "2026重庆重大活动网络安全保障");

    // The shorter acknowledgement target: the reminder fires at +5 min, not +10.
    app.tick().await;
    app.clock.set(t0() + chrono::Duration::minutes(5));
    app.tick().await;
    let timeline = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    let kinds: Vec<&str> = timeline.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["dispatched", "ack_reminder"], "{timeline}");
    assert_eq!(timeline[1]["at"], "2026-11-25T03:05:00+08:00");

    // After the period, the watched unit is back to two hours.
    app.clock.set(t0() + chrono::Duration::days(2));
    let later = app.issue(&[watched.id], true).await;
    let deadline =
        chrono::DateTime::parse_from_rfc3339(later["assignments"][0]["deadline_at"].as_str().unwrap()).unwrap();
    assert_eq!(deadline.to_utc() - (t0() + chrono::Duration::days(2)), chrono::Duration::hours(2));
    assert_eq!(app.get_ok("/api/v1/protection-periods").await.as_array().unwrap().len(), 1);
}

async fn a_bad_period_is_refused_field_by_field_and_changes_nothing(app: TestApp) {
    let problem = expect_problem(
        app.post(
            "/api/v1/protection-periods",
            &json!({
                "name": "",
                "starts_at": "2026-11-26T20:00:00+08:00",
                "ends_at": "2026-11-24T20:00:00+08:00",
                "policy": {"deadline": "forever"},
            }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "ends_at", "policy.deadline"], "{problem}");
    let unknown = json!({"name": "x", "starts_at": "2026-11-24T20:00:00+08:00", "ends_at": "2026-11-25T20:00:00+08:00", "unit_ids": [999]});
    expect_problem(app.post("/api/v1/protection-periods", &unknown).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(app.get_ok("/api/v1/protection-periods").await.as_array().unwrap().is_empty());
}
