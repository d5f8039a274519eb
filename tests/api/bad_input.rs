//! Bad input gets a 4xx problem+json that says what is wrong, and changes nothing.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_json, expect_problem, notice_body};

crate::on_both_backends!(
    bad_notices_are_refused_and_issue_nothing,
    bad_events_are_refused_and_record_nothing,
    unknown_ids_and_routes_are_404_problems,
    a_missing_or_bad_token_is_401,
    bad_registry_input_names_the_field,
    every_name_and_title_follows_one_text_rule_and_times_are_bounded,
);

async fn notice_count(app: &TestApp) -> u64 {
    app.get_ok("/api/v1/notices").await["total"].as_u64().unwrap()
}

async fn post_raw(app: &TestApp, path: &str, content_type: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(&app.token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn bad_notices_are_refused_and_issue_nothing(app: TestApp) {
    let unit = app.unit_with_people("安盾").await;
    let good = notice_body(&[unit.id], true);
    let with = |path: &[&str], value: Value| {
        let mut body = good.clone();
        let mut slot = &mut body;
        for key in &path[..path.len() - 1] {
            slot = &mut slot[*key];
        }
        let last = path[path.len() - 1];
        if value.is_null() {
            slot.as_object_mut().unwrap().remove(last);
        } else {
            slot[last] = value;
        }
        body
    };

    // An unknown enum value names the field and the accepted values.
    let p = expect_problem(
        app.post("/api/v1/notices", &with(&["category"], json!("meteor"))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("category"), "{p}");
    assert!(p["detail"].as_str().unwrap().contains("web_defacement"), "{p}");

    // A missing field is named.
    let p = expect_problem(
        app.post("/api/v1/notices", &with(&["title"], Value::Null)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("title"), "{p}");

    // Every missing and every mistyped field is named at once, in both languages.
    let mut body = with(&["title"], Value::Null);
    body.as_object_mut().unwrap().remove("description");
    body["severity"] = json!("V");
    body["requires_onsite"] = json!("yes");
    let p = expect_problem(app.post("/api/v1/notices", &body).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let named: Vec<(&str, &str)> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    for expected in
        [("severity", "invalid"), ("requires_onsite", "invalid"), ("title", "required"), ("description", "required")]
    {
        assert!(named.contains(&expected), "{expected:?} not named: {p}");
    }
    assert!(p["detail_zh"].as_str().unwrap().contains("缺少必填项 title"), "{p}");
    assert!(p["errors"].as_array().unwrap().iter().all(|e| !e["message_zh"].as_str().unwrap().is_empty()), "{p}");
    assert_eq!(notice_count(&app).await, 0, "nothing issued");

    // Malformed JSON.
    let p = expect_problem(
        post_raw(&app, "/api/v1/notices", "application/json", "{\"title\": ").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().to_lowercase().contains("json"), "{p}");

    // Not JSON at all.
    expect_problem(post_raw(&app, "/api/v1/notices", "text/plain", "hello").await, StatusCode::UNSUPPORTED_MEDIA_TYPE)
        .await;

    // Coordinates out of range.
    let p = expect_problem(
        app.post("/api/v1/notices", &with(&["site", "lat"], json!(123.0))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "site.lat");
    assert!(p["errors"][0]["message_zh"].as_str().unwrap().contains("纬度"));

    // A megabyte of text in the title.
    let p = expect_problem(
        app.post("/api/v1/notices", &with(&["title"], json!("篡".repeat(350_000)))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "title");
    assert_eq!(p["errors"][0]["code"], "too_long");

    // More than the body limit is refused before it is parsed. (On its own
    // connection: the server closes it without reading the rest.)
    let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let refused = reqwest::Client::new()
        .post(app.url("/api/v1/notices"))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    expect_problem(refused, StatusCode::PAYLOAD_TOO_LARGE).await;

    // A unit that does not exist.
    let p = expect_problem(
        app.post("/api/v1/notices", &with(&["unit_ids"], json!([unit.id, 999_999]))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "unknown_unit");
    assert!(p["detail"].as_str().unwrap().contains("999999"));

    // No units at all, and several bad fields reported together.
    let mut many = with(&["unit_ids"], json!([]));
    many["title"] = json!("  ");
    let p = expect_problem(app.post("/api/v1/notices", &many).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["title", "unit_ids"]);

    assert_eq!(notice_count(&app).await, 0, "no bad notice was issued");
    app.issue(&[unit.id], true).await;
    assert_eq!(notice_count(&app).await, 1);
}

async fn bad_events_are_refused_and_record_nothing(app: TestApp) {
    let unit = app.unit_with_people("安盾").await;
    let id = app.issue(&[unit.id], true).await["assignments"][0]["id"].as_i64().unwrap();
    let before = app.timeline_len(id).await;
    let path = format!("/api/v1/assignments/{id}/events");

    let p = expect_problem(app.event(id, json!({"kind": "teleported"})).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(p["detail"].as_str().unwrap().contains("teleported"));
    let p = expect_problem(app.event(id, json!({"kind": "on_site"})).await, StatusCode::CONFLICT).await;
    assert_eq!(p["code"], "out_of_order");
    let p = expect_problem(
        app.event(id, json!({"kind": "acknowledged", "at": "2030-01-01T00:00:00+08:00"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "in_future");
    let p = expect_problem(
        app.event(id, json!({"kind": "acknowledged", "at": "yesterday"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("at"));
    let p = expect_problem(
        app.event(id, json!({"kind": "acknowledged", "location": {"lat": 10.0, "lon": 181.0}})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "location.lon");
    let p = expect_problem(app.event(id, json!({"kind": "note"})).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "note");
    expect_problem(post_raw(&app, &path, "application/json", "[1,2").await, StatusCode::BAD_REQUEST).await;

    assert_eq!(app.timeline_len(id).await, before, "no bad event reached the timeline");
    let a = app.get_ok(&format!("/api/v1/assignments/{id}")).await;
    assert_eq!(a["status"], "notified");
    assert!(a["milestones"]["acknowledged_at"].is_null());

    // Reporting the same milestone twice: the second is a conflict.
    expect_json(app.event(id, json!({"kind": "acknowledged"})).await, StatusCode::CREATED).await;
    let p = expect_problem(app.event(id, json!({"kind": "acknowledged"})).await, StatusCode::CONFLICT).await;
    assert_eq!(p["code"], "already_reached");
    assert_eq!(app.timeline_len(id).await, before + 1);
}

async fn unknown_ids_and_routes_are_404_problems(app: TestApp) {
    expect_problem(app.get("/api/v1/assignments/424242").await, StatusCode::NOT_FOUND).await;
    expect_problem(app.get("/api/v1/assignments/not-a-number").await, StatusCode::NOT_FOUND).await;
    expect_problem(app.get("/api/v1/notices/77").await, StatusCode::NOT_FOUND).await;
    expect_problem(app.event(77, json!({"kind": "acknowledged"})).await, StatusCode::NOT_FOUND).await;
    expect_problem(
        app.post("/api/v1/units/77/branches", &json!({"name": "x", "address": "y"})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    expect_problem(app.get("/api/v1/nothing-here").await, StatusCode::NOT_FOUND).await;
    expect_problem(app.client.delete(app.url("/api/v1/notices")).send().await.unwrap(), StatusCode::METHOD_NOT_ALLOWED)
        .await;
}

async fn a_missing_or_bad_token_is_401(app: TestApp) {
    let no_token = app.client.get(app.url("/api/v1/notices")).send().await.unwrap();
    assert_eq!(no_token.headers().get("www-authenticate").unwrap(), "Bearer");
    expect_problem(no_token, StatusCode::UNAUTHORIZED).await;
    expect_problem(app.get_as("onsite_0000", "/api/v1/notices").await, StatusCode::UNAUTHORIZED).await;
    expect_problem(app.get_as("garbage", "/api/v1/notices").await, StatusCode::UNAUTHORIZED).await;
    let basic =
        app.client.get(app.url("/api/v1/notices")).header("authorization", "Basic dXNlcjpwYXNz").send().await.unwrap();
    expect_problem(basic, StatusCode::UNAUTHORIZED).await;
    let p = expect_problem(app.post_as("nope", "/api/v1/units", &json!({"name": "x"})).await, StatusCode::UNAUTHORIZED)
        .await;
    assert_eq!(p["code"], "unauthorized");
    assert!(app.get_ok("/api/v1/units").await.as_array().unwrap().is_empty(), "nothing was created");

    // A token past its expiry is refused like an unknown one.
    let now = onsite::domain::clock::Clock::now(app.clock.as_ref());
    let (_, short) = app
        .state
        .store
        .create_token(
            &onsite::domain::access::By::operator("test"),
            "duty",
            "short-lived",
            Some(now + chrono::Duration::hours(1)),
            now,
        )
        .await
        .unwrap();
    let short = secrecy::ExposeSecret::expose_secret(&short).to_owned();
    assert_eq!(app.get_as(&short, "/api/v1/units").await.status(), StatusCode::OK);
    app.clock.advance(chrono::Duration::hours(2));
    expect_problem(app.get_as(&short, "/api/v1/units").await, StatusCode::UNAUTHORIZED).await;
}

async fn bad_registry_input_names_the_field(app: TestApp) {
    let unit = app.unit_with_people("安盾").await;
    let p = expect_problem(
        app.post("/api/v1/units", &json!({"name": "x", "credit_code": "123"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "credit_code");
    let p = expect_problem(
        app.post(&format!("/api/v1/units/{}/people", unit.id), &json!({"name": "张三", "role": "boss"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("liaison"), "{p}");
    let other = expect_json(app.post("/api/v1/units", &json!({"name": "另一单位"})).await, StatusCode::CREATED).await;
    let p = expect_problem(
        app.post(
            &format!("/api/v1/units/{}/people", other["id"]),
            &json!({"name": "张三", "role": "engineer", "branch_id": unit.branch_id}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "branch_id");
    let person = unit.people[0];
    let p = expect_problem(
        app.post(&format!("/api/v1/people/{person}/channels"), &json!({"kind": "sms", "address": "not a phone"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "address");
    let p = expect_problem(
        app.post(&format!("/api/v1/units/{}/branches", unit.id), &json!({"name": "x", "address": "y", "lat": 29.5}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "incomplete_coordinates");
    let people = app.get_ok(&format!("/api/v1/units/{}/people", other["id"])).await;
    assert!(people.as_array().unwrap().is_empty());
    assert!(app.get_ok(&format!("/api/v1/people/{person}/channels")).await.as_array().unwrap().is_empty());
}

/// A unit name, a person's name and a notice title are refused alike for a
/// line break (which could forge a line in a page or a log) or a mark that
/// reorders text on screen; quotes are text. Times outside 2000–2199 are
/// refused before they reach a record.
async fn every_name_and_title_follows_one_text_rule_and_times_are_bounded(app: TestApp) {
    let unit = app.unit_with_people("安盾").await;
    for name in ["安盾\r\n【已撤销】", "安盾\t分部", "安盾\u{202e}moc.live"] {
        let p =
            expect_problem(app.post("/api/v1/units", &json!({"name": name})).await, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        assert_eq!(p["errors"][0]["field"], "name", "{p}");
        assert!(!p["errors"][0]["message_zh"].as_str().unwrap().is_empty(), "{p}");
        let path = format!("/api/v1/units/{}/people", unit.id);
        let p = expect_problem(
            app.post(&path, &json!({"name": name, "role": "engineer"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "name", "{p}");
        let mut body = notice_body(&[unit.id], true);
        body["title"] = name.into();
        let p = expect_problem(app.post("/api/v1/notices", &body).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(p["errors"][0]["field"], "title", "{p}");
    }
    let quoted =
        expect_json(app.post("/api/v1/units", &json!({"name": "重庆\"安盾\"科技"})).await, StatusCode::CREATED).await;
    assert_eq!(quoted["name"], "重庆\"安盾\"科技");
    assert_eq!(app.get_ok("/api/v1/units").await.as_array().unwrap().len(), 2, "only the good ones");

    for (starts, ends) in
        [("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"), ("2026-12-01T00:00:00+08:00", "2200-01-01T00:00:00Z")]
    {
        let body = json!({"name": "重保", "starts_at": starts, "ends_at": ends, "unit_ids": [unit.id]});
        let r = app.post("/api/v1/protection-periods", &body).await;
        let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(p["detail"].as_str().unwrap().contains("2000 to 2199"), "{p}");
    }
    assert_eq!(app.get_ok("/api/v1/protection-periods").await, json!([]), "nothing declared");
    let a = app.issue(&[unit.id], true).await["assignments"][0]["id"].as_i64().unwrap();
    let extend = json!({"deadline_at": "9999-01-01T00:00:00Z", "reason": "很远"});
    expect_problem(
        app.post(&format!("/api/v1/assignments/{a}/extend"), &extend).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(app.get_ok(&format!("/api/v1/assignments/{a}")).await["deadline_at"], "2026-11-25T05:00:00+08:00");
}
