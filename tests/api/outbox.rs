//! The page outbox against a channel that misbehaves: backoff, Retry-After,
//! fall-over to the next channel, and the bureau told when nothing works.

use chrono::Duration;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::escalation::paged_unit;
use crate::helpers::{TestApp, expect_json, t0};
use crate::receiver::{Answer, Receiver};
use crate::web::Web;

async fn a_provider_that_times_out_is_retried_and_delivered_when_it_answers() {
    let Some(app) = TestApp::spawn_with(crate::helpers::Backend::Sqlite, |c| {
        c.outbox.send_timeout = std::time::Duration::from_millis(300);
    })
    .await
    else {
        return;
    };
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    hooks.slow_down(std::time::Duration::from_secs(2));
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    let page = people_pages(&app, id, "赵磊").await.remove(0);
    assert_eq!(page["status"], "queued");
    assert_eq!(page["error"], "timed out");
    hooks.slow_down(std::time::Duration::ZERO);
    app.clock.advance(Duration::seconds(10));
    app.tick().await;
    let page = people_pages(&app, id, "赵磊").await.remove(0);
    assert_eq!(page["status"], "sent");
    assert_eq!(page["attempts"], 2);
}

crate::tests! {
    both: [
        a_failing_channel_backs_off_gives_up_and_falls_over_to_the_next_channel,
        retry_after_is_honoured_and_the_page_goes_out_after_it,
        a_page_nobody_can_receive_is_reported_to_the_bureau,
        a_recovered_channel_delivers_the_retried_page_once,
        a_stored_page_that_cannot_be_read_is_set_aside_and_the_rest_go_out,
    ],
    once: [
        a_provider_that_times_out_is_retried_and_delivered_when_it_answers,
    ],
}

async fn people_pages(app: &TestApp, id: i64, recipient: &str) -> Vec<serde_json::Value> {
    let pages = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
    pages.as_array().unwrap().iter().filter(|p| p["recipient"] == recipient).cloned().collect()
}

async fn second_channel(app: &TestApp, unit: i64, role: &str, address: &str) {
    let people = app.get_ok(&format!("/api/v1/units/{unit}/people")).await;
    let person = people.as_array().unwrap().iter().find(|p| p["role"] == role).unwrap()["id"].as_i64().unwrap();
    expect_json(
        app.post(&format!("/api/v1/people/{person}/channels"), &json!({"kind": "webhook", "address": address})).await,
        StatusCode::CREATED,
    )
    .await;
}

async fn a_failing_channel_backs_off_gives_up_and_falls_over_to_the_next_channel(app: TestApp) {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    second_channel(&app, unit, "engineer", &hooks.url("engineer-phone")).await;
    hooks.always("engineer", Answer::Status(500));
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();

    // T0 pages every channel of the engineer at once; the first one fails.
    app.tick().await;
    assert_eq!(hooks.take_names(), ["engineer-phone", "liaison"]);
    let first = people_pages(&app, id, "赵磊").await;
    let failing = first.iter().find(|p| p["status"] == "queued").unwrap().clone();
    assert_eq!(failing["attempts"], 1);
    assert_eq!(failing["error"], "webhook answered 500 Internal Server Error");
    assert_eq!(failing["error_code"], "unavailable");
    assert_eq!(failing["error_label"]["zh"], "发送服务暂时不可用，稍后重试");
    let retry_at = chrono::DateTime::parse_from_rfc3339(failing["next_attempt_at"].as_str().unwrap()).unwrap();
    let wait = retry_at.to_utc() - t0();
    assert!(
        wait >= Duration::seconds(2) && wait <= Duration::milliseconds(2_500),
        "first backoff is 2 s plus jitter: {wait}"
    );

    // Later retries wait longer; after max_attempts the channel gives up.
    for _ in 0..4 {
        app.clock.advance(Duration::minutes(1));
        app.tick().await;
    }
    let pages = people_pages(&app, id, "赵磊").await;
    let gave_up = pages.iter().find(|p| p["channel_id"] == failing["channel_id"]).unwrap();
    assert_eq!(gave_up["status"], "failed");
    assert_eq!(gave_up["attempts"], 5);
    assert_eq!(gave_up["error_code"], "exhausted");
    assert!(hooks.take_names().is_empty(), "nothing new was delivered");

    // The acknowledgement reminder goes to the first channel only; when it
    // gives up, the page falls over to the engineer's next channel.
    app.clock.set(t0() + Duration::minutes(10));
    app.tick().await;
    assert_eq!(hooks.take_names(), ["liaison", "support_lead"]);
    for _ in 0..4 {
        app.clock.advance(Duration::minutes(1));
        app.tick().await;
    }
    assert_eq!(hooks.take_names(), ["engineer-phone"]);
    let events = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    let fallback = events.as_array().unwrap().iter().find(|e| e["kind"] == "page_fallback").unwrap().clone();
    assert_eq!(fallback["data"]["recipient"], "赵磊");
    assert_eq!(fallback["data"]["fell_over_to"], "webhook");
}

