//! Who may do what: a unit user sees only its unit, managers read, only the
//! bureau directs.

use onsite::domain::access::UserRole;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, expect_json, expect_problem, notice_body};

crate::on_both_backends!(a_unit_user_sees_and_reports_only_for_its_own_unit, a_manager_reads_but_cannot_act,);

async fn a_unit_user_sees_and_reports_only_for_its_own_unit(app: TestApp) {
    let mine = app.unit_with_people("安盾").await;
    let theirs = app.unit_with_people("山城").await;
    let notice = app.issue(&[mine.id, theirs.id], true).await;
    let my_assignment = notice["assignments"][0]["id"].as_i64().unwrap();
    let their_assignment = notice["assignments"][1]["id"].as_i64().unwrap();
    let only_theirs = app.issue(&[theirs.id], true).await["id"].as_i64().unwrap();
    let token = app.user_token("andun-engineer", UserRole::Unit, Some(mine.id)).await;

    // Reads are scoped: the other unit's data does not exist for this user.
    let seen =
        expect_json(app.get_as(&token, &format!("/api/v1/notices/{}", notice["id"])).await, StatusCode::OK).await;
    assert_eq!(seen["assignments"].as_array().unwrap().len(), 1);
    assert_eq!(seen["assignments"][0]["unit_id"], mine.id);
    expect_problem(app.get_as(&token, &format!("/api/v1/assignments/{their_assignment}")).await, StatusCode::NOT_FOUND)
        .await;
    expect_problem(
        app.get_as(&token, &format!("/api/v1/assignments/{their_assignment}/timeline")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    expect_problem(app.get_as(&token, &format!("/api/v1/notices/{only_theirs}")).await, StatusCode::NOT_FOUND).await;
    expect_problem(app.get_as(&token, &format!("/api/v1/units/{}", theirs.id)).await, StatusCode::NOT_FOUND).await;
    let list = expect_json(app.get_as(&token, "/api/v1/notices").await, StatusCode::OK).await;
    assert_eq!(list["total"], 1);
    let units = expect_json(app.get_as(&token, "/api/v1/units").await, StatusCode::OK).await;
    assert_eq!(units.as_array().unwrap().len(), 1);

    // Reports: own unit yes, other unit no (404, not even a hint it exists).
    expect_json(
        app.post_as(&token, &format!("/api/v1/assignments/{my_assignment}/events"), &json!({"kind": "acknowledged"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    expect_problem(
        app.post_as(
            &token,
            &format!("/api/v1/assignments/{their_assignment}/events"),
            &json!({"kind": "acknowledged"}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // Directing the response is the bureau's job.
    expect_problem(app.post_as(&token, "/api/v1/notices", &notice_body(&[mine.id], true)).await, StatusCode::FORBIDDEN)
        .await;
    expect_problem(
        app.post_as(&token, &format!("/api/v1/assignments/{my_assignment}/stand-down"), &json!({"reason": "不想去"}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    expect_problem(
        app.post_as(
            &token,
            &format!("/api/v1/assignments/{my_assignment}/extend"),
            &json!({"deadline_at": "2026-11-25T09:00:00+08:00", "reason": "x"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    expect_problem(app.post_as(&token, "/api/v1/units", &json!({"name": "自建单位"})).await, StatusCode::FORBIDDEN)
        .await;

    let theirs_now = app.get_ok(&format!("/api/v1/assignments/{their_assignment}")).await;
    assert_eq!(theirs_now["status"], "notified", "the other unit's assignment is untouched");
    let mine_now = app.get_ok(&format!("/api/v1/assignments/{my_assignment}")).await;
    assert_eq!(mine_now["status"], "acknowledged");
    assert!(mine_now["stood_down_at"].is_null());
}

async fn a_manager_reads_but_cannot_act(app: TestApp) {
    let unit = app.unit_with_people("安盾").await;
    let id = app.issue(&[unit.id], true).await["assignments"][0]["id"].as_i64().unwrap();
    let token = app.user_token("manager", UserRole::Manager, None).await;
    expect_json(app.get_as(&token, &format!("/api/v1/assignments/{id}")).await, StatusCode::OK).await;
    expect_problem(
        app.post_as(&token, &format!("/api/v1/assignments/{id}/events"), &json!({"kind": "acknowledged"})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    expect_problem(
        app.post_as(&token, &format!("/api/v1/assignments/{id}/stand-down"), &json!({"reason": "x"})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(app.timeline_len(id).await, 1);
}
