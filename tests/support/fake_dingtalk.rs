#![allow(dead_code)] // each test binary uses part of it
//! A fake DingTalk server API on loopback, as its documentation describes
//! it: `/v1.0/oauth2/accessToken` issues tokens for the right app key and
//! secret (HTTP 400 otherwise) that last `expireIn` seconds unless the test
//! expires them; `/v1.0/robot/oToMessages/batchSend` takes the robot's
//! messages (401 `InvalidAuthentication` for a token it did not issue or
//! that expired, 400 for another robot or a message template's missing
//! parameters), lists users the robot cannot reach in
//! `invalidStaffIdList`, and answers its QPS limit (403
//! `Forbidden.AccessDenied.QpsLimitForApi`) and a person's flow control when
//! scripted. Callbacks are built as DingTalk sends them: a robot message
//! signed with the app secret, and an event encrypted for the app key.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use onsite::notify::msg_crypt::MsgCrypt;
use serde_json::{Value, json};

pub const APP_KEY: &str = "dingcp5dfq3mx5sqdy2t";
pub const APP_SECRET: &str = "Hc7yW8PO_rUg6-app-secret-from-the-developer-console";
pub const CALLBACK_TOKEN: &str = "mryue";
pub const CALLBACK_AES_KEY: &str = "Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7";

/// What the next send is answered with, when scripted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scripted {
    QpsLimit,
    FlowControlled,
}

#[derive(Default)]
struct Inner {
    tokens: HashMap<String, bool>,
    token_requests: usize,
    users: HashSet<String>,
    sent: Vec<Sent>,
    scripted: VecDeque<Scripted>,
    down: bool,
    messages: usize,
}

/// A message the robot sent: to whom, its template and its parameters.
#[derive(Debug, Clone)]
pub struct Sent {
    pub to: String,
    pub msg_key: String,
    pub param: Value,
}

#[derive(Clone)]
pub struct FakeDingtalk {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

impl FakeDingtalk {
    /// Starts the fake with these userids reachable by the robot.
    pub async fn start(users: &[&str]) -> Self {
        let inner = Inner { users: users.iter().map(|u| (*u).to_owned()).collect(), ..Default::default() };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = FakeDingtalk {
            inner: Arc::new(Mutex::new(inner)),
            url: format!("http://{}", listener.local_addr().unwrap()),
        };
        let app = Router::new()
            .route("/v1.0/oauth2/accessToken", post(token))
            .route("/v1.0/robot/oToMessages/batchSend", post(send))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        fake
    }

    /// Configures the app for this fake, with its event subscription.
    pub fn configure(&self, c: &mut onsite::config::Config) {
        use secrecy::SecretString;
        c.dingtalk.api_url = self.url.clone();
        c.dingtalk.app_key = Some(APP_KEY.into());
        c.dingtalk.app_secret = Some(SecretString::from(APP_SECRET));
        c.dingtalk.callback_token = Some(SecretString::from(CALLBACK_TOKEN));
        c.dingtalk.callback_aes_key = Some(SecretString::from(CALLBACK_AES_KEY));
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

    pub fn script(&self, answers: &[Scripted]) {
        self.with(|i| i.scripted.extend(answers));
    }

    pub fn set_down(&self, down: bool) {
        self.with(|i| i.down = down);
    }

    /// The messages the robot sent so far.
    pub fn sent(&self) -> Vec<Sent> {
        self.with(|i| i.sent.clone())
    }

    /// A text someone sends the robot in their one-to-one chat, as DingTalk
    /// posts it (HTTP mode): the headers and the body, signed at `at_ms`.
    pub fn message(&self, staff_id: &str, text: &str, at_ms: i64) -> RobotMessage {
        let n = self.with(|i| {
            i.messages += 1;
            i.messages
        });
        let body = json!({
            "conversationId": "cidBQbWLd3b8CExs7Ik0gQIhA==",
            "chatbotCorpId": "dinge8a565ad0fe3a3cb",
            "chatbotUserId": "$:LWCP_v1:$Cxvg9TCOI7zDyHb0JJrh6Q==",
            "msgId": format!("msgIHfTm9e9s/7NBDQZ3gj{n:03}=="),
            "senderNick": "赵磊",
            "isAdmin": false,
            "senderStaffId": staff_id,
            "sessionWebhookExpiredTime": at_ms + 5_400_000,
            "createAt": at_ms,
            "senderCorpId": "dinge8a565ad0fe3a3cb",
            "conversationType": "1",
            "senderId": "$:LWCP_v1:$Ff09GIxxxxx==",
            "sessionWebhook": "https://oapi.dingtalk.com/robot/sendBySession?session=0c6b4e2",
            "robotCode": APP_KEY,
            "text": { "content": text },
            "msgtype": "text",
        });
        RobotMessage { body, timestamp: at_ms, secret: APP_SECRET.into() }
    }

    /// An event of the subscription, encrypted and signed for the app key:
    /// the query string and the body.
    pub fn event(event: &Value, at_ms: i64) -> (String, String) {
        let crypt = MsgCrypt::new(CALLBACK_TOKEN, CALLBACK_AES_KEY, APP_KEY).unwrap();
        let encrypt = crypt.encrypt(&event.to_string(), rand::random());
        let (timestamp, nonce) = (at_ms.to_string(), "WL4PK6yA");
        let signature = crypt.signature(&timestamp, nonce, &encrypt);
        let query = format!("msg_signature={signature}&timestamp={timestamp}&nonce={nonce}");
        (query, json!({ "encrypt": encrypt }).to_string())
    }
}

/// A robot message about to be sent; its parts can be altered first.
#[derive(Clone)]
pub struct RobotMessage {
    pub body: Value,
    /// The `timestamp` header, milliseconds.
    pub timestamp: i64,
    /// The secret it is signed with.
    pub secret: String,
}

impl RobotMessage {
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let sign = onsite::notify::robots::dingtalk_sign(self.timestamp, &self.secret);
        vec![("timestamp", self.timestamp.to_string()), ("sign", sign)]
    }
}

fn refused(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({ "code": code, "message": message, "requestid": "7f6c0ea0" }))).into_response()
}