async fn retry_after_is_honoured_and_the_page_goes_out_after_it(app: TestApp) {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    hooks.script("liaison", &[Answer::RetryAfter(30)]);
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    assert_eq!(hooks.take_names(), ["engineer"]);
    let liaison = people_pages(&app, id, "王敏").await.remove(0);
    assert_eq!(liaison["status"], "queued");
    assert_eq!(liaison["next_attempt_at"], "2026-11-25T03:00:30+08:00");
    app.clock.set(t0() + Duration::seconds(29));
    app.tick().await;
    assert!(hooks.take_names().is_empty(), "not before Retry-After");
    app.clock.set(t0() + Duration::seconds(30));
    app.tick().await;
    assert_eq!(hooks.take_names(), ["liaison"]);
    let liaison = people_pages(&app, id, "王敏").await.remove(0);
    assert_eq!(liaison["status"], "sent");
    assert_eq!(liaison["attempts"], 2);
}

async fn a_page_nobody_can_receive_is_reported_to_the_bureau(app: TestApp) {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    hooks.always("liaison", Answer::Status(404));
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    // The 404 is permanent: no retry, the channel is marked broken, and with
    // no other channel left the bureau's duty officer is told.
    assert_eq!(hooks.take_names(), ["duty", "engineer"]);
    let liaison = people_pages(&app, id, "王敏").await.remove(0);
    assert_eq!(liaison["status"], "failed");
    assert_eq!(liaison["attempts"], 1);
    let channels = app.get_ok(&format!("/api/v1/people/{}/channels", liaison["person_id"])).await;
    assert_eq!(channels[0]["status"], "broken");
    let duty = people_pages(&app, id, "值班员甲").await.remove(0);
    assert_eq!(duty["reason"], "delivery_failed");
    let events = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    let failed = events.as_array().unwrap().iter().find(|e| e["kind"] == "page_failed").unwrap().clone();
    assert_eq!(failed["data"]["recipient"], "王敏");
    assert_eq!(liaison["error_code"], "rejected");
    assert_eq!(failed["data"]["failure"], "rejected");
    // On the notice page the failure reads in the reader's words, folded
    // apart from the milestones; the provider's own words are for admins.
    let notice = app.get_ok(&format!("/api/v1/assignments/{id}")).await["notice_id"].clone();
    let (_, page) = Web::sign_in(&app, "duty").await.get(&format!("/notices/{notice}")).await;
    assert!(page.contains("地址无效或被对方拒收"), "{page}");
    assert!(page.contains(r#"<details class="deliveries"><summary>未送达的呼叫（1）"#), "{page}");
    assert!(!page.contains("webhook answered 404"), "raw provider text shown to the bureau: {page}");
    app.user_token("root", onsite::domain::access::UserRole::Admin, None).await;
    let (_, page) = Web::sign_in(&app, "root").await.get(&format!("/notices/{notice}")).await;
    assert!(page.contains("webhook answered 404"), "an administrator sees the provider's words: {page}");
    // The broken channel is not paged again at the next step.
    app.clock.set(t0() + Duration::minutes(10));
    app.tick().await;
    assert_eq!(hooks.take_names(), ["engineer", "support_lead"]);
}

async fn a_recovered_channel_delivers_the_retried_page_once(app: TestApp) {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    hooks.script("engineer", &[Answer::Status(502), Answer::Status(503)]);
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    for _ in 0..3 {
        app.tick().await;
        app.clock.advance(Duration::seconds(10));
    }
    let received = hooks.received();
    let engineer: Vec<_> = received.iter().filter(|r| r.name == "engineer").collect();
    assert_eq!(engineer.len(), 1, "delivered once after recovering");
    let page = people_pages(&app, id, "赵磊").await.remove(0);
    assert_eq!(page["status"], "sent");
    assert_eq!(page["attempts"], 3);
    assert!(page["error"].is_null());
    assert!(engineer[0].idempotency_key.starts_with(&format!("a{id}:dispatch:")), "{}", engineer[0].idempotency_key);
}

async fn a_stored_page_that_cannot_be_read_is_set_aside_and_the_rest_go_out(app: TestApp) {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    app.issue(&[unit], true).await;
    app.issue(&[unit], true).await;
    let db = app.state.store.db();
    let sql = |q: &str| Statement::from_string(db.get_database_backend(), q.to_owned());
    let first = "(SELECT MIN(id) FROM pages)";
    db.execute_raw(sql(&format!("UPDATE pages SET body = 'not a page' WHERE id = {first}"))).await.unwrap();
    app.tick().await;
    let row = db
        .query_one_raw(sql(&format!("SELECT status, last_error FROM pages WHERE id = {first}")))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<String>("", "status").unwrap(), "failed");
    let why = row.try_get::<String>("", "last_error").unwrap();
    assert!(why.starts_with("stored page cannot be read"), "{why}");
    let count = |q: &'static str| async move {
        let row = db.query_one_raw(sql(q)).await.unwrap().unwrap();
        row.try_get::<i64>("", "n").unwrap()
    };
    let (sent, all) = (
        count("SELECT COUNT(*) AS n FROM pages WHERE status = 'sent'").await,
        count("SELECT COUNT(*) AS n FROM pages").await,
    );
    assert!(all >= 4, "two notices page at least two people each: {all}");
    assert_eq!(sent, all - 1, "every other page went out");
    assert_eq!(hooks.received().len() as i64, sent);
}
