#![allow(dead_code)] // each test binary uses part of it
//! A fake WeCom server API on loopback, as its documentation describes it:
//! `gettoken` issues access tokens for the right corp id and secret (40013,
//! 40001 otherwise) that last `expires_in` seconds unless the test expires
//! them (42001) or they were never issued (40014); `message/send` takes
//! text and template cards for the app's agent id (40056 otherwise), only
//! to users of the corp (81013), and answers rate limits (45009) when
//! scripted; `update_template_card` takes each press's response code once.
//! Callbacks are built as WeCom sends them: the event XML encrypted for the
//! corp id under the EncodingAESKey, signed with the token.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use onsite::notify::msg_crypt::MsgCrypt;
use serde_json::{Value, json};

pub const CORP_ID: &str = "ww5823bf96d3bd56c7";
pub const AGENT_ID: i64 = 1000002;
pub const SECRET: &str = "app-secret-from-the-admin-console";
pub const TOKEN: &str = "QDG6eK";
pub const AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";

#[derive(Default)]
struct Inner {
    /// Issued tokens and whether they still work.
    tokens: HashMap<String, bool>,
    token_requests: usize,
    users: HashSet<String>,
    sent: Vec<Value>,
    updates: Vec<Value>,
    /// Response codes handed out with presses, and whether used.
    response_codes: HashMap<String, bool>,
    /// Error codes `message/send` answers next, in order.
    send_errors: VecDeque<i64>,
    /// Answer everything with 503.
    down: bool,
    presses: usize,
}

#[derive(Clone)]
pub struct FakeWecom {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

type Q = Query<HashMap<String, String>>;

impl FakeWecom {
    /// Starts the fake with these userids in the corp.
    pub async fn start(users: &[&str]) -> Self {
        let inner = Inner { users: users.iter().map(|u| (*u).to_owned()).collect(), ..Default::default() };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake =
            FakeWecom { inner: Arc::new(Mutex::new(inner)), url: format!("http://{}", listener.local_addr().unwrap()) };
        let app = Router::new()
            .route("/cgi-bin/gettoken", get(gettoken))
            .route("/cgi-bin/message/send", post(send))
            .route("/cgi-bin/message/update_template_card", post(update))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        fake
    }

    /// Configures an app for this fake, callback included.
    pub fn configure(&self, c: &mut onsite::config::Config) {
        use secrecy::SecretString;
        c.wecom.api_url = self.url.clone();
        c.wecom.corp_id = Some(CORP_ID.into());
        c.wecom.agent_id = Some(AGENT_ID);
        c.wecom.secret = Some(SecretString::from(SECRET));
        c.wecom.token = Some(SecretString::from(TOKEN));
        c.wecom.encoding_aes_key = Some(SecretString::from(AES_KEY));
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap())
    }

    /// Every issued token stops working (42001), as after `expires_in`.
    pub fn expire_tokens(&self) {
        self.with(|i| i.tokens.values_mut().for_each(|valid| *valid = false));
    }

    pub fn token_requests(&self) -> usize {
        self.with(|i| i.token_requests)
    }

    /// `message/send` answers these error codes next, then succeeds again.
    pub fn fail_sends(&self, codes: &[i64]) {
        self.with(|i| i.send_errors.extend(codes));
    }

    pub fn set_down(&self, down: bool) {
        self.with(|i| i.down = down);
    }

    /// The messages accepted so far.
    pub fn sent(&self) -> Vec<Value> {
        self.with(|i| i.sent.clone())
    }

    pub fn updates(&self) -> Vec<Value> {
        self.with(|i| i.updates.clone())
    }

