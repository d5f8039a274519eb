#![allow(dead_code)] // each test binary uses part of it
//! A fake Feishu open API on loopback, as its documentation describes it:
//! `tenant_access_token/internal` issues tokens for the right app id and
//! secret (10003, 10014 otherwise) that last `expire` seconds unless the
//! test expires them (99991677) or they were never issued (99991663);
//! `im/v1/messages` takes text and interactive cards to the open_ids the
//! app may reach (230013 otherwise), keeps one message per `uuid`, and
//! answers its frequency limit (HTTP 429, 99991400, `x-ogw-ratelimit-reset`)
//! when scripted. Callbacks are built as Feishu sends them: schema 2.0,
//! encrypted under the Encrypt Key and signed (`X-Lark-Signature`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use onsite::notify::feishu_crypt::FeishuCrypt;
use serde_json::{Value, json};

pub const APP_ID: &str = "cli_a5f7d1e2b3c4d5e6";
pub const APP_SECRET: &str = "app-secret-from-the-developer-console";
pub const VERIFICATION_TOKEN: &str = "066zT6pS4QCbgj5Do145GfDbbagCHGgF";
pub const ENCRYPT_KEY: &str = "6YezwdTZnkkei0lTgsMyMc2PJBTuc7JW";

#[derive(Default)]
struct Inner {
    tokens: HashMap<String, bool>,
    token_requests: usize,
    users: HashSet<String>,
    sent: Vec<Value>,
    uuids: HashMap<String, String>,
    /// Codes `im/v1/messages` answers next, in order.
    send_errors: VecDeque<i64>,
    down: bool,
    events: usize,
}

#[derive(Clone)]
pub struct FakeFeishu {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

impl FakeFeishu {
    /// Starts the fake with these open_ids reachable by the app.
    pub async fn start(users: &[&str]) -> Self {
        let inner = Inner { users: users.iter().map(|u| (*u).to_owned()).collect(), ..Default::default() };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = FakeFeishu {
            inner: Arc::new(Mutex::new(inner)),
            url: format!("http://{}", listener.local_addr().unwrap()),
        };
        let app = Router::new()
            .route("/open-apis/auth/v3/tenant_access_token/internal", post(token))
            .route("/open-apis/im/v1/messages", post(send))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        fake
    }

    /// Configures an app for this fake, its callback signed and encrypted.
    pub fn configure(&self, c: &mut onsite::config::Config) {
        self.configure_plain(c);
        c.feishu.encrypt_key = Some(secrecy::SecretString::from(ENCRYPT_KEY));
    }

    /// The same, without an Encrypt Key: the verification token alone.
    pub fn configure_plain(&self, c: &mut onsite::config::Config) {
        use secrecy::SecretString;
        c.feishu.api_url = self.url.clone();
        c.feishu.app_id = Some(APP_ID.into());
        c.feishu.app_secret = Some(SecretString::from(APP_SECRET));
        c.feishu.verification_token = Some(SecretString::from(VERIFICATION_TOKEN));
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap())
    }

    pub fn expire_tokens(&self) {
        self.with(|i| i.tokens.values_mut().for_each(|valid| *valid = false));
    }

    pub fn token_requests(&self) -> usize {
        self.with(|i| i.token_requests)
    }

    pub fn fail_sends(&self, codes: &[i64]) {
        self.with(|i| i.send_errors.extend(codes));
    }

    pub fn set_down(&self, down: bool) {
        self.with(|i| i.down = down);
    }

    /// The messages delivered so far, `content` parsed.
    pub fn sent(&self) -> Vec<Value> {
        self.with(|i| i.sent.clone())
    }

    /// A press on a card's button, as Feishu calls back (`at_ms` is the
    /// callback's `create_time`).
    pub fn press(&self, open_id: &str, key: &str, at_ms: i64) -> Callback {
        self.callback("card.action.trigger", at_ms, |n| {
            json!({
                "operator": { "tenant_key": "2ca1d211f64f6438", "user_id": "a1b2c3", "open_id": open_id },
                "token": format!("c-{n}"),
                "action": { "value": { "key": key }, "tag": "button" },
                "host": "im_message",
                "context": { "open_message_id": "om_x100b4", "open_chat_id": "oc_5ad11d72b830411d72b836c20" },
            })
        })
    }

    /// Messages read by `open_id` (`im.message.message_read_v1`), as
    /// Feishu calls back when the app subscribed to them.
    pub fn read(&self, open_id: &str, message_ids: &[&str], at_ms: i64) -> Callback {
        self.callback("im.message.message_read_v1", at_ms, |_| {
            json!({
                "reader": {
                    "reader_id": { "open_id": open_id, "union_id": "on_8ed6aa67826108097d9ee143816345", "user_id": "a1b2c3" },
                    "read_time": at_ms.to_string(),
                    "tenant_key": "2ca1d211f64f6438",
                },
                "message_id_list": message_ids,
            })
        })
    }

