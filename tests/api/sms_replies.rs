//! SMS replies end to end: a page by SMS carries its reply codes; the
//! engineer's reply, forwarded signed by the gateway, records the milestone
//! as the person the number is and is answered by SMS; wrong, foreign,
//! expired and unsigned replies change nothing and say why. The gateway's
//! delivery reports to the same door mark a page delivered, or fail it and
//! fall over to the next channel.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::escalation::{engineer_first_on, paged_unit};
use crate::helpers::{Backend, TestApp, expect_json, expect_problem};
use crate::receiver::Receiver;

crate::tests! {
    backends: [
        a_reply_code_records_its_milestone_as_the_person_and_is_answered,
    ],
    once: [
        wrong_foreign_expired_and_unsigned_replies_change_nothing,
        delivery_reports_mark_pages_delivered_and_an_undelivered_sms_falls_over,
    ],
}

const SECRET: &str = "reply-secret-shared-with-the-sms-gateway-0123456789";
const PHONE: &str = "+8613800138000";

struct Setup {
    app: TestApp,
    hooks: Receiver,
    unit: i64,
    assignment: i64,
}

async fn paged_by_sms(backend: Backend) -> Option<Setup> {
    let hooks = Receiver::start().await;
    let sms_url = hooks.url("sms");
    let app = TestApp::spawn_with(backend, |c| {
        c.notify.sms_url = Some(sms_url);
        c.sms.reply_secret = Some(secrecy::SecretString::from(SECRET));
    })
    .await?;
    let unit = paged_unit(&app, &hooks).await;
    engineer_first_on(&app, unit, "sms", PHONE).await;
    let assignment = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    Some(Setup { app, hooks, unit, assignment })
}

/// The texts the gateway was asked to send, in order: (to, text).
fn texts(hooks: &Receiver) -> Vec<(String, String)> {
    hooks
        .received()
        .into_iter()
        .filter(|r| r.name == "sms")
        .map(|r| (r.body["to"].as_str().unwrap().to_owned(), r.body["text"].as_str().unwrap().to_owned()))
        .collect()
}

fn now(app: &TestApp) -> i64 {
    use onsite::domain::clock::Clock;
    app.clock.now().timestamp()
}

/// A reply as the gateway forwards it, signed at `ts`.
async fn forward(app: &TestApp, body: &Value, ts: i64, secret: &str) -> reqwest::Response {
    crate::fake_voice::gateway_forward(&app.url("/callbacks/sms"), body.to_string(), ts, secret).await
}

fn reply(mobile: &str, text: &str, time: i64) -> Value {
    json!({ "mobile": mobile, "nationcode": "86", "text": text, "time": time, "sign": "onsite", "extend": "" })
}

async fn answered(app: &TestApp, mobile: &str, text: &str) -> Value {
    let t = now(app);
    expect_json(forward(app, &reply(mobile, text, t), t, SECRET).await, StatusCode::OK).await
}

async fn timeline(app: &TestApp, id: i64) -> Vec<Value> {
    app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await.as_array().unwrap().clone()
}

