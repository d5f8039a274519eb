//! The Feishu app, end to end against a fake Feishu: a page goes out as an
//! interactive card with the milestone buttons; a press records the
//! milestone as the person whose open_id pressed, answered with a toast and
//! the card redrawn; forged, stale and misaddressed callbacks change
//! nothing; the token is fetched again when it expires; the frequency limit
//! waits; an outage falls over; the handshake, with and without an Encrypt Key;
//! the card read by its addressee is the page's read receipt.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::escalation::{engineer_first_on, paged_unit, reminder_falls_over_to_the_webhook};
use crate::fake_feishu::{Callback, FakeFeishu, VERIFICATION_TOKEN};
use crate::helpers::{Backend, TestApp, expect_json, expect_problem};
use crate::receiver::Receiver;

crate::tests! {
    backends: [
        a_page_is_a_card_and_a_press_records_the_milestone_as_that_person,
        forged_stale_and_misaddressed_callbacks_change_nothing,
    ],
    once: [
        the_token_is_fetched_again_when_feishu_says_it_expired,
        the_frequency_limit_waits_and_an_outage_falls_over_to_the_next_channel,
        the_handshake_is_answered_with_and_without_an_encrypt_key,
    ],
}

const OPEN_ID: &str = "ou_7d8a6e6df7621556ce0d21922b676706ccs";

struct Setup {
    app: TestApp,
    feishu: FakeFeishu,
    hooks: Receiver,
    unit: i64,
    assignment: i64,
}

/// A unit whose engineer 赵磊 is paged first on Feishu, then on a webhook,
/// and one notice to it, paged.
async fn paged_on_feishu(app: TestApp, feishu: FakeFeishu) -> Setup {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    let engineer = engineer_first_on(&app, unit, "feishu_app", OPEN_ID).await;
    let body = json!({"kind": "webhook", "address": hooks.url("engineer")});
    expect_json(app.post(&format!("/api/v1/people/{engineer}/channels"), &body).await, StatusCode::CREATED).await;
    let assignment = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    Setup { app, feishu, hooks, unit, assignment }
}

async fn callback(app: &TestApp, press: &Callback) -> reqwest::Response {
    let (headers, body) = press.signed();
    let mut request = app.client.post(app.url("/callbacks/feishu")).header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request.body(body).send().await.unwrap()
}

async fn answered(app: &TestApp, press: &Callback) -> Value {
    expect_json(callback(app, press).await, StatusCode::OK).await
}

fn now_ms(app: &TestApp) -> i64 {
    use onsite::domain::clock::Clock;
    app.clock.now().timestamp_millis()
}

async fn timeline(app: &TestApp, id: i64) -> Vec<Value> {
    app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await.as_array().unwrap().clone()
}

/// The keys of a card's buttons that call back, in the Chinese elements.
fn keys(card: &Value) -> Vec<String> {
    let elements = card["i18n_elements"]["zh_cn"].as_array().unwrap();
    let actions = elements.iter().find(|e| e["tag"] == "action").map(|e| e["actions"].clone()).unwrap_or(json!([]));
    actions.as_array().unwrap().iter().filter_map(|a| a["value"]["key"].as_str().map(str::to_owned)).collect()
}

