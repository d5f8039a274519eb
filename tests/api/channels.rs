//! The chat robots and the SMS gateway as paging channels, against a local
//! receiver: their formats, their signatures, and their error codes.

use onsite::notify::robots::{dingtalk_sign, feishu_sign};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, expect_json, t0};
use crate::receiver::{Answer, Receiver};

crate::tests! {
    once: [
        robots_and_sms_get_their_own_formats_and_signatures,
        markup_typed_into_a_notice_is_not_rendered_by_the_robots,
        no_reader_sees_a_credential_of_a_channel_address,
        a_robot_error_code_is_a_failure_and_its_rate_limit_a_retry,
        the_generic_webhook_is_signed_over_its_exact_body,
    ],
}

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
    assert!(shown[0]["address"].as_str().unwrap().ends_with("?access_token=***#***"), "{shown}");
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

/// A title typed with markdown or HTML arrives in the WeCom and DingTalk
/// groups as typed: the only live link is the page's own action link.
async fn markup_typed_into_a_notice_is_not_rendered_by_the_robots() {
    let hooks = Receiver::start().await;
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let unit = expect_json(app.post("/api/v1/units", &json!({"name": "安盾"})).await, StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    person_with(&app, unit, "赵磊", "engineer", &[("wecom", hooks.url("wecom") + "?key=K1")]).await;
    person_with(&app, unit, "王敏", "liaison", &[("dingtalk", hooks.url("ding") + "?access_token=T1")]).await;
    let mut body = crate::helpers::notice_body(&[unit], true);
    body["title"] = "[立即点击核实](http://evil.example/login) <font color=\"warning\">已撤销</font>".into();
    body["site"]["address"] = "**假地址** ![x](http://evil.example/x.png)".into();
    expect_json(app.post("/api/v1/notices", &body).await, StatusCode::CREATED).await;
    app.tick().await;
    let got = hooks.received();
    for (name, text) in [
        ("wecom", got.iter().find(|r| r.name == "wecom").unwrap().body["markdown"]["content"].clone()),
        ("ding", got.iter().find(|r| r.name == "ding").unwrap().body["markdown"]["text"].clone()),
    ] {
        let text = text.as_str().unwrap();
        assert!(!text.contains("](http://evil") && !text.contains("<font"), "{name} renders typed markup: {text}");
        assert!(text.contains("\\[立即点击核实\\]\\(http://evil.example/login\\)"), "{name}: {text}");
        assert!(text.contains("&lt;font color=\"warning\"&gt;") && text.contains("\\*\\*假地址"), "{name}: {text}");
        let links: Vec<&str> = text.split("](").skip(1).collect();
        assert_eq!(links.len(), 1, "{name}: one link: {text}");
        assert!(links[0].starts_with(&format!("{}/a/", app.state.config.http.public_url)), "{name}: {text}");
    }
}

/// Whoever holds a robot's key or token, or a webhook's credentials, can post
/// false pages into the group: no reader ever gets one back, whatever the role.
async fn no_reader_sees_a_credential_of_a_channel_address() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let unit = app.unit_with_people("安盾").await;
    let credentials = ["WECOMKEY77", "DINGTOKEN88", "DINGSECRET99", "hunter2", "HOOKTOKEN55", "FEISHUPATHTOKEN0042"];
    let addresses = [
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=WECOMKEY77".to_owned()),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=DINGTOKEN88#secret=DINGSECRET99".to_owned()),
        ("webhook", "https://ops:hunter2@hooks.example/onsite?token=HOOKTOKEN55".to_owned()),
        ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/FEISHUPATHTOKEN0042".to_owned()),
    ];
    let person = unit.people[0];
    for (kind, address) in &addresses {
        let created = expect_json(
            app.post(&format!("/api/v1/people/{person}/channels"), &json!({"kind": kind, "address": address})).await,
            StatusCode::CREATED,
        )
        .await;
        let shown = created["address"].as_str().unwrap();
        assert!(credentials.iter().all(|c| !shown.contains(c)), "not even its writer reads it back: {shown}");
    }
    let manager = app.user_token("boss", onsite::domain::access::UserRole::Manager, None).await;
    let unit_user = app.user_token("andun", onsite::domain::access::UserRole::Unit, Some(unit.id)).await;
    for token in [&app.token, &manager, &unit_user] {
        let body = app.get_as(token, &format!("/api/v1/people/{person}/channels")).await.text().await.unwrap();
        assert!(body.contains("send?key=***") && body.contains("access_token=***#***"), "{body}");
        assert!(body.contains("https://***@hooks.example/onsite?token=***"), "{body}");
        assert!(body.contains("/open-apis/bot/v2/hook/***"), "{body}");
        for secret in credentials {
            assert!(!body.contains(secret), "{secret} leaked: {body}");
        }
    }
    for name in ["boss", "andun", "duty"] {
        let (status, page) = crate::web::Web::sign_in(&app, name).await.get(&format!("/units/{}", unit.id)).await;
        assert_eq!(status, StatusCode::OK, "{name}");
        assert!(page.contains("send?key=***"), "{name}: {page}");
        for secret in credentials {
            assert!(!page.contains(secret), "{secret} shown to {name} on the unit page");
        }
    }
}

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

async fn the_generic_webhook_is_signed_over_its_exact_body() {
    let hooks = Receiver::start().await;
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.notify.webhook_secret = Some(secrecy::SecretString::from("whsec-test-0123456789abcdefghijklmnop"));
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
    assert!(
        onsite::notify::webhook::verify("whsec-test-0123456789abcdefghijklmnop", got.raw.as_bytes(), signature),
        "{signature}"
    );
    assert!(!onsite::notify::webhook::verify("another secret", got.raw.as_bytes(), signature));
    assert_eq!(got.body["page"]["assignment_id"], id);
    assert_eq!(got.body["page"]["reason"], "dispatch");
    assert!(got.body["title"].as_str().unwrap().starts_with("【应急响应派单】"));
    assert!(got.idempotency_key.starts_with(&format!("a{id}:dispatch:")));
}