async fn a_reply_code_records_its_milestone_as_the_person_and_is_answered(backend: Backend) {
    let Some(Setup { app, hooks, unit, assignment: first }) = paged_by_sms(backend).await else { return };
    let sent = texts(&hooks);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, PHONE);
    assert!(
        sent[0].1.contains("回复 Reply: 1A 已接收，1P 启动应急支撑方案，1S 到达现场，1H 总部远程支撑"),
        "{}",
        sent[0].1
    );

    // 赵磊 texts back "1a" from his phone (the carrier drops the +86).
    let t = now(&app);
    let body = reply("13800138000", "1a", t);
    let answer = expect_json(forward(&app, &body, t, SECRET).await, StatusCode::OK).await;
    assert_eq!(answer["result"], 0);
    assert!(answer["reply"].as_str().unwrap().contains("已记录：已接收（1号派单）"), "{answer}");
    let events = timeline(&app, first).await;
    let ack = events.iter().find(|e| e["kind"] == "acknowledged").expect("acknowledged").clone();
    assert_eq!((ack["source"].as_str(), ack["actor"].as_str()), (Some("sms"), Some("赵磊")));
    let told = wait_for_texts(&hooks, 2).await;
    assert_eq!(told[1].0, "13800138000");
    assert!(told[1].1.contains("Recorded: Acknowledged (page 1)"), "{}", told[1].1);

    // The gateway forwards the same reply again: taken once, not answered twice.
    let before = timeline(&app, first).await.len();
    let again = expect_json(forward(&app, &body, t, SECRET).await, StatusCode::OK).await;
    assert!(again.get("reply").is_none(), "{again}");
    assert_eq!(timeline(&app, first).await.len(), before);

    // A second notice's page carries the next number, and each number
    // stands for its own assignment.
    let second = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    let sent = texts(&hooks);
    assert!(sent.last().unwrap().1.contains("2A 已接收"), "{sent:?}");
    let early = answered(&app, "13800138000", "2S").await;
    assert!(early["reply"].as_str().unwrap().contains("启动应急支撑方案"), "on site before the plan: {early}");
    answered(&app, "13800138000", "2a").await;
    let plan = answered(&app, "13800138000", "２Ｐ").await;
    assert!(plan["reply"].as_str().unwrap().contains("已记录：启动应急支撑方案（2号派单）"), "{plan}");
    let a2 = app.get_ok(&format!("/api/v1/assignments/{second}")).await;
    assert!(!a2["milestones"]["plan_activated_at"].is_null() && a2["milestones"]["on_site_at"].is_null(), "{a2}");
    // Every code of the line records its own milestone.
    let site = answered(&app, "13800138000", "2s").await;
    assert!(site["reply"].as_str().unwrap().contains("已记录：到达现场（2号派单）"), "{site}");
    let hq = answered(&app, "13800138000", " 2H ").await;
    assert!(hq["reply"].as_str().unwrap().contains("已记录：总部远程支撑（2号派单）"), "{hq}");
    let a2 = app.get_ok(&format!("/api/v1/assignments/{second}")).await;
    assert!(!a2["milestones"]["on_site_at"].is_null() && !a2["milestones"]["hq_remote_at"].is_null(), "{a2}");
    let a1 = app.get_ok(&format!("/api/v1/assignments/{first}")).await;
    assert!(a1["milestones"]["plan_activated_at"].is_null(), "the first is untouched: {a1}");
}