async fn a_page_is_a_card_and_a_press_records_the_milestone_as_that_person(backend: Backend) {
    let feishu = FakeFeishu::start(&[OPEN_ID]).await;
    let Some(app) = TestApp::spawn_with(backend, |c| feishu.configure(c)).await else { return };
    let Setup { app, feishu, assignment: id, .. } = paged_on_feishu(app, feishu).await;

    let sent = feishu.sent();
    assert_eq!(sent.len(), 1, "one card, to the engineer");
    assert_eq!((sent[0]["receive_id"].as_str(), sent[0]["msg_type"].as_str()), (Some(OPEN_ID), Some("interactive")));
    let card = &sent[0]["content"];
    assert!(card["header"]["title"]["content"].as_str().unwrap().contains("某门户网站首页被篡改"), "{card}");
    let ack_key = format!("acknowledged@{id}");
    assert_eq!(
        keys(card),
        [ack_key.clone(), format!("plan_activated@{id}"), format!("on_site@{id}"), format!("hq_remote@{id}")]
    );
    let en = card["i18n_elements"]["en_us"].to_string();
    assert!(en.contains("Acknowledge") && en.contains("/a/"), "English, with the action link: {en}");

    // 赵磊 presses 确认接收: recorded as him, from Feishu; the answer says so.
    let press = feishu.press(OPEN_ID, &ack_key, now_ms(&app));
    let answer = answered(&app, &press).await;
    assert_eq!(answer["toast"]["type"], "success", "{answer}");
    assert_eq!(answer["toast"]["i18n"]["en_us"], "Recorded: Acknowledged");
    let events = timeline(&app, id).await;
    let ack = events.iter().find(|e| e["kind"] == "acknowledged").expect("acknowledged").clone();
    assert_eq!((ack["source"].as_str(), ack["actor"].as_str()), (Some("feishu"), Some("赵磊")));
    let redrawn = &answer["card"]["data"];
    assert_eq!(answer["card"]["type"], "raw");
    assert_eq!(keys(redrawn), [format!("plan_activated@{id}"), format!("on_site@{id}"), format!("hq_remote@{id}")]);
    let done = redrawn["i18n_elements"]["zh_cn"].to_string();
    assert!(done.contains("已接收 · 赵磊 · 2026-11-25 03:00") && done.contains("/a/"), "{done}");

    // Feishu retries the same callback: taken once.
    let before = timeline(&app, id).await.len();
    assert_eq!(answered(&app, &press).await, json!({}));
    assert_eq!(timeline(&app, id).await.len(), before);

    // The same button pressed again on the old card: nothing new, and why.
    app.clock.advance(Duration::seconds(30));
    let again = answered(&app, &feishu.press(OPEN_ID, &ack_key, now_ms(&app))).await;
    assert_eq!(again["toast"]["type"], "error");
    assert!(again["toast"]["i18n"]["en_us"].as_str().unwrap().contains("acknowledged was already reported"), "{again}");
    assert!(again.get("card").is_none(), "the card stays as it is");
    assert_eq!(timeline(&app, id).await.len(), before);

    // 已到达现场 before the plan is refused; the plan is recorded.
    let site = answered(&app, &feishu.press(OPEN_ID, &format!("on_site@{id}"), now_ms(&app))).await;
    assert!(site["toast"]["content"].as_str().unwrap().contains("启动应急支撑方案"), "{site}");
    let plan = answered(&app, &feishu.press(OPEN_ID, &format!("plan_activated@{id}"), now_ms(&app))).await;
    assert_eq!(keys(&plan["card"]["data"]), [format!("on_site@{id}"), format!("hq_remote@{id}")]);
    let a = app.get_ok(&format!("/api/v1/assignments/{id}")).await;
    assert!(a["milestones"]["on_site_at"].is_null() && !a["milestones"]["plan_activated_at"].is_null(), "{a}");

    // Feishu reports the card read: a read by someone else is not his
    // receipt; his is, with when.
    let page = || async { app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await[0].clone() };
    let other = answered(&app, &feishu.read("ou_someone_else_in_the_chat", &["om_1"], now_ms(&app))).await;
    assert_eq!((other, page().await["receipt"].clone()), (json!({}), Value::Null));
    answered(&app, &feishu.read(OPEN_ID, &["om_1"], now_ms(&app))).await;
    let read = page().await;
    assert_eq!((read["status"].as_str(), read["receipt"].as_str()), (Some("sent"), Some("read")), "{read}");
    assert_eq!(read["receipt_label"]["zh"], "已读");
    assert!(read["receipt_at"].as_str().unwrap().starts_with("2026-11-25T03:00:30"), "{read}");
}

