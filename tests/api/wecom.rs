//! The WeCom app, end to end against a fake WeCom: a page goes out as a
//! card with the milestone buttons, a press records the milestone as the
//! person whose userid pressed and updates the card; forged, stale and
//! misaddressed callbacks change nothing; the token is cached and fetched
//! again when it expires; rate limits wait; an outage falls over.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::escalation::{engineer_first_on, paged_unit, reminder_falls_over_to_the_webhook};
use crate::fake_wecom::{Callback, FakeWecom};
use crate::helpers::{Backend, TestApp, expect_json, expect_problem};
use crate::receiver::Receiver;

crate::tests! {
    backends: [
        a_page_is_a_card_and_a_press_records_the_milestone_as_that_person,
        forged_stale_and_misaddressed_callbacks_change_nothing,
    ],
    once: [
        the_token_is_cached_and_fetched_again_when_wecom_says_it_expired,
        a_rate_limit_waits_and_an_outage_falls_over_to_the_next_channel,
        the_callback_url_check_echoes_and_an_unconfigured_callback_is_not_there,
    ],
}

struct Setup {
    app: TestApp,
    wecom: FakeWecom,
    hooks: Receiver,
    assignment: i64,
}

/// A unit whose engineer 赵磊 is paged first on WeCom as `zhao.lei`, then
/// on a webhook, and one notice to it, paged.
async fn paged_on_wecom(app: TestApp, wecom: FakeWecom) -> Setup {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    let engineer = engineer_first_on(&app, unit, "wecom_app", "zhao.lei").await;
    let body = json!({"kind": "webhook", "address": hooks.url("engineer")});
    expect_json(app.post(&format!("/api/v1/people/{engineer}/channels"), &body).await, StatusCode::CREATED).await;
    let assignment = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    Setup { app, wecom, hooks, assignment }
}

async fn spawn(backend: Backend, wecom: &FakeWecom) -> Option<TestApp> {
    TestApp::spawn_with(backend, |c| wecom.configure(c)).await
}

async fn callback(app: &TestApp, press: &Callback) -> reqwest::Response {
    let (query, body) = press.signed();
    app.client.post(app.url(&format!("/callbacks/wecom?{query}"))).body(body).send().await.unwrap()
}

fn now(app: &TestApp) -> i64 {
    use onsite::domain::clock::Clock;
    app.clock.now().timestamp()
}

async fn timeline(app: &TestApp, id: i64) -> Vec<Value> {
    app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await.as_array().unwrap().clone()
}