async fn wait_for_texts(hooks: &Receiver, count: usize) -> Vec<(String, String)> {
    for _ in 0..200 {
        let sent = texts(hooks);
        if sent.len() >= count {
            return sent;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the gateway never got {count} texts: {:?}", texts(hooks));
}

async fn wrong_foreign_expired_and_unsigned_replies_change_nothing() {
    let Some(Setup { app, hooks, assignment: id, .. }) = paged_by_sms(Backend::Sqlite).await else { return };
    let before = timeline(&app, id).await.len();

    let t = now(&app);
    let forged = forward(&app, &reply("13800138000", "1A", t), t, "not-the-secret-but-just-as-long-0123456789").await;
    let p = expect_problem(forged, StatusCode::FORBIDDEN).await;
    assert_eq!((p["code"].as_str(), p["detail_zh"].as_str()), (Some("signature"), Some("签名不匹配")));
    let old = forward(&app, &reply("13800138000", "1A", t - 600), t - 600, SECRET).await;
    assert_eq!(expect_problem(old, StatusCode::BAD_REQUEST).await["code"], "stale");
    let unsigned = app.client.post(app.url("/callbacks/sms")).body(reply("13800138000", "1A", t).to_string());
    assert_eq!(expect_problem(unsigned.send().await.unwrap(), StatusCode::BAD_REQUEST).await["code"], "stale");
    let garbage = forward(&app, &json!({"text": "1A"}), t, SECRET).await;
    assert_eq!(expect_problem(garbage, StatusCode::BAD_REQUEST).await["code"], "malformed");

    let cases = [
        ("13900000000", "1A", "未登记"),
        ("13800138000", "ok 收到", "例如 1A 表示确认接收"),
        ("13800138000", "9A", "没有发给你的派单使用此编号"),
    ];
    for (mobile, text, says) in cases {
        let answer = answered(&app, mobile, text).await;
        assert!(answer["reply"].as_str().unwrap().contains(says), "{text}: {answer}");
    }
    let told = wait_for_texts(&hooks, 4).await;
    assert_eq!(told[1].0, "13900000000", "the stranger is answered too");

    // A day later the number no longer answers.
    app.clock.advance(Duration::hours(25));
    let expired = answered(&app, "13800138000", "1A").await;
    assert!(expired["reply"].as_str().unwrap().contains("已过期"), "{expired}");
    let none = app.get_ok(&format!("/api/v1/assignments/{id}")).await;
    assert!(none["milestones"]["acknowledged_at"].is_null(), "{none}");
    let events = timeline(&app, id).await;
    assert!(!events[before..].iter().any(|e| e["source"] == "sms"), "nothing recorded from SMS: {events:?}");

    let Some(plain) = TestApp::spawn(Backend::Sqlite).await else { return };
    let t = now(&plain);
    let p =
        expect_problem(forward(&plain, &reply("13800138000", "1A", t), t, SECRET).await, StatusCode::NOT_FOUND).await;
    assert_eq!(p["detail_zh"], "此回调未配置");
}

async fn delivery_reports_mark_pages_delivered_and_an_undelivered_sms_falls_over() {
    let hooks = Receiver::start().await;
    let sms_url = hooks.url("sms");
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.notify.sms_url = Some(sms_url);
        c.notify.sms_template = r#"{"to":"{to}","text":"{text}","out_id":"{key}"}"#.into();
        c.sms.reply_secret = Some(secrecy::SecretString::from(SECRET));
    })
    .await
    else {
        return;
    };
    let unit = paged_unit(&app, &hooks).await;
    let engineer = engineer_first_on(&app, unit, "sms", PHONE).await;
    let body = json!({"kind": "webhook", "address": hooks.url("engineer")});
    expect_json(app.post(&format!("/api/v1/people/{engineer}/channels"), &body).await, StatusCode::CREATED).await;
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    let out_ids = || -> Vec<String> {
        let sms = hooks.received().into_iter().filter(|r| r.name == "sms");
        sms.map(|r| r.body["out_id"].as_str().unwrap().to_owned()).collect()
    };
    let report = |out_id: &str, success: bool, code: &str| {
        json!([{ "phone_number": "13800138000", "send_time": "2026-11-25 03:00:00", "report_time": "2026-11-25 03:00:07",
                 "success": success, "err_code": code, "err_msg": if success { "用户接收成功" } else { "用户停机" },
                 "sms_size": "1", "biz_id": "932702304080415357^0", "out_id": out_id }])
    };
    let sms_page = || async {
        let pages = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
        pages.as_array().unwrap().iter().filter(|p| p["channel"] == "sms").cloned().collect::<Vec<Value>>()
    };

    // The dispatch's SMS arrived: its page says so, with when.
    let dispatch = out_ids()[0].clone();
    app.clock.advance(Duration::seconds(10));
    let t = now(&app);
    let answer =
        expect_json(forward(&app, &report(&dispatch, true, "DELIVERED"), t, SECRET).await, StatusCode::OK).await;
    assert_eq!(answer["results"], json!(["delivered"]), "{answer}");
    let page = sms_page().await[0].clone();
    assert_eq!(
        (page["receipt"].as_str(), page["receipt_at"].as_str()),
        (Some("delivered"), Some("2026-11-25T03:00:07+08:00"))
    );
    let unknown =
        expect_json(forward(&app, &report("not-ours", true, "DELIVERED"), t, SECRET).await, StatusCode::OK).await;
    assert_eq!(unknown["results"], json!(["unknown_page"]));

    // The reminder goes to his first channel only; the carrier reports it
    // undelivered (phone out of service): it falls over to his webhook.
    app.clock.advance(Duration::minutes(11));
    app.tick().await;
    let reminder = out_ids().last().unwrap().clone();
    assert_ne!(reminder, dispatch);
    hooks.take_names();
    let t = now(&app);
    let failed =
        expect_json(forward(&app, &report(&reminder, false, "MOBILE_NOT_ON_SERVICE"), t, SECRET).await, StatusCode::OK)
            .await;
    assert_eq!(failed["results"], json!(["undelivered"]));
    app.tick().await;
    assert_eq!(hooks.take_names(), ["engineer"], "fell over to the webhook");
    let events = timeline(&app, id).await;
    let fell_over = events.iter().find(|e| e["kind"] == "page_fallback").expect("a fall-over on the timeline");
    assert_eq!(fell_over["data"]["failure"], "undelivered", "{fell_over}");
    // The same report again, or a late "delivered" for a failed page, changes nothing.
    let again =
        expect_json(forward(&app, &report(&reminder, false, "MOBILE_NOT_ON_SERVICE"), t, SECRET).await, StatusCode::OK)
            .await;
    assert_eq!(again["results"], json!(["noted"]));
    let late = expect_json(forward(&app, &report(&reminder, true, "DELIVERED"), t, SECRET).await, StatusCode::OK).await;
    assert_eq!(late["results"], json!(["noted"]));
    app.tick().await;
    assert!(hooks.take_names().is_empty());
}