async fn forged_stale_and_misaddressed_callbacks_change_nothing(backend: Backend) {
    let feishu = FakeFeishu::start(&[OPEN_ID]).await;
    let Some(app) = TestApp::spawn_with(backend, |c| feishu.configure(c)).await else { return };
    let Setup { app, feishu, assignment: id, .. } = paged_on_feishu(app, feishu).await;
    let key = format!("acknowledged@{id}");
    let before = timeline(&app, id).await.len();
    let refused = |status, code: &'static str| move |p: Value| assert_eq!(p["code"], code, "{status}: {p}");

    let mut forged = feishu.press(OPEN_ID, &key, now_ms(&app));
    forged.key = "not-the-encrypt-key".into();
    let p = expect_problem(callback(&app, &forged).await, StatusCode::FORBIDDEN).await;
    assert_eq!((p["code"].as_str(), p["detail_zh"].as_str()), (Some("signature"), Some("签名不匹配")));

    let mut old = feishu.press(OPEN_ID, &key, now_ms(&app) - 600_000);
    refused(400, "stale")(expect_problem(callback(&app, &old).await, StatusCode::BAD_REQUEST).await);
    old.timestamp = now_ms(&app) / 1000;
    refused(400, "stale")(expect_problem(callback(&app, &old).await, StatusCode::BAD_REQUEST).await);

    let mut other_app = feishu.press(OPEN_ID, &key, now_ms(&app));
    other_app.event["header"]["app_id"] = json!("cli_0000000000000000");
    refused(403, "other_receiver")(expect_problem(callback(&app, &other_app).await, StatusCode::FORBIDDEN).await);

    let mut wrong_token = feishu.press(OPEN_ID, &key, now_ms(&app));
    wrong_token.event["header"]["token"] = json!("someone-elses-token");
    refused(403, "signature")(expect_problem(callback(&app, &wrong_token).await, StatusCode::FORBIDDEN).await);

    let (_, body) = feishu.press(OPEN_ID, &key, now_ms(&app)).signed();
    let unsigned = app.client.post(app.url("/callbacks/feishu")).body(body).send().await.unwrap();
    refused(403, "signature")(expect_problem(unsigned, StatusCode::FORBIDDEN).await);
    let garbage = app.client.post(app.url("/callbacks/feishu")).body("{\"encrypt\": 1").send().await.unwrap();
    refused(400, "malformed")(expect_problem(garbage, StatusCode::BAD_REQUEST).await);

    // Someone this service does not know: answered, nothing recorded.
    let stranger = answered(&app, &feishu.press("ou_stranger", &key, now_ms(&app))).await;
    assert_eq!(stranger["toast"]["type"], "error");
    assert!(stranger["toast"]["content"].as_str().unwrap().contains("未登记"), "{stranger}");
    let unknown = answered(&app, &feishu.press(OPEN_ID, "closed@1", now_ms(&app))).await;
    assert!(unknown["toast"]["content"].as_str().unwrap().contains("无法识别"), "{unknown}");

    assert_eq!(timeline(&app, id).await.len(), before, "nothing was recorded");
    assert!(app.get_ok(&format!("/api/v1/assignments/{id}")).await["milestones"]["acknowledged_at"].is_null());
}

async fn the_token_is_fetched_again_when_feishu_says_it_expired() {
    let feishu = FakeFeishu::start(&[OPEN_ID]).await;
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |c| feishu.configure(c)).await else { return };
    let Setup { app, feishu, unit, .. } = paged_on_feishu(app, feishu).await;
    assert_eq!(feishu.token_requests(), 1);

    // A second notice's page reuses the cached token.
    app.issue(&[unit], true).await;
    app.tick().await;
    assert_eq!((feishu.sent().len(), feishu.token_requests()), (2, 1));

    // Feishu expires it early: the acknowledgement reminders fetch a new one
    // (once) and go out.
    feishu.expire_tokens();
    app.clock.advance(Duration::minutes(11));
    app.tick().await;
    assert_eq!((feishu.sent().len(), feishu.token_requests()), (4, 2));
}

