//! "Send a test page" (发送测试呼叫), on the API and on a unit's page: the
//! message goes out at once and the answer says what the provider did with
//! it: sent with its id (a call placed through the fake voice gateway),
//! refused and why (the channel then marked broken), never falling over to
//! the person's other channels; a manager may not send one.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::escalation::{engineer_first_on, paged_unit};
use crate::fake_voice::FakeVoice;
use crate::helpers::{Backend, TestApp, expect_json, expect_problem};
use crate::receiver::{Answer, Receiver};
use crate::web::Web;

crate::tests! {
    backends: [
        a_test_page_goes_out_at_once_with_the_providers_answer,
    ],
    once: [
        the_units_page_sends_a_test_page_and_shows_the_answer,
    ],
}

const PHONE: &str = "+8613800138000";

async fn channels_of(app: &TestApp, person: i64) -> Vec<Value> {
    app.get_ok(&format!("/api/v1/people/{person}/channels")).await.as_array().unwrap().clone()
}

async fn a_test_page_goes_out_at_once_with_the_providers_answer(backend: Backend) {
    let voice = FakeVoice::start().await;
    let Some(app) = TestApp::spawn_with(backend, |c| voice.configure(c)).await else { return };
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    let engineer = engineer_first_on(&app, unit, "voice", PHONE).await;
    let phone = channels_of(&app, engineer).await[0]["id"].as_i64().unwrap();

    // The call is placed while the request waits; the answer carries its id.
    let sent = expect_json(app.post(&format!("/api/v1/channels/{phone}/test"), &json!({})).await, StatusCode::OK).await;
    let calls = voice.calls();
    assert_eq!(calls.len(), 1);
    assert!(calls[0].params["title"].as_str().unwrap().starts_with("【测试呼叫】"), "{:?}", calls[0]);
    assert_eq!(sent["provider_message_id"].as_str(), Some(calls[0].id.as_str()), "{sent}");
    let page = &sent["page"];
    assert_eq!((page["status"].as_str(), page["reason"].as_str()), (Some("sent"), Some("test")), "{page}");
    assert_eq!(page["assignment_id"], Value::Null);

    // A webhook that refuses for good: the answer says so, the channel is
    // marked broken, and no other channel of the person is tried.
    let body = json!({"kind": "webhook", "address": hooks.url("gone")});
    let hook = expect_json(app.post(&format!("/api/v1/people/{engineer}/channels"), &body).await, StatusCode::CREATED)
        .await["id"]
        .as_i64()
        .unwrap();
    hooks.always("gone", Answer::Status(404));
    let refused =
        expect_json(app.post(&format!("/api/v1/channels/{hook}/test"), &json!({})).await, StatusCode::OK).await;
    let page = &refused["page"];
    assert_eq!((page["status"].as_str(), page["error_code"].as_str()), (Some("failed"), Some("rejected")), "{page}");
    assert!(page["error"].as_str().unwrap().contains("404"), "the provider's words: {page}");
    app.tick().await;
    assert_eq!(voice.calls().len(), 1, "a test page does not fall over to the phone");
    assert!(hooks.take_names().is_empty(), "nobody else is paged");
    let broken = channels_of(&app, engineer).await.into_iter().find(|c| c["id"] == hook).unwrap();
    assert_eq!(broken["status"], "broken", "{broken}");

    // A manager reads channels but may not page through them; a channel
    // that is not there is 404.
    let manager = app.user_token("boss", onsite::domain::access::UserRole::Manager, None).await;
    let denied = app.post_as(&manager, &format!("/api/v1/channels/{phone}/test"), &json!({})).await;
    expect_problem(denied, StatusCode::FORBIDDEN).await;
    expect_problem(app.post("/api/v1/channels/999999/test", &json!({})).await, StatusCode::NOT_FOUND).await;
    assert_eq!(voice.calls().len(), 1);
}

async fn the_units_page_sends_a_test_page_and_shows_the_answer() {
    let app = TestApp::spawn_with(Backend::Sqlite, |_| {}).await.expect("sqlite app");
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    let engineer = engineer_first_on(&app, unit, "webhook", &hooks.url("first")).await;
    let first = channels_of(&app, engineer).await[0]["id"].as_i64().unwrap();
    let web = Web::sign_in(&app, "duty").await;
    let (status, html) = web.get(&format!("/units/{unit}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("/channels/{first}/test")) && html.contains("发送测试"), "a button per channel");

    let (status, _, html) = web.post(&format!("/channels/{first}/test"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("测试呼叫已发出") && html.contains("赵磊"), "{html}");
    let received = hooks.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].body["text"].as_str().unwrap().contains("这是一条测试消息"), "{:?}", received[0].body);

    hooks.always("first", Answer::Status(500));
    let (_, _, html) = web.post(&format!("/channels/{first}/test"), &[]).await;
    assert!(html.contains("测试呼叫暂未送达，稍后重试") && html.contains("发送服务暂时不可用"), "{html}");
}