    /// A callback of schema 2.0 of `event_type`, the n-th this fake made,
    /// its event written by `event(n)`.
    fn callback(&self, event_type: &str, at_ms: i64, event: impl FnOnce(usize) -> Value) -> Callback {
        let n = self.with(|i| {
            i.events += 1;
            i.events
        });
        let event = json!({
            "schema": "2.0",
            "header": {
                "event_id": format!("f7984f25108f8137722bb63cee927e{n:02}"),
                "token": VERIFICATION_TOKEN,
                "create_time": at_ms.to_string(),
                "event_type": event_type,
                "tenant_key": "2ca1d211f64f6438",
                "app_id": APP_ID,
            },
            "event": event(n),
        });
        Callback { event, timestamp: at_ms / 1000, key: ENCRYPT_KEY.into(), nonce: format!("n{n}") }
    }

    /// The handshake Feishu makes when the callback address is saved.
    pub fn handshake(token: &str) -> Value {
        json!({ "challenge": "ajls384kdjx98XX", "token": token, "type": "url_verification" })
    }
}

/// A callback about to be sent; its parts can be altered first.
#[derive(Clone)]
pub struct Callback {
    pub event: Value,
    /// `X-Lark-Request-Timestamp`, seconds.
    pub timestamp: i64,
    /// The Encrypt Key it is encrypted and signed with.
    pub key: String,
    pub nonce: String,
}

impl Callback {
    /// The headers and body Feishu would POST with an Encrypt Key.
    pub fn signed(&self) -> (Vec<(&'static str, String)>, String) {
        let crypt = FeishuCrypt::new(&self.key);
        let body = json!({ "encrypt": crypt.encrypt(&self.event.to_string(), rand::random()) }).to_string();
        let ts = self.timestamp.to_string();
        let signature = crypt.signature(&ts, &self.nonce, body.as_bytes());
        let headers = vec![
            ("X-Lark-Request-Timestamp", ts),
            ("X-Lark-Request-Nonce", self.nonce.clone()),
            ("X-Lark-Signature", signature),
        ];
        (headers, body)
    }

    /// The body Feishu would POST without an Encrypt Key: the event itself.
    pub fn plain(&self) -> String {
        self.event.to_string()
    }
}

fn code(status: StatusCode, code: i64, msg: &str) -> Response {
    (status, axum::Json(json!({ "code": code, "msg": msg }))).into_response()
}

async fn token(State(f): State<FakeFeishu>, axum::Json(body): axum::Json<Value>) -> Response {
    f.with(|i| {
        if i.down {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        i.token_requests += 1;
        if body["app_id"] != APP_ID {
            return code(StatusCode::BAD_REQUEST, 10003, "invalid param");
        }
        if body["app_secret"] != APP_SECRET {
            return code(StatusCode::BAD_REQUEST, 10014, "app secret invalid");
        }
        let token = format!("t-{}", i.token_requests);
        i.tokens.insert(token.clone(), true);
        axum::Json(json!({ "code": 0, "msg": "ok", "tenant_access_token": token, "expire": 7200 })).into_response()
    })
}

async fn send(
    State(f): State<FakeFeishu>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    f.with(|i| {
        if i.down {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        match bearer.map(|t| i.tokens.get(t)) {
            None => return code(StatusCode::BAD_REQUEST, 99991661, "Missing access token for authorization."),
            Some(None) => return code(StatusCode::BAD_REQUEST, 99991663, "Invalid access token for authorization."),
            Some(Some(false)) => return code(StatusCode::BAD_REQUEST, 99991677, "Authentication token expired."),
            Some(Some(true)) => {}
        }
        if let Some(scripted) = i.send_errors.pop_front() {
            if scripted == 99991400 {
                let limited = code(StatusCode::TOO_MANY_REQUESTS, scripted, "request trigger frequency limit");
                return ([("x-ogw-ratelimit-reset", "2")], limited).into_response();
            }
            return code(StatusCode::BAD_REQUEST, scripted, "scripted");
        }
        if q.get("receive_id_type").map(String::as_str) != Some("open_id") {
            return code(StatusCode::BAD_REQUEST, 230001, "invalid receive_id_type");
        }
        let to = body["receive_id"].as_str().unwrap_or_default();
        if !i.users.contains(to) {
            return code(StatusCode::BAD_REQUEST, 230013, "Bot has NO availability to this user.");
        }
        let Some(content) = body["content"].as_str().and_then(|c| serde_json::from_str::<Value>(c).ok()) else {
            return code(StatusCode::BAD_REQUEST, 230001, "content is not a JSON string");
        };
        let uuid = body["uuid"].as_str().unwrap_or_default().to_owned();
        if uuid.chars().count() > 50 {
            return code(StatusCode::BAD_REQUEST, 230001, "uuid too long");
        }
        let id = match i.uuids.get(&uuid) {
            Some(id) if !uuid.is_empty() => id.clone(),
            _ => {
                let mut message = body.clone();
                message["content"] = content;
                i.sent.push(message);
                let id = format!("om_{}", i.sent.len());
                i.uuids.insert(uuid, id.clone());
                id
            }
        };
        axum::Json(json!({ "code": 0, "msg": "success", "data": { "message_id": id, "msg_type": body["msg_type"] } }))
            .into_response()
    })
}