async fn feishu_page(app: &TestApp, id: i64) -> Value {
    let pages = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
    pages.as_array().unwrap().iter().find(|p| p["channel"] == "feishu_app").cloned().expect("a Feishu page")
}

async fn the_frequency_limit_waits_and_an_outage_falls_over_to_the_next_channel() {
    let feishu = FakeFeishu::start(&[OPEN_ID]).await;
    feishu.fail_sends(&[99991400]);
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |c| feishu.configure(c)).await else { return };
    let Setup { app, feishu, hooks, assignment: id, .. } = paged_on_feishu(app, feishu).await;
    let page = feishu_page(&app, id).await;
    assert_eq!(page["status"], "queued", "{page}");
    assert!(page["error"].as_str().unwrap().contains("99991400"), "{page}");
    app.clock.advance(Duration::seconds(3));
    app.tick().await;
    assert_eq!(feishu.sent().len(), 1, "sent once Feishu's reset has passed");
    assert_eq!(feishu_page(&app, id).await["status"], "sent");

    let _ = hooks.take_names();
    feishu.set_down(true);
    reminder_falls_over_to_the_webhook(&app, &hooks, id).await;
}

async fn the_handshake_is_answered_with_and_without_an_encrypt_key() {
    let feishu = FakeFeishu::start(&[OPEN_ID]).await;
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |c| feishu.configure(c)).await else { return };
    let encrypted = |token: &str| {
        let crypt = onsite::notify::feishu_crypt::FeishuCrypt::new(crate::fake_feishu::ENCRYPT_KEY);
        json!({ "encrypt": crypt.encrypt(&FakeFeishu::handshake(token).to_string(), [7; 16]) })
    };
    let post = |app: &TestApp, body: Value| app.client.post(app.url("/callbacks/feishu")).json(&body).send();
    let answer = expect_json(post(&app, encrypted(VERIFICATION_TOKEN)).await.unwrap(), StatusCode::OK).await;
    assert_eq!(answer, json!({ "challenge": "ajls384kdjx98XX" }));
    expect_problem(post(&app, encrypted("guessed")).await.unwrap(), StatusCode::FORBIDDEN).await;

    // Without an Encrypt Key the token inside is the proof.
    let Some(plain) = TestApp::spawn_with(Backend::Sqlite, |c| feishu.configure_plain(c)).await else { return };
    let Setup { app: plain, feishu, assignment: id, .. } = paged_on_feishu(plain, feishu).await;
    let answer =
        expect_json(post(&plain, FakeFeishu::handshake(VERIFICATION_TOKEN)).await.unwrap(), StatusCode::OK).await;
    assert_eq!(answer["challenge"], "ajls384kdjx98XX");
    let mut press = feishu.press(OPEN_ID, &format!("acknowledged@{id}"), now_ms(&plain));
    let send = |press: &Callback| plain.client.post(plain.url("/callbacks/feishu")).body(press.plain()).send();
    let pressed = expect_json(send(&press).await.unwrap(), StatusCode::OK).await;
    assert_eq!(pressed["toast"]["type"], "success", "{pressed}");
    press.event["header"]["token"] = json!("guessed");
    press.event["header"]["event_id"] = json!("another-event");
    expect_problem(send(&press).await.unwrap(), StatusCode::FORBIDDEN).await;

    let Some(none) = TestApp::spawn(Backend::Sqlite).await else { return };
    let p =
        expect_problem(post(&none, FakeFeishu::handshake(VERIFICATION_TOKEN)).await.unwrap(), StatusCode::NOT_FOUND)
            .await;
    assert_eq!(p["detail_zh"], "此回调未配置");
}
