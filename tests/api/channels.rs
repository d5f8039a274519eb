//! The chat robots and the SMS gateway as paging channels, against a local
//! receiver: their formats, their signatures, and their error codes.

use onsite::notify::robots::{dingtalk_sign, feishu_sign};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, expect_json, t0};
use crate::receiver::{Answer, Receiver};

async fn person_with(app: &TestApp, unit: i64, name: &str, role: &str, channels: &[(&str, String)]) -> i64 {
    let p = expect_json(
        app.post(&format!("/api/v1/units/{unit}/people"), &json!({"name": name, "role": role})).await,
        StatusCode::CREATED,
    )
    .await;
    for (kind, address) in channels {
        expect_json(
            app.post(&format!("/api/v1/people/{}/channels", p["id"]), &json!({"kind": kind, "address": address})).await,
            StatusCode::CREATED,
        )
        .await;
    }
    p["id"].as_i64().unwrap()
}

fn query(r: &crate::receiver::Received, key: &str) -> String {
    r.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_and_sms_get_their_own_formats_and_signatures() {
    let hooks = Receiver::start().await;
    let sms_url = hooks.url("sms");
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |c| c.notify.sms_url = Some(sms_url)).await else { return };
    let unit = expect_json(app.post("/api/v1/units", &json!({"name": "安盾"})).await, StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    person_with(&app, unit, "赵磊", "engineer", &[("wecom", hooks.url("wecom") + "?key=K1")]).await;
    person_with(&app, unit, "钱多", "engineer", &[("feishu", hooks.url("feishu") + "#secret=FS")]).await;
    person_with(
        &app,
        unit,
        "王敏",
        "liaison",
        &[("dingtalk", hooks.url("ding") + "?access_token=T1#secret=SECd"), ("sms", "+8613800000001".into())],
    )
    .await;
    let people = app.get_ok(&format!("/api/v1/units/{unit}/people")).await;
    let liaison = people.as_array().unwrap().iter().find(|p| p["role"] == "liaison").unwrap()["id"].clone();
    let shown = app.get_ok(&format!("/api/v1/people/{liaison}/channels")).await;
    assert!(shown[0]["address"].as_str().unwrap().ends_with("#secret=***"), "{shown}");
    let notice = app.issue(&[unit], true).await;
    app.tick().await;
    let got = hooks.received();
    let by =
        |name: &str| got.iter().find(|r| r.name == name).unwrap_or_else(|| panic!("{name} not paged: {got:?}")).clone();
    let title = notice["title"].as_str().unwrap();

    let wecom = by("wecom");
    assert_eq!(query(&wecom, "key"), "K1");
    assert_eq!(wecom.body["msgtype"], "markdown");
    assert!(wecom.body["markdown"]["content"].as_str().unwrap().starts_with(&format!("**【应急响应派单】{title}")));

    let ding = by("ding");
    let ts = t0().timestamp_millis();
    assert_eq!(query(&ding, "access_token"), "T1");
    assert_eq!(query(&ding, "timestamp"), ts.to_string());
    assert_eq!(query(&ding, "sign"), dingtalk_sign(ts, "SECd"));
    assert_eq!(
        ding.body["markdown"]["title"],
        format!("【应急响应派单】{title} / [Emergency-response dispatch] {title}")
    );

    let feishu = by("feishu");
    assert_eq!(feishu.body["timestamp"], t0().timestamp().to_string());
    assert_eq!(feishu.body["sign"], feishu_sign(t0().timestamp(), "FS"));
    assert_eq!(feishu.body["msg_type"], "text");

    let sms = by("sms");
    assert_eq!(sms.body["to"], "+8613800000001");
    let text = sms.body["text"].as_str().unwrap();
    assert!(text.starts_with("【应急响应派单】") && !text.contains("Emergency"), "{text}");
    assert!(text.contains("/a/"), "the SMS keeps its action link: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_robot_error_code_is_a_failure_and_its_rate_limit_a_retry() {
    let hooks = Receiver::start().await;
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let unit = expect_json(app.post("/api/v1/units", &json!({"name": "安盾"})).await, StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    let bad = person_with(&app, unit, "赵磊", "engineer", &[("dingtalk", hooks.url("ding") + "?access_token=T")]).await;
    person_with(&app, unit, "王敏", "liaison", &[("wecom", hooks.url("wecom"))]).await;
    hooks.script("ding", &[Answer::Body(r#"{"errcode":310000,"errmsg":"sign not match"}"#)]);
    hooks.script("wecom", &[Answer::Body(r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#)]);
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    let pages: Value = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
    let page = |who: &str| pages.as_array().unwrap().iter().find(|p| p["recipient"] == who).unwrap().clone();
    assert_eq!(page("赵磊")["status"], "failed");
    assert!(page("赵磊")["error"].as_str().unwrap().contains("310000"));
    assert_eq!(app.get_ok(&format!("/api/v1/people/{bad}/channels")).await[0]["status"], "broken");
    assert_eq!(page("王敏")["status"], "queued", "a rate limit is retried");
    assert_eq!(page("王敏")["next_attempt_at"], "2026-11-25T03:01:00+08:00");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generic_webhook_is_signed_over_its_exact_body() {
    let hooks = Receiver::start().await;
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.notify.webhook_secret = Some(secrecy::SecretString::from("whsec-test"));
    })
    .await
    else {
        return;
    };
    let unit = expect_json(app.post("/api/v1/units", &json!({"name": "安盾"})).await, StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    person_with(&app, unit, "赵磊", "engineer", &[("webhook", hooks.url("generic"))]).await;
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    let got = hooks.received().into_iter().find(|r| r.name == "generic").unwrap();
    let signature = got.signature.as_deref().expect("a signed page");
    assert!(onsite::notify::webhook::verify("whsec-test", got.raw.as_bytes(), signature), "{signature}");
    assert!(!onsite::notify::webhook::verify("another secret", got.raw.as_bytes(), signature));
    assert_eq!(got.body["page"]["assignment_id"], id);
    assert_eq!(got.body["page"]["reason"], "dispatch");
    assert!(got.body["title"].as_str().unwrap().starts_with("【应急响应派单】"));
    assert!(got.idempotency_key.starts_with(&format!("a{id}:dispatch:")));
}
