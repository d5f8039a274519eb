//! The DingTalk app, end to end against a fake DingTalk: a page goes out
//! from the app's robot as an ActionCard whose buttons open the action page
//! at each milestone, ending with its reply codes; a reply code sent to the
//! robot records the milestone as the person whose userid sent it and is
//! answered by the robot; forged, stale and foreign messages change
//! nothing; the token is fetched again when DingTalk refuses it; the QPS
//! limit and a person's flow control wait; an unreachable user and an
//! outage fall over; the event subscription is opened and answered.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::escalation::{engineer_first_on, paged_unit, reminder_falls_over_to_the_webhook};
use crate::fake_dingtalk::{CALLBACK_AES_KEY, CALLBACK_TOKEN, FakeDingtalk, RobotMessage, Scripted, Sent};
use crate::helpers::{Backend, TestApp, expect_json, expect_problem};
use crate::receiver::Receiver;

crate::tests! {
    backends: [
        a_page_is_an_action_card_and_a_reply_to_the_robot_records_the_milestone,
        forged_stale_and_foreign_messages_change_nothing,
    ],
    once: [
        the_token_is_fetched_again_limits_wait_and_an_unreachable_user_falls_over,
        the_event_subscription_is_opened_and_answered_with_an_encrypted_success,
    ],
}

const USERID: &str = "manager4220";

struct Setup {
    app: TestApp,
    dingtalk: FakeDingtalk,
    hooks: Receiver,
    unit: i64,
    assignment: i64,
}

/// A unit whose engineer 赵磊 is paged first on DingTalk, then on a
/// webhook, and one notice to it, paged.
async fn paged_on_dingtalk(backend: Backend, users: &[&str]) -> Option<Setup> {
    let dingtalk = FakeDingtalk::start(users).await;
    let app = TestApp::spawn_with(backend, |c| dingtalk.configure(c)).await?;
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    let engineer = engineer_first_on(&app, unit, "dingtalk_app", USERID).await;
    let body = json!({"kind": "webhook", "address": hooks.url("engineer")});
    expect_json(app.post(&format!("/api/v1/people/{engineer}/channels"), &body).await, StatusCode::CREATED).await;
    let assignment = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    Some(Setup { app, dingtalk, hooks, unit, assignment })
}

async fn post(app: &TestApp, message: &RobotMessage) -> reqwest::Response {
    let mut request = app.client.post(app.url("/callbacks/dingtalk")).header("content-type", "application/json");
    for (name, value) in message.headers() {
        request = request.header(name, value);
    }
    request.body(message.body.to_string()).send().await.unwrap()
}

fn now_ms(app: &TestApp) -> i64 {
    use onsite::domain::clock::Clock;
    app.clock.now().timestamp_millis()
}

async fn timeline(app: &TestApp, id: i64) -> Vec<Value> {
    app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await.as_array().unwrap().clone()
}

