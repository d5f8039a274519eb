//! Where the benchmark's pages land, on loopback: a fake Telegram Bot API
//! (`/{bot}/{method}`: it answers what the bot calls), the WeCom, Feishu and
//! DingTalk apps' token and send APIs, an SMS gateway (`/sms`), a voice gateway (`/voice`) and a webhook receiver
//! (`/hook/{name}`). Each page's arrival is stamped and keyed by its channel
//! and the benchmark tag in its text (`[B123]`), so a notice can be matched
//! to its first page and every page counted exactly once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::sync::Notify;

/// The bot token the benchmark gives its servers.
pub const TOKEN: &str = "100000:BENCH-token";

/// The channels pages land on here, by their channel kind's code.
pub const TELEGRAM: &str = "telegram";
pub const WEBHOOK: &str = "webhook";
pub const WECOM_APP: &str = "wecom_app";
pub const FEISHU_APP: &str = "feishu_app";
pub const DINGTALK_APP: &str = "dingtalk_app";
pub const VOICE: &str = "voice";
pub const SMS: &str = "sms";

#[derive(Default)]
struct Received {
    /// Pages by channel and tag: when each copy arrived.
    pages: HashMap<(&'static str, u64), Vec<Instant>>,
    /// Every page received, tagged or not (numbers the fake's message ids).
    total: usize,
}

impl Received {
    fn record(&mut self, channel: &'static str, text: &str, at: Instant) {
        self.total += 1;
        if let Some(n) = tag_in(text) {
            self.pages.entry((channel, n)).or_default().push(at);
        }
    }
}

#[derive(Clone)]
pub struct Receiver {
    received: Arc<Mutex<Received>>,
    arrived: Arc<Notify>,
    pub url: String,
}

/// The tag `[B<n>]` the benchmark writes into a notice's title.
pub fn tag(n: u64) -> String {
    format!("[B{n}]")
}

/// The first tag that reads whole: a markdown copy of the title may carry
/// it escaped (`\\[B1\\]`) before the plain one.
fn tag_in(text: &str) -> Option<u64> {
    text.split("[B").skip(1).find_map(|rest| rest.split(']').next()?.parse().ok())
}

impl Receiver {
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let fake = Self {
            received: Arc::default(),
            arrived: Arc::new(Notify::new()),
            url: format!("http://{}", listener.local_addr()?),
        };
        let app = Router::new()
            .route("/{bot}/{method}", post(api))
            .route("/hook/{name}", post(hook))
            .route("/sms", post(sms))
            .route("/voice", post(voice))
            .route("/cgi-bin/gettoken", get(wecom_token))
            .route("/cgi-bin/message/send", post(wecom_send))
            .route("/open-apis/auth/v3/tenant_access_token/internal", post(feishu_token))
            .route("/open-apis/im/v1/messages", post(feishu_send))
            .route("/v1.0/oauth2/accessToken", post(dingtalk_token))
            .route("/v1.0/robot/oToMessages/batchSend", post(dingtalk_send))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(fake)
    }

    /// When the first page on `channel` tagged `n` arrived.
    pub fn first(&self, channel: &'static str, n: u64) -> Option<Instant> {
        self.lock().pages.get(&(channel, n)).and_then(|t| t.iter().min().copied())
    }

