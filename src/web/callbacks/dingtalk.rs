//! `/callbacks/dingtalk`: the DingTalk app's door. Two kinds of call come
//! here. A message someone sends the app's robot (its HTTP mode: `timestamp`
//! and `sign` headers, the HMAC-SHA256 of the timestamp under the app
//! secret) is read as a reply code (`1A`), recorded as the person whose
//! userid sent it, and answered by the robot. The event subscription's
//! calls (`msg_signature`, `timestamp` and `nonce` in the query, the event
//! encrypted in `{"encrypt"}`) are opened and answered with the encrypted
//! `success` DingTalk expects: `check_url` when the address is saved; no
//! other event is used.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{CallbackError, Words, fresh_ms};
use crate::AppState;
use crate::domain::access::Source;
use crate::domain::people::ChannelKind;
use crate::notify::dingtalk_app::DingtalkApp;
use crate::notify::msg_crypt::{CryptError, MsgCrypt};
use crate::web::problem::Problem;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(receive))
}

/// The receipts' door name.
const DOOR: &str = "dingtalk";

/// What the event subscription signs a call with, in its query string
/// (DingTalk's samples read either spelling).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Signed {
    /// SHA-1 over the sorted token, timestamp, nonce and ciphertext.
    #[serde(alias = "signature")]
    msg_signature: Option<String>,
    /// Milliseconds since the epoch; refused five minutes away from now.
    #[serde(alias = "timeStamp")]
    timestamp: Option<String>,
    nonce: Option<String>,
}

/// A message to the robot; fields this door does not use are ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RobotMessage {
    msg_id: String,
    msgtype: String,
    #[serde(default)]
    text: Option<Text>,
    /// The sender's userid in our organisation (absent for outsiders).
    #[serde(default)]
    sender_staff_id: Option<String>,
    #[serde(default)]
    robot_code: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Text {
    content: String,
}

#[derive(Debug, Deserialize)]
struct Envelope {
    encrypt: String,
}

fn configured(state: &AppState) -> Result<&DingtalkApp, CallbackError> {
    state.dingtalk.as_deref().ok_or(CallbackError::NotConfigured)
}

/// A message to the DingTalk app's robot (a reply code), or an event of its
/// subscription (钉钉回调).
#[utoipa::path(post, path = "/callbacks/dingtalk", tag = "callbacks", params(Signed),
    request_body(content = String, content_type = "application/json",
        description = "A robot message signed in the `timestamp` and `sign` headers, or `{encrypt}` signed in the query"),
    responses((status = 200, description = "Taken: `{}` for a robot message (answered by the robot), \
            the encrypted `success` for an event", body = String, content_type = "application/json"),
        (status = 503, body = Problem)))]
async fn receive(
    State(state): State<AppState>,
    q: Result<Query<Signed>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let taken =
        if q.msg_signature.is_some() { event(&state, &q, &body) } else { message(&state, &headers, &body).await };
    super::answer_json(DOOR, taken)
}

fn opened(e: CryptError) -> CallbackError {
    match e {
        CryptError::Signature => CallbackError::Signature,
        CryptError::Receiver => CallbackError::OtherReceiver,
        _ => CallbackError::Malformed("the event does not decrypt"),
    }
}

/// An event of the subscription: opened (so a forged one is refused), and
/// acknowledged as DingTalk asks.
fn event(state: &AppState, q: &Signed, body: &[u8]) -> Result<Value, CallbackError> {
    let crypt = configured(state)?.crypt().ok_or(CallbackError::NotConfigured)?;
    let (Some(signature), Some(timestamp), Some(nonce)) = (&q.msg_signature, &q.timestamp, &q.nonce) else {
        return Err(CallbackError::Malformed("msg_signature, timestamp and nonce are required"));
    };
    let now = state.clock.now();
    fresh_ms(timestamp, now)?;
    let envelope: Envelope =
        serde_json::from_slice(body).map_err(|_| CallbackError::Malformed("the body is not {\"encrypt\"}"))?;
    let plain = crypt.open(signature, timestamp, nonce, &envelope.encrypt).map_err(opened)?;
    let event: Value = serde_json::from_str(&plain).map_err(|_| CallbackError::Malformed("the event is not JSON"))?;
    tracing::debug!(event_type = %event["EventType"], "DingTalk event");
    Ok(success(crypt, now))
}

/// The encrypted `success` that tells DingTalk an event was taken.
fn success(crypt: &MsgCrypt, now: DateTime<Utc>) -> Value {
    let timestamp = now.timestamp_millis().to_string();
    let nonce = crate::crypto::random_secret("", 8);
    let encrypt = crypt.encrypt("success", rand::random());
    json!({
        "msg_signature": crypt.signature(&timestamp, &nonce, &encrypt),
        "timeStamp": timestamp,
        "nonce": nonce,
        "encrypt": encrypt,
    })
}

/// A message to the robot: checked, taken once, read as a reply code.
async fn message(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value, CallbackError> {
    let app = configured(state)?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let timestamp = header("timestamp").ok_or(CallbackError::Stale)?;
    let now = state.clock.now();
    fresh_ms(timestamp, now)?;
    let sign = header("sign").ok_or(CallbackError::Signature)?;
    if !timestamp.parse().is_ok_and(|ms| app.signed(ms, sign)) {
        return Err(CallbackError::Signature);
    }
    let message: RobotMessage =
        serde_json::from_slice(body).map_err(|_| CallbackError::Malformed("not a robot message"))?;
    if message.robot_code.as_deref().is_some_and(|code| code != app.robot_code()) {
        return Err(CallbackError::OtherReceiver);
    }
    let Some(userid) = message.sender_staff_id.clone() else { return Ok(json!({})) };
    if !state.store.first_receipt(DOOR, &message.msg_id, now).await.map_err(|_| CallbackError::Unavailable)? {
        return Ok(json!({}));
    }
    let words = match reply(state, &userid, &message).await {
        Err(CallbackError::Unavailable) => {
            // Ours to fix: let DingTalk's retry through.
            let _ = state.store.forget_receipt(DOOR, &message.msg_id).await;
            return Err(CallbackError::Unavailable);
        }
        other => other?,
    };
    let app = state.dingtalk.clone();
    tokio::spawn(async move {
        if let Some(app) = app
            && let Err(e) = app.tell(&userid, &words.both()).await
        {
            tracing::warn!(error = %e, "cannot answer a message to the DingTalk robot");
        }
    });
    Ok(json!({}))
}

/// What the sender is told after their reply is recorded or refused.
async fn reply(state: &AppState, userid: &str, message: &RobotMessage) -> Result<Words, CallbackError> {
    let reads = state.app.reads_for_proof();
    let reached =
        reads.person_reached_at(ChannelKind::DingtalkApp, userid).await.map_err(|_| CallbackError::Unavailable)?;
    let Some(reached) = reached else { return Ok(Words::unknown_user()) };
    let text = message.text.as_ref().filter(|_| message.msgtype == "text").map_or("", |t| t.content.as_str());
    super::replies::record(state, reached, Source::Dingtalk, text).await
}