/// Waits (briefly) for the robot's `n`th text to `to`, which the door
/// sends after it answered.
async fn told(dingtalk: &FakeDingtalk, to: &str, n: usize) -> String {
    for _ in 0..100 {
        let texts: Vec<Sent> =
            dingtalk.sent().into_iter().filter(|s| s.to == to && s.msg_key == "sampleText").collect();
        if let Some(s) = texts.get(n - 1) {
            return s.param["content"].as_str().unwrap().to_owned();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the robot told {to} nothing: {:?}", dingtalk.sent());
}

async fn a_page_is_an_action_card_and_a_reply_to_the_robot_records_the_milestone(backend: Backend) {
    let Some(Setup { app, dingtalk, assignment: id, .. }) = paged_on_dingtalk(backend, &[USERID]).await else {
        return;
    };
    let sent = dingtalk.sent();
    assert_eq!(sent.len(), 1, "one card, to the engineer: {sent:?}");
    assert_eq!((sent[0].to.as_str(), sent[0].msg_key.as_str()), (USERID, "sampleActionCard4"));
    let card = &sent[0].param;
    assert!(card["title"].as_str().unwrap().contains("某门户网站首页被篡改"), "{card}");
    let text = card["text"].as_str().unwrap();
    assert!(text.contains("回复 Reply: 1A 已接收，1P 启动应急支撑方案，1S 到达现场，1H 总部远程支撑"), "{text}");
    let titles: Vec<&str> = (1..=4).map(|k| card[format!("actionTitle{k}")].as_str().unwrap()).collect();
    assert_eq!(titles, ["确认接收", "已启动应急方案", "已到达现场", "总部远程支撑"]);
    let on_site = card["actionURL3"].as_str().unwrap();
    let (link, milestone) = on_site.split_once('#').unwrap();
    assert_eq!(milestone, "m-on_site");
    assert!(link.starts_with(&format!("{}/a/", app.state.config.http.public_url)), "{link}");

    // The button opens the phone page at that milestone's button.
    let token = link.rsplit_once("/a/").unwrap().1;
    let page = app.client.get(app.url(&format!("/a/{token}"))).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(r#"id="m-on_site""#));

    // 赵磊 sends the robot "1a": recorded as him, from DingTalk, and answered.
    let message = dingtalk.message(USERID, " 1a ", now_ms(&app));
    assert_eq!(expect_json(post(&app, &message).await, StatusCode::OK).await, json!({}));
    let events = timeline(&app, id).await;
    let ack = events.iter().find(|e| e["kind"] == "acknowledged").expect("acknowledged").clone();
    assert_eq!((ack["source"].as_str(), ack["actor"].as_str()), (Some("dingtalk"), Some("赵磊")));
    let answer = told(&dingtalk, USERID, 1).await;
    assert!(
        answer.contains("已记录：已接收（1号派单）") && answer.contains("Recorded: Acknowledged (page 1)"),
        "{answer}"
    );

    // DingTalk delivers the same message again: taken once.
    let before = timeline(&app, id).await.len();
    assert_eq!(expect_json(post(&app, &message).await, StatusCode::OK).await, json!({}));
    assert_eq!(timeline(&app, id).await.len(), before);

    // On site before the plan is refused, and he is told why.
    let site = dingtalk.message(USERID, "1S", now_ms(&app));
    expect_json(post(&app, &site).await, StatusCode::OK).await;
    assert!(told(&dingtalk, USERID, 2).await.contains("启动应急支撑方案"));
    let a = app.get_ok(&format!("/api/v1/assignments/{id}")).await;
    assert!(a["milestones"]["on_site_at"].is_null(), "{a}");
}

async fn forged_stale_and_foreign_messages_change_nothing(backend: Backend) {
    let Some(Setup { app, dingtalk, assignment: id, .. }) = paged_on_dingtalk(backend, &[USERID, "stranger01"]).await
    else {
        return;
    };
    let before = timeline(&app, id).await.len();

    let mut forged = dingtalk.message(USERID, "1A", now_ms(&app));
    forged.secret = "guessed".into();
    let p = expect_problem(post(&app, &forged).await, StatusCode::FORBIDDEN).await;
    assert_eq!(p["detail_zh"], "签名不匹配");
    let stale = dingtalk.message(USERID, "1A", now_ms(&app) - 10 * 60 * 1000);
    expect_problem(post(&app, &stale).await, StatusCode::BAD_REQUEST).await;
    let mut other_robot = dingtalk.message(USERID, "1A", now_ms(&app));
    other_robot.body["robotCode"] = json!("dingotherrobot000000");
    expect_problem(post(&app, &other_robot).await, StatusCode::FORBIDDEN).await;
    let unsigned = app.client.post(app.url("/callbacks/dingtalk")).json(&forged.body).send().await.unwrap();
    expect_problem(unsigned, StatusCode::BAD_REQUEST).await;
    assert_eq!(timeline(&app, id).await.len(), before, "nothing recorded");

    // Someone who is nobody's channel, a number no page carried, and words
    // that are no code: each is told why, and nothing is recorded.
    expect_json(post(&app, &dingtalk.message("stranger01", "1A", now_ms(&app))).await, StatusCode::OK).await;
    assert!(told(&dingtalk, "stranger01", 1).await.contains("未登记为任何支撑单位人员的接收渠道"));
    expect_json(post(&app, &dingtalk.message(USERID, "9A", now_ms(&app))).await, StatusCode::OK).await;
    assert!(told(&dingtalk, USERID, 1).await.contains("没有发给你的派单使用此编号"));
    expect_json(post(&app, &dingtalk.message(USERID, "收到", now_ms(&app))).await, StatusCode::OK).await;
    assert!(told(&dingtalk, USERID, 2).await.contains("This reply is not recognised"));
    assert_eq!(timeline(&app, id).await.len(), before, "nothing recorded");
    assert!(app.get_ok(&format!("/api/v1/assignments/{id}")).await["milestones"]["acknowledged_at"].is_null());
}

async fn dingtalk_page(app: &TestApp, id: i64) -> Value {
    let pages = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
    pages.as_array().unwrap().iter().find(|p| p["channel"] == "dingtalk_app").cloned().expect("a DingTalk page")
}

async fn issued(app: &TestApp, unit: i64) -> i64 {
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    id
}

async fn the_token_is_fetched_again_limits_wait_and_an_unreachable_user_falls_over() {
    let Some(Setup { app, dingtalk, hooks, unit, assignment }) = paged_on_dingtalk(Backend::Sqlite, &[USERID]).await
    else {
        return;
    };
    assert_eq!(dingtalk.token_requests(), 1);

    // DingTalk refuses the cached token: a new one is fetched once.
    dingtalk.expire_tokens();
    issued(&app, unit).await;
    assert_eq!((dingtalk.sent().len(), dingtalk.token_requests()), (2, 2));

    // The QPS limit waits a second (and the outbox's first backoff); a
    // person's flow control a minute.
    dingtalk.script(&[Scripted::QpsLimit]);
    let limited = issued(&app, unit).await;
    let page = dingtalk_page(&app, limited).await;
    assert_eq!(page["status"], "queued", "{page}");
    assert!(page["error"].as_str().unwrap().contains("QpsLimitForApi"), "{page}");
    app.clock.advance(Duration::seconds(3));
    app.tick().await;
    assert_eq!(dingtalk_page(&app, limited).await["status"], "sent");
    dingtalk.script(&[Scripted::FlowControlled]);
    let controlled = issued(&app, unit).await;
    app.clock.advance(Duration::seconds(30));
    app.tick().await;
    assert_eq!(dingtalk_page(&app, controlled).await["status"], "queued", "still waiting out the minute");
    app.clock.advance(Duration::seconds(40));
    app.tick().await;
    assert_eq!(dingtalk_page(&app, controlled).await["status"], "sent");
    assert_eq!(dingtalk.sent().len(), 4);

    // DingTalk is down: the reminders fall over to the webhook.
    let _ = hooks.take_names();
    dingtalk.set_down(true);
    reminder_falls_over_to_the_webhook(&app, &hooks, assignment).await;

    // A userid the robot cannot reach falls over at once.
    let Some(Setup { app, hooks, assignment, .. }) = paged_on_dingtalk(Backend::Sqlite, &[]).await else { return };
    let page = dingtalk_page(&app, assignment).await;
    assert_eq!(page["status"], "failed", "{page}");
    assert!(page["error"].as_str().unwrap().contains("cannot receive this robot"), "{page}");
    app.tick().await;
    assert!(hooks.take_names().contains(&"engineer".to_owned()));
}

async fn the_event_subscription_is_opened_and_answered_with_an_encrypted_success() {
    let dingtalk = FakeDingtalk::start(&[USERID]).await;
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |c| dingtalk.configure(c)).await else { return };
    let send = |app: &TestApp, query: &str, body: String| {
        let url = app.url(&format!("/callbacks/dingtalk?{query}"));
        app.client.post(url).header("content-type", "application/json").body(body).send()
    };
    let (query, body) = FakeDingtalk::event(&json!({ "EventType": "check_url" }), now_ms(&app));
    let answer = expect_json(send(&app, &query, body.clone()).await.unwrap(), StatusCode::OK).await;
    let crypt =
        onsite::notify::msg_crypt::MsgCrypt::new(CALLBACK_TOKEN, CALLBACK_AES_KEY, crate::fake_dingtalk::APP_KEY)
            .unwrap();
    let field = |k: &str| answer[k].as_str().unwrap().to_owned();
    let opened = crypt.open(&field("msg_signature"), &field("timeStamp"), &field("nonce"), &field("encrypt"));
    assert_eq!(opened.unwrap(), "success", "{answer}");

    let tampered = query.replacen("msg_signature=", "msg_signature=0", 1);
    expect_problem(send(&app, &tampered, body).await.unwrap(), StatusCode::FORBIDDEN).await;
    let (stale, body) = FakeDingtalk::event(&json!({ "EventType": "check_url" }), now_ms(&app) - 10 * 60 * 1000);
    expect_problem(send(&app, &stale, body).await.unwrap(), StatusCode::BAD_REQUEST).await;

    // Without the subscription's keys the robot's door stays, the events' not.
    let Some(robot_only) = TestApp::spawn_with(Backend::Sqlite, |c| {
        dingtalk.configure(c);
        c.dingtalk.callback_token = None;
        c.dingtalk.callback_aes_key = None;
    })
    .await
    else {
        return;
    };
    let (query, body) = FakeDingtalk::event(&json!({ "EventType": "check_url" }), now_ms(&robot_only));
    let p = expect_problem(send(&robot_only, &query, body).await.unwrap(), StatusCode::NOT_FOUND).await;
    assert_eq!(p["detail_zh"], "此回调未配置");
    let message = dingtalk.message("stranger", "1A", now_ms(&robot_only));
    expect_json(post(&robot_only, &message).await, StatusCode::OK).await;
}
