//! Where the benchmark's pages land, on loopback: a fake Telegram Bot API
//! (`/{bot}/{method}`: it answers what the bot calls) and a webhook receiver
//! (`/hook/{name}`). Each page's arrival is stamped and keyed by the
//! benchmark tag in its text (`[B123]`), so a notice can be matched to its
//! first page and every page counted exactly once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::sync::Notify;

/// The bot token the benchmark gives its servers.
pub const TOKEN: &str = "100000:BENCH-token";

#[derive(Default)]
struct Received {
    /// Telegram messages, by tag: when each copy arrived.
    telegram: HashMap<u64, Vec<Instant>>,
    /// Webhook posts, by tag.
    webhook: HashMap<u64, Vec<Instant>>,
    /// Every page received, tagged or not (numbers the fake's message ids).
    total: usize,
}

impl Received {
    fn record(&mut self, telegram: bool, text: &str, at: Instant) {
        self.total += 1;
        if let Some(n) = tag_in(text) {
            let map = if telegram { &mut self.telegram } else { &mut self.webhook };
            map.entry(n).or_default().push(at);
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

fn tag_in(text: &str) -> Option<u64> {
    let rest = text.split("[B").nth(1)?;
    rest.split(']').next()?.parse().ok()
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
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(fake)
    }

    /// When the first Telegram message tagged `n` arrived.
    pub fn first_telegram(&self, n: u64) -> Option<Instant> {
        self.lock().telegram.get(&n).and_then(|t| t.iter().min().copied())
    }

    /// How many pages (of any channel) each tag received, and the latest arrival.
    pub fn copies(&self) -> (HashMap<u64, usize>, Option<Instant>) {
        let r = self.lock();
        let mut copies: HashMap<u64, usize> = HashMap::new();
        let mut last = None;
        for (n, at) in r.telegram.iter().chain(&r.webhook) {
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
                r.record(true, text, at);
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
    let at = Instant::now();
    fake.lock().record(false, &raw, at);
    fake.arrived.notify_waiters();
    "ok"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_back_from_page_text() {
        assert_eq!(tag_in(&format!("应急响应派单 {} 某单位", tag(42))), Some(42));
        assert_eq!(tag_in("no tag here"), None);
        assert_eq!(tag_in("[Bx]"), None);
    }
}
