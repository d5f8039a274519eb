#![allow(dead_code)] // each test binary uses part of it
//! A fake Telegram Bot API server on loopback: teloxide is pointed at it with
//! `set_api_url`. Tests queue updates (messages, button presses, locations),
//! read what the bot sent, edited and answered, and script errors (429 with
//! `retry_after`, 403 blocked).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::post;
use serde_json::{Value, json};

/// One message the bot sent.
#[derive(Debug, Clone)]
pub struct Sent {
    pub chat_id: i64,
    pub message_id: i64,
    pub text: String,
    pub reply_markup: Value,
    /// The message as Telegram would return it (to quote in a button press).
    pub message: Value,
    /// When it arrived.
    pub at: std::time::Instant,
}

/// Telegram's limits for a bot (FAQ, "My bot is hitting limits"): one
/// message a second to a chat, 30 a second overall. Checked with this much
/// slack: sends arrive with the loopback's jitter after the sender counted.
const LIMIT_SLACK: std::time::Duration = std::time::Duration::from_millis(100);

/// A scripted failure of sendMessage to one chat.
#[derive(Debug, Clone, Copy)]
pub enum Failure {
    RetryAfter(u64),
    Blocked,
}

#[derive(Default)]
struct Inner {
    updates: Vec<Value>,
    next_update: i64,
    next_message: i64,
    sent: Vec<Sent>,
    edits: Vec<(i64, i64, String)>,
    answers: Vec<(String, String, bool)>,
    failures: HashMap<i64, VecDeque<Failure>>,
    /// The registered webhook: (url, secret token).
    webhook: Option<(String, String)>,
    /// Files users sent, by file id: (path to download it from, bytes).
    files: HashMap<String, (String, Vec<u8>)>,
    /// Files downloaded, by path.
    downloads: Vec<String>,
    /// Whether sendMessage answers 429 past Telegram's limits.
    enforce_limits: bool,
    /// Sends refused with 429 for breaking them.
    over_limit: usize,
    /// Every message sent: its chat and when (kept when `sent` is taken).
    arrivals: Vec<(i64, std::time::Instant)>,
}

/// The largest file a bot may download (Bot API: getFile, "up to 20 MB").
pub const MAX_DOWNLOAD: usize = 20 * 1024 * 1024;

#[derive(Clone)]
pub struct FakeTelegram {
    inner: Arc<Mutex<Inner>>,
    /// Wakes a long-polling getUpdates when an update is queued.
    queued: Arc<tokio::sync::Notify>,
    /// getUpdates calls in flight now, and the most ever at once (Telegram
    /// answers a second concurrent poller with 409 Conflict).
    polling: Arc<std::sync::atomic::AtomicUsize>,
    max_polling: Arc<std::sync::atomic::AtomicUsize>,
    pub url: String,
}

pub const TOKEN: &str = "123456:TEST-token";

