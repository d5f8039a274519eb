//! Listing notices: newest first, filtered, paged.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, expect_json, expect_problem};

crate::on_both_backends!(notices_are_listed_newest_first_with_filters_and_paging);

async fn notices_are_listed_newest_first_with_filters_and_paging(app: TestApp) {
    let a = app.unit_with_people("安盾").await;
    let b = app.unit_with_people("山城").await;
    let first = app.issue(&[a.id], true).await;
    app.clock.advance(Duration::minutes(5));
    let second = app.issue(&[b.id], true).await;
    app.clock.advance(Duration::minutes(5));
    let third = app.issue(&[a.id, b.id], false).await;

    let all = app.get_ok("/api/v1/notices").await;
    let ids: Vec<i64> = all["items"].as_array().unwrap().iter().map(|n| n["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [third["id"].as_i64().unwrap(), second["id"].as_i64().unwrap(), first["id"].as_i64().unwrap()]);
    assert_eq!(all["total"], 3);

    let for_b = app.get_ok(&format!("/api/v1/notices?unit_id={}", b.id)).await;
    assert_eq!(for_b["total"], 2);

    let page = app.get_ok("/api/v1/notices?limit=1&offset=1").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["id"], second["id"]);
    assert_eq!(page["total"], 3);

    // Standing down the only assignment of the first notice closes it.
    let first_assignment = first["assignments"][0]["id"].as_i64().unwrap();
    expect_json(
        app.post(&format!("/api/v1/assignments/{first_assignment}/stand-down"), &json!({"reason": "误报"})).await,
        StatusCode::OK,
    )
    .await;
    let open = app.get_ok("/api/v1/notices?open=true").await;
    assert_eq!(open["total"], 2);
    let finished = app.get_ok("/api/v1/notices?open=false").await;
    assert_eq!(finished["items"][0]["id"], first["id"]);

    // Time window, in any offset.
    let window = app.get_ok("/api/v1/notices?from=2026-11-25T03:04:00%2B08:00&to=2026-11-24T19:06:00Z").await;
    assert_eq!(window["total"], 1);
    assert_eq!(window["items"][0]["id"], second["id"]);

    expect_problem(app.get("/api/v1/notices?limit=0").await, StatusCode::BAD_REQUEST).await;
    expect_problem(app.get("/api/v1/notices?offset=18446744073709551615").await, StatusCode::BAD_REQUEST).await;
    expect_problem(app.get("/api/v1/notices?severity=V").await, StatusCode::BAD_REQUEST).await;
    expect_problem(app.get("/api/v1/notices?from=last-week").await, StatusCode::BAD_REQUEST).await;
}
