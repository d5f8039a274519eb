//! `/callbacks/sms`: texts engineers send back to an SMS page, forwarded by
//! the SMS gateway in the shape Chinese cloud SMS services post replies
//! (`mobile`, `nationcode`, `text`, `time`), signed with the reply secret
//! (`X-Onsite-Signature` over `{timestamp}.{body}`, `X-Onsite-Timestamp`).
//! A reply code (`1A`: page 1, acknowledged) records the milestone as the
//! person the phone number is; every reply is answered, in the callback's
//! response and by SMS when a gateway is configured. The gateway's delivery
//! reports come to the same door, as a JSON array (`sms_reports`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{CallbackError, Words};
use crate::AppState;
use crate::domain::access::Source;
use crate::domain::people::ChannelKind;
use crate::web::problem::Problem;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(receive))
}

/// The receipts' door name.
const DOOR: &str = "sms";

/// A text sent back to us.
#[derive(Debug, Deserialize)]
struct Inbound {
    /// The sender's number, as the carrier gives it (without the country
    /// code when `nationcode` is given).
    mobile: String,
    #[serde(default)]
    nationcode: Option<String>,
    text: String,
    /// When the carrier received it (seconds): with the number and the
    /// text, what makes a forwarded reply the same reply.
    #[serde(default)]
    time: i64,
}

/// A reply texted back to an SMS page (短信回复): a reply code records its
/// milestone; or the gateway's delivery reports (短信回执).
#[utoipa::path(post, path = "/callbacks/sms", tag = "callbacks",
    request_body(content = String, content_type = "application/json",
        description = "A reply `{mobile, nationcode?, text, time}`, or delivery reports `[{success, err_code, err_msg, report_time, out_id}]`; signed in `X-Onsite-Signature` over `{X-Onsite-Timestamp}.{body}`"),
    responses((status = 200, description = "`{result: 0, reply}`: what the sender is told", body = String,
            content_type = "application/json"),
        (status = 503, body = Problem)))]
async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    super::answer_json(DOOR, take(&state, &headers, &body).await)
}

async fn take(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value, CallbackError> {
    let secret = state.config.sms.reply_secret.as_ref().ok_or(CallbackError::NotConfigured)?;
    let now = state.clock.now();
    super::signed_by_gateway(headers, body, secret, now)?;
    if body.trim_ascii_start().starts_with(b"[") {
        return super::sms_reports::take(state, body).await;
    }
    let inbound: Inbound = serde_json::from_slice(body).map_err(|_| CallbackError::Malformed("not an SMS reply"))?;
    let key = format!("{}:{}:{}", inbound.mobile, inbound.time, inbound.text);
    if !state.store.first_receipt(DOOR, &key, now).await.map_err(|_| CallbackError::Unavailable)? {
        return Ok(json!({ "result": 0, "errmsg": "OK" }));
    }
    let (to, words) = match answer(state, &inbound).await {
        Err(CallbackError::Unavailable) => {
            // Ours to fix: let the gateway's retry through.
            let _ = state.store.forget_receipt(DOOR, &key).await;
            return Err(CallbackError::Unavailable);
        }
        other => other?,
    };
    if let Some(sms) = state.sms.clone() {
        let text = words.both();
        tokio::spawn(async move {
            if let Err(e) = sms.tell(&to, &text).await {
                tracing::warn!(error = %e, "cannot answer an SMS reply");
            }
        });
    }
    Ok(json!({ "result": 0, "errmsg": "OK", "reply": words.both() }))
}

/// The numbers the sender may be stored as: as given, and with the
/// country code.
fn numbers(inbound: &Inbound) -> Vec<String> {
    let mobile = inbound.mobile.trim();
    let mut out = vec![mobile.to_owned()];
    if let Some(code) = inbound.nationcode.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        out.push(format!("+{code}{mobile}"));
        out.push(format!("{code}{mobile}"));
    }
    out
}

/// Records what the reply asks, as the person the number is; returns the
/// number to answer and what they are told.
async fn answer(state: &AppState, inbound: &Inbound) -> Result<(String, Words), CallbackError> {
    let reads = state.app.reads_for_proof();
    let mut found = None;
    for number in numbers(inbound) {
        found = reads.person_reached_at(ChannelKind::Sms, &number).await.map_err(|_| CallbackError::Unavailable)?;
        if found.is_some() {
            break;
        }
    }
    let words = match found {
        Some(reached) => super::replies::record(state, reached, Source::Sms, &inbound.text).await?,
        None => Words::unknown_user(),
    };
    Ok((inbound.mobile.clone(), words))
}