impl FakeTelegram {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = Self {
            inner: Arc::new(Mutex::new(Inner { next_update: 1, next_message: 100, ..Default::default() })),
            queued: Arc::new(tokio::sync::Notify::new()),
            polling: Arc::default(),
            max_polling: Arc::default(),
            url: format!("http://{}/", listener.local_addr().unwrap()),
        };
        let app = Router::new()
            .route("/{bot}/{method}", post(api))
            .route("/file/{bot}/{*path}", axum::routing::get(file))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        fake
    }

    fn push(&self, kind: &str, payload: Value) -> i64 {
        let mut inner = self.inner.lock().unwrap();
        let id = inner.next_update;
        inner.next_update += 1;
        inner.updates.push(json!({ "update_id": id, kind: payload }));
        self.queued.notify_one();
        id
    }

    /// A text message from `chat`, optionally replying to a message.
    pub fn text(&self, chat: i64, text: &str, reply_to: Option<&Value>) -> i64 {
        let mut msg = message(chat, 1, text);
        if let Some(r) = reply_to {
            msg["reply_to_message"] = r.clone();
        }
        self.push("message", msg)
    }

    /// A text message in group chat `group` from `user`.
    pub fn group_text(&self, group: i64, user_id: i64, text: &str) -> i64 {
        let mut msg = message(group, 3, text);
        msg["chat"] = json!({ "id": group, "type": "group", "title": "值班群" });
        msg["from"] = user(user_id);
        self.push("message", msg)
    }

    /// Any update, as Telegram would send it (`kind` is its field name).
    pub fn raw(&self, kind: &str, payload: Value) -> i64 {
        self.push(kind, payload)
    }

    /// A plain message from `chat` with extra fields (a sticker, say) and no text.
    pub fn message_without_text(&self, chat: i64, extra: Value) -> i64 {
        let mut msg = message(chat, 4, "");
        msg.as_object_mut().unwrap().remove("text");
        for (k, v) in extra.as_object().unwrap() {
            msg[k] = v.clone();
        }
        self.push("message", msg)
    }

    /// A press of a button under `message` by user `chat` (in a private chat
    /// the user and the chat are the same).
    pub fn press(&self, chat: i64, message: &Value, data: &str) -> i64 {
        let id = self.inner.lock().unwrap().next_update;
        self.push(
            "callback_query",
            json!({ "id": format!("cb{id}"), "from": user(chat), "chat_instance": "ci", "data": data, "message": message }),
        )
    }

    pub fn location(&self, chat: i64, lat: f64, lon: f64) -> i64 {
        let mut msg = message(chat, 2, "");
        msg.as_object_mut().unwrap().remove("text");
        msg["location"] = json!({ "latitude": lat, "longitude": lon });
        self.push("message", msg)
    }

    /// Keeps `bytes` as a file a user sent; returns its file id.
    fn keep_file(&self, bytes: Vec<u8>, extension: &str) -> (String, usize) {
        let mut inner = self.inner.lock().unwrap();
        let n = inner.files.len() + 1;
        let (id, size) = (format!("AgACAgUAAxkBAAI{n}"), bytes.len());
        inner.files.insert(id.clone(), (format!("photos/file_{n}.{extension}"), bytes));
        (id, size)
    }

    /// A photo from `chat`, optionally replying to a message: Telegram lists
    /// it in several sizes, the small one a thumbnail of its own.
    pub fn photo(&self, chat: i64, bytes: Vec<u8>, reply_to: Option<&Value>) -> i64 {
        let (small, small_size) = self.keep_file(vec![0xff, 0xd8, 0xff, 0xd9], "jpg");
        let (large, size) = self.keep_file(bytes, "jpg");
        let mut msg = message(chat, 5, "");
        msg.as_object_mut().unwrap().remove("text");
        msg["photo"] = json!([
            { "file_id": small, "file_unique_id": "s", "width": 90, "height": 67, "file_size": small_size },
            { "file_id": large, "file_unique_id": "l", "width": 1280, "height": 960, "file_size": size },
        ]);
        if let Some(r) = reply_to {
            msg["reply_to_message"] = r.clone();
        }
        self.push("message", msg)
    }

    /// An image sent as a file (the original, EXIF and all).
    pub fn image_document(&self, chat: i64, name: &str, bytes: Vec<u8>, reply_to: Option<&Value>) -> i64 {
        let (id, size) = self.keep_file(bytes, "jpg");
        let mut msg = message(chat, 6, "");
        msg.as_object_mut().unwrap().remove("text");
        msg["document"] = json!({ "file_id": id, "file_unique_id": "d", "file_name": name, "mime_type": "image/jpeg", "file_size": size });
        if let Some(r) = reply_to {
            msg["reply_to_message"] = r.clone();
        }
        self.push("message", msg)
    }

    /// The paths of the files the bot downloaded.
    pub fn downloads(&self) -> Vec<String> {
        self.inner.lock().unwrap().downloads.clone()
    }

    /// The most getUpdates calls that were ever in flight at once.
    pub fn max_concurrent_polls(&self) -> usize {
        self.max_polling.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn webhook(&self) -> Option<(String, String)> {
        self.inner.lock().unwrap().webhook.clone()
    }

    /// The JSON of a text message update, for posting to a webhook.
    pub fn text_update(update_id: i64, chat: i64, text: &str) -> Value {
        json!({ "update_id": update_id, "message": message(chat, 1, text) })
    }

    pub fn fail_next(&self, chat: i64, failure: Failure) {
        self.inner.lock().unwrap().failures.entry(chat).or_default().push_back(failure);
    }

    /// Messages sent since the last call.
    /// Answers 429 (with `retry_after`) to a send past Telegram's limits,
    /// as Telegram does.
    pub fn enforce_limits(&self) {
        self.inner.lock().unwrap().enforce_limits = true;
    }

    /// How many sends were refused for breaking the limits.
    pub fn over_limit(&self) -> usize {
        self.inner.lock().unwrap().over_limit
    }

    pub fn take_sent(&self) -> Vec<Sent> {
        std::mem::take(&mut self.inner.lock().unwrap().sent)
    }

    pub fn take_edits(&self) -> Vec<(i64, i64, String)> {
        std::mem::take(&mut self.inner.lock().unwrap().edits)
    }

    /// Callback answers since the last call: (id, text, show_alert).
    pub fn take_answers(&self) -> Vec<(String, String, bool)> {
        std::mem::take(&mut self.inner.lock().unwrap().answers)
    }
}