    /// The configuration that points the apps and the SMS gateway here.
    pub fn app_env(&self) -> Vec<(String, String)> {
        let pairs = [
            ("ONSITE_WECOM__API_URL", self.url.clone()),
            ("ONSITE_WECOM__CORP_ID", "wwbench".into()),
            ("ONSITE_WECOM__AGENT_ID", "1000002".into()),
            ("ONSITE_WECOM__SECRET", "bench-wecom-secret".into()),
            ("ONSITE_FEISHU__API_URL", self.url.clone()),
            ("ONSITE_FEISHU__APP_ID", "cli_bench".into()),
            ("ONSITE_FEISHU__APP_SECRET", "bench-feishu-secret".into()),
            ("ONSITE_DINGTALK__API_URL", self.url.clone()),
            ("ONSITE_DINGTALK__APP_KEY", "dingbench".into()),
            ("ONSITE_DINGTALK__APP_SECRET", "bench-dingtalk-secret".into()),
            ("ONSITE_NOTIFY__SMS_URL", format!("{}/sms", self.url)),
            ("ONSITE_VOICE__URL", format!("{}/voice", self.url)),
            ("ONSITE_VOICE__TTS_CODE", "TTS_BENCH".into()),
            // The path is measured, not the limit per number.
            ("ONSITE_VOICE__CALLS_PER_WINDOW", "1000000".into()),
        ];
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    /// How many pages (of any channel) each tag received, and the latest arrival.
    pub fn copies(&self) -> (HashMap<u64, usize>, Option<Instant>) {
        let r = self.lock();
        let mut copies: HashMap<u64, usize> = HashMap::new();
        let mut last = None;
        for ((_, n), at) in &r.pages {
            *copies.entry(*n).or_default() += at.len();
            last = last.max(at.iter().max().copied());
        }
        (copies, last)
    }

    /// The URL of a webhook channel that lands here.
    pub fn hook(&self, name: &str) -> String {
        format!("{}/hook/{name}", self.url)
    }

    /// Waits until `done` holds or `timeout` passes; true if it held.
    pub async fn wait_until(&self, timeout: Duration, done: impl Fn(&Self) -> bool) -> bool {
        let end = Instant::now() + timeout;
        loop {
            let arrived = self.arrived.notified();
            if done(self) {
                return true;
            }
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() || tokio::time::timeout(left, arrived).await.is_err() {
                return done(self);
            }
        }
    }

    fn arrived(&self, channel: &'static str, raw: &str) {
        let at = Instant::now();
        self.lock().record(channel, raw, at);
        self.arrived.notify_waiters();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Received> {
        self.received.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn ok(result: Value) -> Json<Value> {
    Json(json!({ "ok": true, "result": result }))
}

async fn api(State(fake): State<Receiver>, Path((_bot, method)): Path<(String, String)>, raw: String) -> Json<Value> {
    let body: Value = serde_json::from_str(&raw).unwrap_or(Value::Null);
    match method.to_lowercase().as_str() {
        "getupdates" => {
            // Long polling with nothing to deliver, as an idle Telegram does.
            let wait = body["timeout"].as_u64().unwrap_or(0).min(5);
            tokio::time::sleep(Duration::from_secs(wait)).await;
            ok(json!([]))
        }
        "getme" => ok(json!({
            "id": 100000, "is_bot": true, "first_name": "onsite", "username": "onsite_bench_bot",
            "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false,
            "has_main_web_app": false,
        })),
        "sendmessage" => {
            let at = Instant::now();
            let chat_id = body["chat_id"].as_i64().unwrap_or(0);
            let text = body["text"].as_str().unwrap_or_default();
            let message_id = {
                let mut r = fake.lock();
                r.record(TELEGRAM, text, at);
                r.total
            };
            fake.arrived.notify_waiters();
            ok(json!({
                "message_id": message_id, "date": 0,
                "chat": { "id": chat_id, "type": "private", "first_name": "bench" },
                "from": { "id": 100000, "is_bot": true, "first_name": "onsite" },
                "text": text,
            }))
        }
        "deletewebhook" | "setmycommands" | "answercallbackquery" => ok(json!(true)),
        other => Json(json!({ "ok": false, "error_code": 404, "description": format!("Not Found: method {other}") })),
    }
}

/// A webhook page: the tag is in the JSON's `text`.
async fn hook(State(fake): State<Receiver>, raw: String) -> &'static str {
    fake.arrived(WEBHOOK, &raw);
    "ok"
}

/// An SMS through the gateway: the tag is in the text.
async fn sms(State(fake): State<Receiver>, raw: String) -> &'static str {
    fake.arrived(SMS, &raw);
    "ok"
}

/// A voice call: the tag is in the title the call reads out.
async fn voice(State(fake): State<Receiver>, raw: String) -> Json<Value> {
    fake.arrived(VOICE, &raw);
    Json(json!({ "Code": "OK", "Message": "OK", "CallId": "bench" }))
}

async fn wecom_token() -> Json<Value> {
    Json(json!({ "errcode": 0, "errmsg": "ok", "access_token": "bench-token", "expires_in": 7200 }))
}

/// A WeCom app message: the tag is in the card's title.
async fn wecom_send(State(fake): State<Receiver>, raw: String) -> Json<Value> {
    fake.arrived(WECOM_APP, &raw);
    Json(json!({ "errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": "bench" }))
}

async fn feishu_token() -> Json<Value> {
    Json(json!({ "code": 0, "msg": "ok", "tenant_access_token": "t-bench", "expire": 7200 }))
}

/// A Feishu app message: the tag is in the card's header.
async fn feishu_send(State(fake): State<Receiver>, raw: String) -> Json<Value> {
    fake.arrived(FEISHU_APP, &raw);
    Json(json!({ "code": 0, "msg": "success", "data": { "message_id": "om_bench" } }))
}

async fn dingtalk_token() -> Json<Value> {
    Json(json!({ "accessToken": "d-bench", "expireIn": 7200 }))
}

/// A DingTalk robot message: the tag is in its parameters' title.
async fn dingtalk_send(State(fake): State<Receiver>, raw: String) -> Json<Value> {
    fake.arrived(DINGTALK_APP, &raw);
    Json(json!({ "processQueryKey": "bench", "invalidStaffIdList": [], "flowControlledStaffIdList": [] }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_back_from_page_text() {
        assert_eq!(tag_in(&format!("应急响应派单 {} 某单位", tag(42))), Some(42));
        assert_eq!(tag_in("no tag here"), None);
        assert_eq!(tag_in("[Bx]"), None);
        assert_eq!(tag_in(r#"{"text":"\\[B7\\] x","title":"[B7] x"}"#), Some(7));
    }
}