    /// Waits (briefly, for the door's answer sent after its 200) until
    /// `count` messages or updates are in.
    pub async fn wait_for(&self, what: impl Fn(&Self) -> usize, count: usize) {
        for _ in 0..200 {
            if what(self) >= count {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the fake WeCom never got {count}");
    }

    /// A press on a card, as WeCom calls back: the query string and body.
    pub fn press(&self, from: &str, key: &str, timestamp: i64) -> Callback {
        let code = self.with(|i| {
            i.presses += 1;
            let code = format!("rc-{}", i.presses);
            i.response_codes.insert(code.clone(), false);
            code
        });
        let event = format!(
            "<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{from}]]></FromUserName>\
             <CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[event]]></MsgType>\
             <Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[{key}]]></EventKey>\
             <TaskId><![CDATA[task-1]]></TaskId><CardType><![CDATA[button_interaction]]></CardType>\
             <ResponseCode><![CDATA[{code}]]></ResponseCode><AgentID>{AGENT_ID}</AgentID></xml>"
        );
        Callback { event, timestamp, corp: CORP_ID.into(), token: TOKEN.into(), nonce: format!("n{timestamp}") }
    }
}

/// A callback about to be sent; its parts can be altered first.
#[derive(Clone)]
pub struct Callback {
    pub event: String,
    pub timestamp: i64,
    /// The receiver the event is encrypted for.
    pub corp: String,
    /// The token it is signed with.
    pub token: String,
    pub nonce: String,
}

impl Callback {
    /// The query string and the XML body WeCom would POST.
    pub fn signed(&self) -> (String, String) {
        let crypt = MsgCrypt::new(&self.token, AES_KEY, &self.corp).unwrap();
        let encrypted = crypt.encrypt(&self.event, rand::random());
        let ts = self.timestamp.to_string();
        let signature = crypt.signature(&ts, &self.nonce, &encrypted);
        let query = format!("msg_signature={signature}&timestamp={ts}&nonce={}", self.nonce);
        let body = format!(
            "<xml><ToUserName><![CDATA[{}]]></ToUserName><AgentID><![CDATA[{AGENT_ID}]]></AgentID><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>",
            self.corp
        );
        (query, body)
    }

    /// The URL check WeCom makes when the callback URL is saved.
    pub fn url_check(timestamp: i64, echo: &str) -> String {
        let crypt = MsgCrypt::new(TOKEN, AES_KEY, CORP_ID).unwrap();
        let encrypted = crypt.encrypt(echo, rand::random());
        let ts = timestamp.to_string();
        let signature = crypt.signature(&ts, "n1", &encrypted);
        let echostr: String = url::form_urlencoded::byte_serialize(encrypted.as_bytes()).collect();
        format!("msg_signature={signature}&timestamp={ts}&nonce=n1&echostr={echostr}")
    }
}

fn error(code: i64, message: &str) -> Response {
    axum::Json(json!({ "errcode": code, "errmsg": message })).into_response()
}

async fn gettoken(State(f): State<FakeWecom>, Query(q): Q) -> Response {
    f.with(|i| {
        if i.down {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        i.token_requests += 1;
        if q.get("corpid").map(String::as_str) != Some(CORP_ID) {
            return error(40013, "invalid corpid");
        }
        if q.get("corpsecret").map(String::as_str) != Some(SECRET) {
            return error(40001, "invalid credential");
        }
        let token = format!("token-{}", i.token_requests);
        i.tokens.insert(token.clone(), true);
        axum::Json(json!({ "errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200 })).into_response()
    })
}

/// The token check every server API makes first.
fn token_refused(i: &Inner, q: &HashMap<String, String>) -> Option<Response> {
    match q.get("access_token").map(|t| i.tokens.get(t)) {
        None => Some(error(41001, "access_token missing")),
        Some(None) => Some(error(40014, "invalid access_token")),
        Some(Some(false)) => Some(error(42001, "access_token expired")),
        Some(Some(true)) => None,
    }
}

async fn send(State(f): State<FakeWecom>, Query(q): Q, axum::Json(body): axum::Json<Value>) -> Response {
    f.with(|i| {
        if i.down {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        if let Some(refused) = token_refused(i, &q) {
            return refused;
        }
        if let Some(code) = i.send_errors.pop_front() {
            return error(code, "scripted");
        }
        if body["agentid"].as_i64() != Some(AGENT_ID) {
            return error(40056, "invalid agentid");
        }
        let to = body["touser"].as_str().unwrap_or_default();
        if !i.users.contains(to) {
            return error(81013, "user & party & tag all invalid");
        }
        i.sent.push(body.clone());
        let id = format!("msg-{}", i.sent.len());
        axum::Json(json!({ "errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": id })).into_response()
    })
}

async fn update(State(f): State<FakeWecom>, Query(q): Q, axum::Json(body): axum::Json<Value>) -> Response {
    f.with(|i| {
        if let Some(refused) = token_refused(i, &q) {
            return refused;
        }
        let code = body["response_code"].as_str().unwrap_or_default();
        match i.response_codes.get_mut(code) {
            Some(used @ false) => {
                *used = true;
                i.updates.push(body.clone());
                error(0, "ok")
            }
            _ => error(40058, "invalid response_code"),
        }
    })
}