fn user(chat: i64) -> Value {
    json!({ "id": chat, "is_bot": false, "first_name": "engineer" })
}

fn message(chat: i64, id: i64, text: &str) -> Value {
    json!({
        "message_id": id,
        "date": 1_764_010_800,
        "chat": { "id": chat, "type": "private", "first_name": "engineer" },
        "from": user(chat),
        "text": text,
    })
}

/// A message the bot sent: from the bot, in a private chat or a group.
fn from_bot(chat: i64, id: i64, text: &str) -> Value {
    let mut msg = message(chat, id, text);
    msg["from"] = json!({ "id": 123456, "is_bot": true, "first_name": "onsite" });
    if chat < 0 {
        msg["chat"] = json!({ "id": chat, "type": "group", "title": "值班群" });
    }
    msg
}

fn ok(result: Value) -> Json<Value> {
    Json(json!({ "ok": true, "result": result }))
}

/// A field of a multipart body (teloxide sends setWebhook as multipart, as it
/// may carry a certificate).
fn field(raw: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\"");
    raw.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split("\r\n\r\n").nth(1))
        .and_then(|value| value.split("\r\n").next())
        .unwrap_or_default()
        .to_owned()
}

async fn api(
    State(fake): State<FakeTelegram>,
    Path((_bot, method)): Path<(String, String)>,
    raw: String,
) -> Json<Value> {
    let body: Value = serde_json::from_str(&raw).unwrap_or(Value::Null);
    if method.eq_ignore_ascii_case("getupdates") {
        // Long polling, as Telegram does: wait (briefly) for something to return.
        let offset = body["offset"].as_i64().unwrap_or(0);
        let waiting = {
            let mut inner = fake.inner.lock().unwrap();
            inner.updates.retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
            inner.updates.is_empty()
        };
        use std::sync::atomic::Ordering::SeqCst;
        let now_polling = fake.polling.fetch_add(1, SeqCst) + 1;
        fake.max_polling.fetch_max(now_polling, SeqCst);
        let timeout = body["timeout"].as_u64().unwrap_or(0).min(2);
        if waiting && timeout > 0 {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(timeout), fake.queued.notified()).await;
        }
        fake.polling.fetch_sub(1, SeqCst);
        return ok(Value::Array(fake.inner.lock().unwrap().updates.clone()));
    }
    let mut inner = fake.inner.lock().unwrap();
    match method.to_lowercase().as_str() {
        "getme" => ok(json!({
            "id": 123456, "is_bot": true, "first_name": "onsite", "username": "onsite_test_bot",
            "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false,
            "has_main_web_app": false,
        })),
        "sendmessage" => {
            let chat_id = body["chat_id"].as_i64().unwrap_or(0);
            match inner.failures.get_mut(&chat_id).and_then(VecDeque::pop_front) {
                Some(Failure::RetryAfter(secs)) => {
                    return Json(json!({
                        "ok": false, "error_code": 429,
                        "description": format!("Too Many Requests: retry after {secs}"),
                        "parameters": { "retry_after": secs },
                    }));
                }
                Some(Failure::Blocked) => {
                    return Json(
                        json!({ "ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user" }),
                    );
                }
                None => {}
            }
            if inner.enforce_limits && over_limit(&inner.arrivals, chat_id) {
                inner.over_limit += 1;
                return Json(json!({
                    "ok": false, "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": { "retry_after": 1 },
                }));
            }
            inner.next_message += 1;
            let text = body["text"].as_str().unwrap_or_default().to_owned();
            let mut msg = from_bot(chat_id, inner.next_message, &text);
            if body["reply_markup"]["inline_keyboard"].is_array() {
                msg["reply_markup"] = body["reply_markup"].clone();
            }
            let message_id = inner.next_message;
            inner.arrivals.push((chat_id, std::time::Instant::now()));
            inner.sent.push(Sent {
                chat_id,
                message_id,
                text,
                reply_markup: body["reply_markup"].clone(),
                message: msg.clone(),
                at: std::time::Instant::now(),
            });
            ok(msg)
        }
        "editmessagetext" => {
            let chat_id = body["chat_id"].as_i64().unwrap_or(0);
            let id = body["message_id"].as_i64().unwrap_or(0);
            let text = body["text"].as_str().unwrap_or_default().to_owned();
            inner.edits.push((chat_id, id, text.clone()));
            ok(from_bot(chat_id, id, &text))
        }
        "answercallbackquery" => {
            inner.answers.push((
                body["callback_query_id"].as_str().unwrap_or_default().to_owned(),
                body["text"].as_str().unwrap_or_default().to_owned(),
                body["show_alert"].as_bool().unwrap_or(false),
            ));
            ok(json!(true))
        }
        "getfile" => {
            let id = body["file_id"].as_str().unwrap_or_default();
            match inner.files.get(id) {
                None => Json(json!({ "ok": false, "error_code": 400, "description": "Bad Request: invalid file_id" })),
                Some((_, bytes)) if bytes.len() > MAX_DOWNLOAD => {
                    Json(json!({ "ok": false, "error_code": 400, "description": "Bad Request: file is too big" }))
                }
                Some((path, bytes)) => {
                    ok(json!({ "file_id": id, "file_unique_id": "u", "file_size": bytes.len(), "file_path": path }))
                }
            }
        }
        "deletewebhook" => ok(json!(true)),
        "setwebhook" => {
            let get = |name: &str| body[name].as_str().map_or_else(|| field(&raw, name), str::to_owned);
            inner.webhook = Some((get("url"), get("secret_token")));
            ok(json!(true))
        }
        "getwebhookinfo" => ok(json!({ "url": "", "has_custom_certificate": false, "pending_update_count": 0 })),
        other => Json(json!({ "ok": false, "error_code": 404, "description": format!("Not Found: method {other}") })),
    }
}

/// `GET /file/bot<token>/<file_path>`: a file's bytes, for the bot whose token it is.
async fn file(
    State(fake): State<FakeTelegram>,
    Path((bot, path)): Path<(String, String)>,
) -> Result<Vec<u8>, axum::http::StatusCode> {
    if bot != format!("bot{TOKEN}") {
        return Err(axum::http::StatusCode::NOT_FOUND);
    }
    let mut inner = fake.inner.lock().unwrap();
    inner.downloads.push(path.clone());
    let found = inner.files.values().find(|(p, _)| *p == path).map(|(_, b)| b.clone());
    found.ok_or(axum::http::StatusCode::NOT_FOUND)
}

/// Whether one more message to `chat` now would break Telegram's limits.
fn over_limit(arrivals: &[(i64, std::time::Instant)], chat: i64) -> bool {
    let second = std::time::Duration::from_secs(1) - LIMIT_SLACK;
    let recent: Vec<i64> = arrivals.iter().filter(|(_, at)| at.elapsed() < second).map(|(c, _)| *c).collect();
    recent.contains(&chat) || recent.len() >= 30
}
