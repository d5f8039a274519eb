#![allow(dead_code)] // each test binary uses part of it
//! A fake webhook receiver on loopback: records every page it is sent and
//! answers as each test scripts it (200 by default; 500s, 429 with
//! Retry-After, or a permanent 404).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub name: String,
    pub idempotency_key: String,
    /// The query string, decoded into pairs.
    pub query: Vec<(String, String)>,
    pub body: Value,
    /// The body exactly as received (to check signatures over it).
    pub raw: String,
    /// The `X-Onsite-Signature` header, if any.
    pub signature: Option<String>,
    pub at: std::time::Instant,
}

/// How to answer one request.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    Ok,
    /// 200 with this JSON body (robots put their error codes in it).
    Body(&'static str),
    Status(u16),
    RetryAfter(u64),
}

#[derive(Default)]
struct Inner {
    /// Delay before answering, to hold pages in flight.
    delay: Option<std::time::Duration>,
    received: Vec<Received>,
    script: HashMap<String, VecDeque<Answer>>,
    always: HashMap<String, Answer>,
}

#[derive(Clone, Default)]
pub struct Receiver {
    inner: Arc<Mutex<Inner>>,
    pub base: String,
}

impl Receiver {
    pub async fn start() -> Self {
        let mut r = Receiver::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        r.base = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new().route("/hook/{name}", post(hook)).with_state(r.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        r
    }

    /// The URL that records pages under `name`.
    pub fn url(&self, name: &str) -> String {
        format!("{}/hook/{name}", self.base)
    }

    /// The next answers for `name`, in order; then 200.
    pub fn script(&self, name: &str, answers: &[Answer]) {
        self.inner.lock().unwrap().script.entry(name.to_owned()).or_default().extend(answers.iter().copied());
    }

    /// Answer every request for `name` like this until told otherwise.
    pub fn always(&self, name: &str, answer: Answer) {
        self.inner.lock().unwrap().always.insert(name.to_owned(), answer);
    }

    /// Answer every request only after `delay` (pages stay in flight).
    pub fn slow_down(&self, delay: std::time::Duration) {
        self.inner.lock().unwrap().delay = Some(delay);
    }

    pub fn recover(&self, name: &str) {
        self.inner.lock().unwrap().always.remove(name);
    }

    /// Names paged since the last call (successful answers only), sorted.
    pub fn take_names(&self) -> Vec<String> {
        let mut inner = self.inner.lock().unwrap();
        let mut names: Vec<String> = inner.received.drain(..).map(|r| r.name).collect();
        names.sort();
        names
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }
}

async fn hook(
    State(r): State<Receiver>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: String,
) -> Response {
    let delay = r.inner.lock().unwrap().delay;
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    let mut inner = r.inner.lock().unwrap();
    let scripted = inner.script.get_mut(&name).and_then(VecDeque::pop_front);
    let answer = scripted.or_else(|| inner.always.get(&name).copied()).unwrap_or(Answer::Ok);
    match answer {
        Answer::Ok => {
            inner.received.push(Received {
                name,
                idempotency_key: headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned(),
                query: url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect(),
                body: serde_json::from_str(&body).unwrap_or(Value::Null),
                signature: headers.get("x-onsite-signature").and_then(|v| v.to_str().ok()).map(str::to_owned),
                raw: body,
                at: std::time::Instant::now(),
            });
            StatusCode::OK.into_response()
        }
        Answer::Body(json) => ([("content-type", "application/json")], json).into_response(),
        Answer::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
        Answer::RetryAfter(secs) => {
            let mut resp = StatusCode::TOO_MANY_REQUESTS.into_response();
            resp.headers_mut().insert("retry-after", HeaderValue::from_str(&secs.to_string()).unwrap());
            resp
        }
    }
}