async fn a_page_is_a_card_and_a_press_records_the_milestone_as_that_person(backend: Backend) {
    let wecom = FakeWecom::start(&["zhao.lei"]).await;
    let Some(app) = spawn(backend, &wecom).await else { return };
    let Setup { app, wecom, assignment: id, .. } = paged_on_wecom(app, wecom).await;

    let sent = wecom.sent();
    assert_eq!(sent.len(), 1, "one card, to the engineer");
    let card = &sent[0]["template_card"];
    assert_eq!(sent[0]["touser"], "zhao.lei");
    assert_eq!(card["card_type"], "button_interaction");
    assert!(card["main_title"]["title"].as_str().unwrap().contains("某门户网站首页被篡改"), "{card}");
    let buttons: Vec<(&str, &str)> = card["button_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["text"].as_str().unwrap(), b["key"].as_str().unwrap()))
        .collect();
    let ack_key = format!("acknowledged@{id}");
    assert_eq!(buttons[0], ("确认接收", ack_key.as_str()));
    assert_eq!(buttons.len(), 4);
    assert!(card["card_action"]["url"].as_str().unwrap().contains("/a/"), "the card opens the action page");

    // 赵磊 presses 确认接收: recorded as him, from WeCom; the card says so.
    let press = wecom.press("zhao.lei", &ack_key, now(&app));
    let answer = callback(&app, &press).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.text().await.unwrap(), "success");
    let events = timeline(&app, id).await;
    let ack = events.iter().find(|e| e["kind"] == "acknowledged").expect("acknowledged").clone();
    assert_eq!((ack["source"].as_str(), ack["actor"].as_str()), (Some("wecom"), Some("赵磊")));
    wecom.wait_for(|w| w.updates().len(), 1).await;
    let update = &wecom.updates()[0];
    assert_eq!(update["userids"], json!(["zhao.lei"]));
    let done = update["button"]["replace_name"].as_str().unwrap();
    assert!(done.contains("已接收") && done.contains("赵磊") && done.contains("03:00"), "{done}");

    // WeCom retries the same callback: taken once.
    let before = timeline(&app, id).await.len();
    assert_eq!(callback(&app, &press).await.status(), StatusCode::OK);
    assert_eq!(timeline(&app, id).await.len(), before);

    // A second press of the same button later: nothing new, and he is told why.
    app.clock.advance(Duration::seconds(30));
    let again = wecom.press("zhao.lei", &ack_key, now(&app));
    assert_eq!(callback(&app, &again).await.status(), StatusCode::OK);
    assert_eq!(timeline(&app, id).await.len(), before);
    wecom.wait_for(|w| w.sent().len(), 2).await;
    let told = wecom.sent()[1]["text"]["content"].as_str().unwrap().to_owned();
    assert!(told.contains("acknowledged was already reported"), "{told}");

    // 已到达现场 before the plan is refused the same way; the plan is recorded.
    let site = wecom.press("zhao.lei", &format!("on_site@{id}"), now(&app));
    assert_eq!(callback(&app, &site).await.status(), StatusCode::OK);
    wecom.wait_for(|w| w.sent().len(), 3).await;
    let told = wecom.sent()[2]["text"]["content"].as_str().unwrap().to_owned();
    assert!(told.contains("启动应急支撑方案"), "{told}");
    let plan = wecom.press("zhao.lei", &format!("plan_activated@{id}"), now(&app));
    assert_eq!(callback(&app, &plan).await.status(), StatusCode::OK);
    let a = app.get_ok(&format!("/api/v1/assignments/{id}")).await;
    assert!(a["milestones"]["on_site_at"].is_null() && !a["milestones"]["plan_activated_at"].is_null(), "{a}");
    wecom.wait_for(|w| w.updates().len(), 2).await;
}

async fn forged_stale_and_misaddressed_callbacks_change_nothing(backend: Backend) {
    let wecom = FakeWecom::start(&["zhao.lei", "stranger"]).await;
    let Some(app) = spawn(backend, &wecom).await else { return };
    let Setup { app, wecom, assignment: id, .. } = paged_on_wecom(app, wecom).await;
    let key = format!("acknowledged@{id}");
    let before = timeline(&app, id).await.len();

    let mut forged = wecom.press("zhao.lei", &key, now(&app));
    forged.token = "not-the-token".into();
    let p = expect_problem(callback(&app, &forged).await, StatusCode::FORBIDDEN).await;
    assert_eq!((p["code"].as_str(), p["detail_zh"].as_str()), (Some("signature"), Some("签名不匹配")));

    let old = wecom.press("zhao.lei", &key, now(&app) - 600);
    assert_eq!(expect_problem(callback(&app, &old).await, StatusCode::BAD_REQUEST).await["code"], "stale");

    let mut other_corp = wecom.press("zhao.lei", &key, now(&app));
    other_corp.corp = "ww0000000000000000".into();
    assert_eq!(
        expect_problem(callback(&app, &other_corp).await, StatusCode::FORBIDDEN).await["code"],
        "other_receiver"
    );

    let mut other_app = wecom.press("zhao.lei", &key, now(&app));
    other_app.event = other_app.event.replace("<AgentID>1000002</AgentID>", "<AgentID>1000099</AgentID>");
    assert_eq!(expect_problem(callback(&app, &other_app).await, StatusCode::FORBIDDEN).await["code"], "other_receiver");

    let garbage = app.client.post(app.url("/callbacks/wecom?msg_signature=x&timestamp=1&nonce=1")).body("<xml>");
    expect_problem(garbage.send().await.unwrap(), StatusCode::BAD_REQUEST).await;
    let unsigned = app.client.post(app.url("/callbacks/wecom")).body("<xml/>").send().await.unwrap();
    expect_problem(unsigned, StatusCode::BAD_REQUEST).await;

    // Someone of the corp who is nobody's channel here: answered, nothing recorded.
    let stranger = wecom.press("stranger", &key, now(&app));
    assert_eq!(callback(&app, &stranger).await.status(), StatusCode::OK);
    wecom.wait_for(|w| w.sent().len(), 2).await;
    let told = &wecom.sent()[1];
    assert_eq!(told["touser"], "stranger");
    assert!(told["text"]["content"].as_str().unwrap().contains("未登记"), "{told}");

    // A button this service never sent.
    let unknown = wecom.press("zhao.lei", "closed@1", now(&app));
    assert_eq!(callback(&app, &unknown).await.status(), StatusCode::OK);
    wecom.wait_for(|w| w.sent().len(), 3).await;
    assert!(wecom.sent()[2]["text"]["content"].as_str().unwrap().contains("无法识别"));

    assert_eq!(timeline(&app, id).await.len(), before, "nothing was recorded");
    assert!(app.get_ok(&format!("/api/v1/assignments/{id}")).await["milestones"]["acknowledged_at"].is_null());
}

