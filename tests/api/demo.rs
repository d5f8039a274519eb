//! Demo mode (`onsite serve --demo`): every page lands in the demo inbox,
//! delivered, and the inbox's action link lets the engineer answer.

use onsite::domain::access::UserRole;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp, expect_json};
use crate::web::Web;

crate::tests! {
    once: [
        sqlite_pages_land_in_the_demo_inbox_and_its_link_answers_as_the_engineer,
        without_demo_mode_there_is_no_inbox_and_pages_are_not_swallowed,
    ],
    postgres: [
        postgres_pages_land_in_the_demo_inbox_and_its_link_answers_as_the_engineer,
    ],
}

async fn demo_app(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |c| c.notify.demo_inbox = true).await
}

async fn sqlite_pages_land_in_the_demo_inbox_and_its_link_answers_as_the_engineer() {
    if let Some(app) = demo_app(Backend::Sqlite).await {
        pages_land_in_the_demo_inbox_and_its_link_answers_as_the_engineer(app).await;
    }
}

async fn postgres_pages_land_in_the_demo_inbox_and_its_link_answers_as_the_engineer() {
    if let Some(app) = demo_app(Backend::Postgres).await {
        pages_land_in_the_demo_inbox_and_its_link_answers_as_the_engineer(app).await;
    }
}

/// The SMS channels of a unit's people, as the demo seeds them.
async fn on_sms(app: &TestApp, people: &[i64]) {
    for (i, person) in people.iter().enumerate() {
        let body = json!({"kind": "sms", "address": format!("+861380000000{i}")});
        expect_json(app.post(&format!("/api/v1/people/{person}/channels"), &body).await, StatusCode::CREATED).await;
    }
}

async fn pages_land_in_the_demo_inbox_and_its_link_answers_as_the_engineer(app: TestApp) {
    let ours = app.unit_with_people("安盾").await;
    let theirs = app.unit_with_people("山城").await;
    on_sms(&app, &ours.people).await;
    on_sms(&app, &theirs.people).await;
    app.issue(&[theirs.id], true).await;
    let id = app.issue(&[ours.id], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    let pages = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
    let pages = pages.as_array().unwrap();
    assert!(!pages.is_empty());
    assert!(pages.iter().all(|p| p["status"] == "sent"), "every demo page is delivered: {pages:?}");

    let bureau = Web::sign_in(&app, "duty").await;
    let (status, inbox) = bureau.get("/demo/inbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(inbox.contains("赵磊") && inbox.contains("已发送"), "{inbox}");
    assert!(bureau.get("/board").await.1.contains("/demo/inbox"), "the navigation offers the inbox");

    // The engineer's page carries the link (ours is the newest, on top);
    // following it answers as them.
    let engineer =
        inbox.split("<article").find(|m| m.contains("赵磊") && m.contains("/a/")).expect("the engineer's page");
    let link = engineer.split("href=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
    assert!(link.starts_with("/a/"), "{link}");
    let (status, _, body) = bureau.post_raw(&link, &[("action", "acknowledged")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let a = app.get_ok(&format!("/api/v1/assignments/{id}")).await;
    assert_eq!(a["status"], "acknowledged");

    // A unit's user sees its own people's pages only (both units' people
    // share names here, so count them).
    app.user_token("ours", UserRole::Unit, Some(ours.id)).await;
    let own = Web::sign_in(&app, "ours").await.get("/demo/inbox").await.1;
    assert_eq!(own.matches("<article").count(), pages.len(), "only the pages of its own unit's people");
    assert_eq!(inbox.matches("<article").count(), 2 * pages.len(), "the bureau sees both units'");
}

async fn without_demo_mode_there_is_no_inbox_and_pages_are_not_swallowed() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let bureau = Web::sign_in(&app, "duty").await;
    assert_eq!(bureau.get("/demo/inbox").await.0, StatusCode::NOT_FOUND);
    assert!(!bureau.get("/board").await.1.contains("/demo/inbox"));
    let unit = app.unit_with_people("安盾").await;
    on_sms(&app, &unit.people).await;
    let id = app.issue(&[unit.id], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    let pages = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
    assert!(pages.as_array().unwrap().iter().all(|p| p["status"] != "sent"), "no SMS gateway, nothing delivered");
}
