//! The bot inside the real `onsite` process: its poller reads a fake Telegram
//! on loopback, stores updates durably and acts on them.

#[path = "support/fake_telegram.rs"]
mod fake_telegram;
#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/process.rs"]
mod process;
#[path = "support/trials.rs"]
mod trials;

use std::time::{Duration, Instant};

use fake_telegram::{FakeTelegram, Sent};
use process::{Server, bureau_token, onsite, sqlite_url};
use serde_json::{Value, json};

async fn wait_for_sent(fake: &FakeTelegram, what: &str, mut pred: impl FnMut(&Sent) -> bool) -> Sent {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut seen = Vec::new();
    loop {
        seen.extend(fake.take_sent());
        if let Some(found) = seen.iter().find(|s| pred(s)) {
            return found.clone();
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}; sent: {seen:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// POSTs JSON with the bureau's token and returns the JSON answer.
async fn post_json(server: &Server, token: &str, path: &str, body: Value) -> Value {
    let client = reqwest::Client::new();
    client
        .post(format!("{}{path}", server.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A unit with one engineer, and a link code for the engineer.
async fn engineer_code(server: &Server, token: &str) -> (Value, String) {
    let unit = post_json(server, token, "/api/v1/units", json!({"name": "安盾"})).await;
    let path = format!("/api/v1/units/{}/people", unit["id"]);
    let person = post_json(server, token, &path, json!({"name": "赵磊", "role": "engineer"})).await;
    let code = post_json(server, token, &format!("/api/v1/people/{}/telegram-link", person["id"]), json!({})).await;
    (unit, code["code"].as_str().unwrap().to_owned())
}

/// The webhook secret the tests configure (long enough to be accepted).
const HOOK_SECRET: &str = "hook-secret-0123456789abcdefghijklmnop";

async fn the_served_bot_links_a_chat_delivers_a_page_and_records_a_press() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let token = bureau_token(dir.path(), &url);
    let fake = FakeTelegram::start().await;
    let mut cmd = onsite(dir.path(), &url);
    cmd.env("ONSITE_TELEGRAM__TOKEN", fake_telegram::TOKEN)
        .env("ONSITE_TELEGRAM__API_URL", &fake.url)
        .env("ONSITE_TELEGRAM__POLL_TIMEOUT", "1s")
        .arg("serve");
    let server = Server::start(cmd);
    let client = reqwest::Client::new();
    let (unit, code) = engineer_code(&server, &token).await;
    fake.text(5551, &format!("/start {code}"), None);
    wait_for_sent(&fake, "the link confirmation", |s| s.text.starts_with("绑定成功")).await;

    let notice = post_json(
        &server,
        &token,
        "/api/v1/notices",
        json!({
            "title": "钓鱼网站", "category": "phishing", "severity": "III",
            "target": {"name": "某银行", "kind": "other"}, "site": {"address": "重庆市江北区"},
            "description": "仿冒网银", "unit_ids": [unit["id"]],
        }),
    )
    .await;
    let id = notice["assignments"][0]["id"].as_i64().unwrap();
    let page = wait_for_sent(&fake, "the page", |s| s.chat_id == 5551 && s.text.starts_with("【应急响应派单】")).await;

    fake.press(5551, &page.message, &format!("m:ack:{id}"));
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let a: Value = client
            .get(format!("{}/api/v1/assignments/{id}", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if !a["milestones"]["acknowledged_at"].is_null() {
            break;
        }
        assert!(Instant::now() < deadline, "the press was not recorded: {a}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(server.stop().success());
}

async fn in_webhook_mode_updates_come_through_the_signed_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let token = bureau_token(dir.path(), &url);
    let fake = FakeTelegram::start().await;
    let mut cmd = onsite(dir.path(), &url);
    cmd.env("ONSITE_TELEGRAM__TOKEN", fake_telegram::TOKEN)
        .env("ONSITE_TELEGRAM__API_URL", &fake.url)
        .env("ONSITE_TELEGRAM__WEBHOOK_URL", "https://onsite.example/telegram/webhook")
        .env("ONSITE_TELEGRAM__WEBHOOK_SECRET", HOOK_SECRET)
        .arg("serve");
    let server = Server::start(cmd);
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while fake.webhook().is_none() {
        assert!(Instant::now() < deadline, "the webhook was never registered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(fake.webhook().unwrap(), ("https://onsite.example/telegram/webhook".into(), HOOK_SECRET.into()));

    let (_, code) = engineer_code(&server, &token).await;
    let update = FakeTelegram::text_update(41, 5551, &format!("/start {code}"));
    let hook = format!("{}/telegram/webhook", server.base);
    let forged =
        client.post(&hook).header("x-telegram-bot-api-secret-token", "guess").json(&update).send().await.unwrap();
    assert_eq!(forged.status(), 401);
    let accepted =
        client.post(&hook).header("x-telegram-bot-api-secret-token", HOOK_SECRET).json(&update).send().await.unwrap();
    assert_eq!(accepted.status(), 200);
    // Telegram delivering it twice links once and answers once.
    client.post(&hook).header("x-telegram-bot-api-secret-token", HOOK_SECRET).json(&update).send().await.unwrap();
    wait_for_sent(&fake, "the link confirmation", |s| s.text.starts_with("绑定成功")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(fake.take_sent().is_empty(), "the repeated update was not handled again");
    assert!(server.stop().success());
}

async fn with_two_instances_one_polls_and_the_other_takes_over_when_it_dies() {
    let Some(db) = postgres::PgDatabase::create().await else { return };
    let url = db.url();
    let dir = tempfile::tempdir().unwrap();
    let token = bureau_token(dir.path(), &url);
    let fake = FakeTelegram::start().await;
    let start = || {
        let mut cmd = onsite(dir.path(), &url);
        cmd.env("ONSITE_TELEGRAM__TOKEN", fake_telegram::TOKEN)
            .env("ONSITE_TELEGRAM__API_URL", &fake.url)
            .env("ONSITE_TELEGRAM__POLL_TIMEOUT", "1s")
            .arg("serve");
        Server::start(cmd)
    };
    let (a, b) = (start(), start());
    let (_, code) = engineer_code(&a, &token).await;
    fake.text(5551, &format!("/start {code}"), None);
    wait_for_sent(&fake, "the link confirmation", |s| s.text.starts_with("绑定成功")).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(fake.take_sent().is_empty(), "answered once");
    assert_eq!(fake.max_concurrent_polls(), 1, "only the lock holder polls");

    // Whichever instance was polling, the survivor polls after a SIGKILL.
    a.kill9();
    fake.text(5551, "/status", None);
    wait_for_sent(&fake, "an answer from the surviving instance", |s| s.text.contains("没有未完成的派单")).await;
    assert!(b.stop().success());
}

async fn secrets_never_reach_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let token = bureau_token(dir.path(), &url);
    // A Bot API that refuses connections: every poll fails and is logged.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_api = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let bot_token = "987654:SECRET-bot-token-value";
    let mut cmd = onsite(dir.path(), &url);
    cmd.env("ONSITE_TELEGRAM__TOKEN", bot_token)
        .env("ONSITE_TELEGRAM__API_URL", &dead_api)
        .env("ONSITE_TELEGRAM__POLL_TIMEOUT", "1s")
        .env("ONSITE_NOTIFY__WEBHOOK_SECRET", "SECRET-webhook-key-0123456789abcdefghij")
        .env("ONSITE_LOG__LEVEL", "debug")
        .stderr(std::process::Stdio::piped())
        .arg("serve");
    let mut server = Server::start(cmd);
    let mut stderr = server.child.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        let mut all = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut all);
        all
    });
    let client = reqwest::Client::new();
    let (_, code) = engineer_code(&server, &token).await;
    // Wrong and right tokens, a bad body: all of it is logged at debug.
    let _ = client.get(format!("{}/api/v1/units", server.base)).bearer_auth("onsite_wrong-token-value").send().await;
    let _ = client.post(format!("{}/api/v1/units", server.base)).bearer_auth(&token).body("{").send().await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(server.stop().success());
    let logs = logs.join().unwrap();
    assert!(logs.contains("Telegram poll failed"), "the failing poll was logged: {logs}");
    for secret in [
        bot_token,
        "SECRET-bot",
        "SECRET-webhook-key-0123456789abcdefghij",
        token.as_str(),
        "wrong-token-value",
        code.as_str(),
    ] {
        assert!(!logs.contains(secret), "`{secret}` leaked into the logs");
    }
}

fn main() {
    trials::main(vec![
        trial!(the_served_bot_links_a_chat_delivers_a_page_and_records_a_press),
        trial!(in_webhook_mode_updates_come_through_the_signed_webhook),
        trial!(with_two_instances_one_polls_and_the_other_takes_over_when_it_dies, Postgres),
        trial!(secrets_never_reach_the_logs),
    ]);
}