async fn token(State(f): State<FakeDingtalk>, axum::Json(body): axum::Json<Value>) -> Response {
    f.with(|i| {
        if i.down {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        i.token_requests += 1;
        if body["appKey"] != APP_KEY || body["appSecret"] != APP_SECRET {
            return refused(StatusCode::BAD_REQUEST, "invalidClientIdOrSecret", "无效的clientId或者clientSecret");
        }
        let token = format!("d-{}", i.token_requests);
        i.tokens.insert(token.clone(), true);
        axum::Json(json!({ "accessToken": token, "expireIn": 7200 })).into_response()
    })
}

/// The parameters each message template needs.
fn template_params(msg_key: &str) -> Option<Vec<String>> {
    let mut params = vec!["title".to_owned(), "text".to_owned()];
    match msg_key {
        "sampleText" => return Some(vec!["content".into()]),
        "sampleMarkdown" => {}
        "sampleActionCard" => params.extend(["singleTitle".into(), "singleURL".into()]),
        _ => {
            let n: usize = msg_key.strip_prefix("sampleActionCard")?.parse().ok().filter(|n| (2..=5).contains(n))?;
            for k in 1..=n {
                params.extend([format!("actionTitle{k}"), format!("actionURL{k}")]);
            }
        }
    }
    Some(params)
}

async fn send(State(f): State<FakeDingtalk>, headers: HeaderMap, axum::Json(body): axum::Json<Value>) -> Response {
    f.with(|i| {
        if i.down {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        let token = headers.get("x-acs-dingtalk-access-token").and_then(|v| v.to_str().ok());
        if token.and_then(|t| i.tokens.get(t)) != Some(&true) {
            return refused(StatusCode::UNAUTHORIZED, "InvalidAuthentication", "不合法的access_token");
        }
        if body["robotCode"] != APP_KEY {
            return refused(StatusCode::BAD_REQUEST, "resource.not.found", "机器人不存在");
        }
        let msg_key = body["msgKey"].as_str().unwrap_or_default().to_owned();
        let param = body["msgParam"].as_str().and_then(|p| serde_json::from_str::<Value>(p).ok());
        let (Some(needed), Some(param)) = (template_params(&msg_key), param) else {
            return refused(StatusCode::BAD_REQUEST, "invalidParameter", "msgKey or msgParam is invalid");
        };
        if let Some(missing) = needed.iter().find(|k| !param[k.as_str()].is_string()) {
            return refused(StatusCode::BAD_REQUEST, "invalidParameter", &format!("msgParam.{missing} is required"));
        }
        let users: Vec<String> =
            body["userIds"].as_array().into_iter().flatten().filter_map(|u| u.as_str().map(str::to_owned)).collect();
        if users.is_empty() || users.len() > 20 {
            return refused(StatusCode::BAD_REQUEST, "invalidParameter", "userIds must hold 1 to 20 users");
        }
        let mut answer = json!({ "processQueryKey": format!("pqk-{}", i.sent.len() + 1),
            "invalidStaffIdList": [], "flowControlledStaffIdList": [] });
        match i.scripted.pop_front() {
            Some(Scripted::QpsLimit) => {
                return refused(StatusCode::FORBIDDEN, "Forbidden.AccessDenied.QpsLimitForApi", "调用该接口超过限流");
            }
            Some(Scripted::FlowControlled) => {
                answer["flowControlledStaffIdList"] = json!(users);
                return axum::Json(answer).into_response();
            }
            None => {}
        }
        for to in users {
            if i.users.contains(&to) {
                i.sent.push(Sent { to, msg_key: msg_key.clone(), param: param.clone() });
            } else {
                answer["invalidStaffIdList"].as_array_mut().unwrap().push(json!(to));
            }
        }
        axum::Json(answer).into_response()
    })
}
