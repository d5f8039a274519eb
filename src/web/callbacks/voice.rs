//! `/callbacks/voice`: the voice gateway's call reports, in the shape the
//! Chinese cloud voice services push them (a JSON array of `{call_id,
//! status_code, dtmf, out_id, status_time}`), signed with the report
//! secret (`X-Onsite-Signature` over `{timestamp}.{body}`). The call is
//! found by its `call_id` (the page's provider id): key 1 acknowledges and
//! key 2 declines ("page someone else") as the person called, through the
//! application layer; an answered call is a receipt on its page; a call
//! that reached nobody falls over to the person's next channel.

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
use crate::domain::assignment::Milestone;
use crate::domain::call::{CallKey, CallOutcome, outcome};
use crate::domain::event::{DeliveryFailure, Receipt};
use crate::domain::people::ChannelKind;
use crate::domain::record::Page;
use crate::store::assignments::Change;
use crate::web::problem::Problem;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(receive))
}

/// The receipts' door name.
const DOOR: &str = "voice";

/// One report of one call.
#[derive(Debug, Deserialize)]
struct Report {
    call_id: String,
    status_code: String,
    #[serde(default)]
    dtmf: Option<String>,
}

/// A voice call's report (呼叫结果/按键回执): key 1 acknowledges, key 2
/// declines, an unanswered call falls over to the next channel.
#[utoipa::path(post, path = "/callbacks/voice", tag = "callbacks",
    request_body(content = String, content_type = "application/json",
        description = "`[{call_id, status_code, dtmf?, out_id?, status_time?}]`, signed in `X-Onsite-Signature` over `{X-Onsite-Timestamp}.{body}`"),
    responses((status = 200, description = "`{code: 0, msg, results}`: what each report did", body = String,
            content_type = "application/json"),
        (status = 503, body = Problem)))]
async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    super::answer_json(DOOR, take(&state, &headers, &body).await)
}

async fn take(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value, CallbackError> {
    let secret = state.config.voice.report_secret.as_ref().ok_or(CallbackError::NotConfigured)?;
    super::signed_by_gateway(headers, body, secret, state.clock.now())?;
    let reports: Vec<Report> =
        serde_json::from_slice(body).map_err(|_| CallbackError::Malformed("not a list of call reports"))?;
    let mut results = Vec::with_capacity(reports.len());
    for report in &reports {
        let key = format!("{}:{}:{}", report.call_id, report.status_code, report.dtmf.as_deref().unwrap_or(""));
        let now = state.clock.now();
        if !state.store.first_receipt(DOOR, &key, now).await.map_err(|_| CallbackError::Unavailable)? {
            results.push(json!({ "call_id": report.call_id, "result": "repeated" }));
            continue;
        }
        match apply(state, report).await {
            Ok(result) => results.push(json!({ "call_id": report.call_id, "result": result })),
            Err(e) => {
                // Ours to fix: let the gateway's retry through.
                let _ = state.store.forget_receipt(DOOR, &key).await;
                return Err(e);
            }
        }
    }
    Ok(json!({ "code": 0, "msg": "成功", "results": results }))
}

/// What one report did, as a code.
async fn apply(state: &AppState, report: &Report) -> Result<&'static str, CallbackError> {
    let unavailable = |e: crate::store::StoreError| {
        tracing::error!(error = %e, call = report.call_id, "cannot apply a call report");
        CallbackError::Unavailable
    };
    let page = state.store.page_by_provider_id(ChannelKind::Voice, &report.call_id).await.map_err(unavailable)?;
    let Some(page) = page else { return Ok("unknown_call") };
    let now = state.clock.now();
    match outcome(&report.status_code, report.dtmf.as_deref()) {
        CallOutcome::Pending => Ok("noted"),
        CallOutcome::NotReached => {
            let error = format!("call not answered ({})", report.status_code);
            let failed = state.store.undelivered(page.id, &error, DeliveryFailure::NotAnswered, now).await;
            Ok(if failed.map_err(unavailable)? { "not_answered" } else { "noted" })
        }
        CallOutcome::Answered(key) => {
            state.store.record_receipt(page.id, Receipt::Answered, now).await.map_err(unavailable)?;
            match key {
                Some(key) => pressed(state, &page, key).await,
                None => Ok("answered"),
            }
        }
    }
}

/// A key pressed on a page's call, as the person it called.
async fn pressed(state: &AppState, page: &Page, key: CallKey) -> Result<&'static str, CallbackError> {
    let reached = state
        .app
        .reads_for_proof()
        .person_reached_at(ChannelKind::Voice, &page.address)
        .await
        .map_err(|_| CallbackError::Unavailable)?;
    let (Some(reached), Some(assignment_id)) = (reached, page.assignment_id) else { return Ok("unknown_user") };
    if page.person_id != Some(reached.person.id) {
        return Ok("unknown_user");
    }
    let (change, done) = match key {
        CallKey::Acknowledge => (Change::milestone(Milestone::Acknowledged), "acknowledged"),
        CallKey::Decline => (Change::Decline { note: None }, "declined"),
    };
    match state.app.change_assignment(&reached.person.caller(Source::Voice), assignment_id, change).await {
        Ok(_) => Ok(done),
        Err(e) => match Words::refusal(&e) {
            Some(why) => {
                tracing::info!(page = page.id, why = why.en, "a key pressed on a call was refused");
                Ok("refused")
            }
            None => {
                tracing::error!(error = %e, "cannot record a key pressed on a call");
                Err(CallbackError::Unavailable)
            }
        },
    }
}
