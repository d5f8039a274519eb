#![allow(dead_code)] // each test binary uses part of it
//! A fake voice-notification gateway on loopback, in the shape of the
//! Chinese cloud voice services' TTS call (`SingleCallByTts`): it takes a
//! call with its bearer key (`InvalidAccessKeyId.NotFound` otherwise) for
//! its TTS template (`isv.INVALID_PARAMETERS` for another or a parameter
//! missing), refuses a malformed number (`isv.MOBILE_NUMBER_ILLEGAL`),
//! answers the carrier's per-number flow control
//! (`isv.BUSINESS_LIMIT_CONTROL`) when scripted, and gives each call a
//! `CallId`. Like the vendor's HTTP push, it reports a call's end and the
//! keys pressed (`[{call_id, status_code, dtmf, out_id, status_time}]`)
//! to `/callbacks/voice`, signed with the report secret.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

pub const KEY: &str = "voice-gateway-key";
pub const TTS_CODE: &str = "TTS_269350123";
pub const REPORT_SECRET: &str = "voice-report-secret-shared-with-onsite-0123";

/// A call the gateway placed.
#[derive(Debug, Clone)]
pub struct Call {
    pub id: String,
    pub to: String,
    pub params: Value,
    pub out_id: String,
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    limited: usize,
}

#[derive(Clone)]
pub struct FakeVoice {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

impl FakeVoice {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = FakeVoice { inner: Arc::default(), url: format!("http://{}", listener.local_addr().unwrap()) };
        let app = Router::new().route("/call", post(call)).with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        fake
    }

    pub fn configure(&self, c: &mut onsite::config::Config) {
        c.voice.url = Some(format!("{}/call", self.url));
        c.voice.tts_code = Some(TTS_CODE.into());
        c.voice.key = Some(secrecy::SecretString::from(KEY));
        c.voice.report_secret = Some(secrecy::SecretString::from(REPORT_SECRET));
    }

    /// Pushes the report of call `n` (from 0) to onsite, as the gateway
    /// does at the call's end: `status_code` and the keys pressed, signed
    /// at `ts` (seconds) with `secret`.
    pub async fn report(&self, onsite: &str, n: usize, status: &str, dtmf: Option<&str>, ts: i64) -> reqwest::Response {
        self.report_signed(onsite, n, status, dtmf, ts, REPORT_SECRET).await
    }

    pub async fn report_signed(
        &self,
        onsite: &str,
        n: usize,
        status: &str,
        dtmf: Option<&str>,
        ts: i64,
        secret: &str,
    ) -> reqwest::Response {
        let call = self.calls()[n].clone();
        let at = chrono::DateTime::from_timestamp(ts, 0).unwrap().with_timezone(&chrono_tz::Asia::Shanghai);
        let mut report = json!({
            "call_id": call.id,
            "status_code": status,
            "status_time": at.format("%Y-%m-%d %H:%M:%S").to_string(),
            "out_id": call.out_id,
        });
        if let Some(keys) = dtmf {
            report["dtmf"] = json!(keys);
        }
        gateway_forward(&format!("{onsite}/callbacks/voice"), json!([report]).to_string(), ts, secret).await
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap())
    }

    /// The next `n` calls meet the carrier's flow control.
    pub fn limit_next(&self, n: usize) {
        self.with(|i| i.limited += n);
    }

    pub fn calls(&self) -> Vec<Call> {
        self.with(|i| i.calls.clone())
    }
}

/// Posts `raw` to `url` as the phone gateways (SMS, voice) forward to
/// onsite: signed at `ts` (seconds) with `secret` over `{ts}.{raw}`.
pub async fn gateway_forward(url: &str, raw: String, ts: i64, secret: &str) -> reqwest::Response {
    let signature = onsite::notify::webhook::sign(secret, format!("{ts}.{raw}").as_bytes());
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("X-Onsite-Timestamp", ts.to_string())
        .header("X-Onsite-Signature", signature)
        .body(raw)
        .send()
        .await
        .unwrap()
}

fn answer(code: &str, message: &str) -> Response {
    axum::Json(json!({ "Code": code, "Message": message, "RequestId": "D9CB3933-B9C6-4E5C-B5A3-0A5E7AA5E7A2" }))
        .into_response()
}

async fn call(State(f): State<FakeVoice>, headers: HeaderMap, axum::Json(body): axum::Json<Value>) -> Response {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if bearer != Some(KEY) {
        return (StatusCode::UNAUTHORIZED, answer("InvalidAccessKeyId.NotFound", "Specified access key is not found."))
            .into_response();
    }
    let params = body["TtsParam"].as_str().and_then(|p| serde_json::from_str::<Value>(p).ok());
    let plays = body["PlayTimes"].as_u64().unwrap_or(0);
    let (Some(params), true, true) = (params, body["TtsCode"] == TTS_CODE, (1..=3).contains(&plays)) else {
        return answer("isv.INVALID_PARAMETERS", "参数异常");
    };
    if !params["title"].is_string() || !params["deadline"].is_string() {
        return answer("isv.INVALID_PARAMETERS", "模板变量缺少对应参数值");
    }
    let to = body["CalledNumber"].as_str().unwrap_or_default().to_owned();
    let digits = to.strip_prefix("+86").unwrap_or(&to);
    if digits.len() != 11 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return answer("isv.MOBILE_NUMBER_ILLEGAL", "号码格式非法");
    }
    f.with(|i| {
        if i.limited > 0 {
            i.limited -= 1;
            return answer("isv.BUSINESS_LIMIT_CONTROL", "触发号码分钟级流控");
        }
        let out_id = body["OutId"].as_str().unwrap_or_default().to_owned();
        let id = format!("116012854210^10287{:05}", i.calls.len() + 1);
        i.calls.push(Call { id: id.clone(), to, params, out_id });
        axum::Json(json!({ "Code": "OK", "Message": "OK", "CallId": id, "RequestId": "5A8F4E1C" })).into_response()
    })
}