async fn the_token_is_cached_and_fetched_again_when_wecom_says_it_expired() {
    let wecom = FakeWecom::start(&["zhao.lei"]).await;
    let Some(app) = spawn(Backend::Sqlite, &wecom).await else { return };
    let Setup { app, wecom, assignment: id, .. } = paged_on_wecom(app, wecom).await;
    assert_eq!(wecom.token_requests(), 1);

    // The acknowledgement reminder reuses the cached token.
    app.clock.advance(Duration::minutes(11));
    app.tick().await;
    assert_eq!((wecom.sent().len(), wecom.token_requests()), (2, 1));

    // WeCom expires it early: the next send fetches a new one and goes out.
    wecom.expire_tokens();
    let press = wecom.press("zhao.lei", &format!("acknowledged@{id}"), now(&app));
    assert_eq!(callback(&app, &press).await.status(), StatusCode::OK);
    wecom.wait_for(|w| w.updates().len(), 1).await;
    assert_eq!(wecom.token_requests(), 2);

    // Past its two hours the cache does not even try the old one.
    app.clock.advance(Duration::hours(2));
    let again = wecom.press("zhao.lei", &format!("acknowledged@{id}"), now(&app));
    assert_eq!(callback(&app, &again).await.status(), StatusCode::OK);
    wecom.wait_for(|w| w.sent().len(), 3).await;
    assert_eq!(wecom.token_requests(), 3);
}

async fn wecom_page(app: &TestApp, id: i64) -> Value {
    let pages = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
    pages.as_array().unwrap().iter().find(|p| p["channel"] == "wecom_app").cloned().expect("a WeCom page")
}

async fn a_rate_limit_waits_and_an_outage_falls_over_to_the_next_channel() {
    let wecom = FakeWecom::start(&["zhao.lei"]).await;
    wecom.fail_sends(&[45009]);
    let Some(app) = spawn(Backend::Sqlite, &wecom).await else { return };
    let Setup { app, wecom, hooks, assignment: id } = paged_on_wecom(app, wecom).await;
    let page = wecom_page(&app, id).await;
    assert_eq!(page["status"], "queued", "{page}");
    assert!(page["error"].as_str().unwrap().contains("45009"), "{page}");
    app.clock.advance(Duration::seconds(30));
    app.tick().await;
    assert!(wecom.sent().is_empty(), "not before WeCom's minute");
    app.clock.advance(Duration::seconds(40));
    app.tick().await;
    assert_eq!(wecom.sent().len(), 1);
    assert_eq!(wecom_page(&app, id).await["status"], "sent");

    // WeCom goes down; the reminder, sent only to the first channel, gives
    // up there and falls over to the engineer's webhook.
    let _ = hooks.take_names();
    wecom.set_down(true);
    reminder_falls_over_to_the_webhook(&app, &hooks, id).await;
}

async fn the_callback_url_check_echoes_and_an_unconfigured_callback_is_not_there() {
    let wecom = FakeWecom::start(&[]).await;
    let Some(app) = spawn(Backend::Sqlite, &wecom).await else { return };
    let query = Callback::url_check(now(&app), "1616140317555161061");
    let answer = app.client.get(app.url(&format!("/callbacks/wecom?{query}"))).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.text().await.unwrap(), "1616140317555161061");

    let Some(plain) = TestApp::spawn(Backend::Sqlite).await else { return };
    let answer = plain.client.get(plain.url(&format!("/callbacks/wecom?{query}"))).send().await.unwrap();
    let p = expect_problem(answer, StatusCode::NOT_FOUND).await;
    assert_eq!(p["detail_zh"], "此回调未配置");
}
