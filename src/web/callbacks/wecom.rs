//! `/callbacks/wecom`: the WeCom app's callback. `GET` is WeCom's URL
//! check (the `echostr` decrypted and returned); `POST` carries an event,
//! signed (`msg_signature`) and encrypted for our corp id. A press on a
//! page's card (`template_card_event`) records the milestone as the person
//! whose WeCom userid pressed it, then the card says who did what and when;
//! anyone else is told why nothing was recorded.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{CallbackError, Words, fresh};
use crate::AppState;
use crate::domain::access::Source;
use crate::domain::duration::format_local;
use crate::domain::labels::Lang;
use crate::domain::people::ChannelKind;
use crate::notify::buttons;
use crate::notify::msg_crypt::{CryptError, MsgCrypt};
use crate::notify::wecom_app::WecomApp;
use crate::store::assignments::Change;
use crate::web::problem::Problem;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(verify_url, receive))
}

/// The receipts' door name.
const DOOR: &str = "wecom";

/// What WeCom signs a callback with, in its query string.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Signed {
    /// SHA-1 over the sorted token, timestamp, nonce and ciphertext.
    msg_signature: String,
    /// Seconds since the epoch; refused five minutes away from now.
    timestamp: String,
    nonce: String,
    /// The encrypted echo of the URL check (GET only).
    echostr: Option<String>,
}

type SignedQuery = Result<Query<Signed>, axum::extract::rejection::QueryRejection>;

/// The outer XML of a POST: only the ciphertext is trusted, once opened.
#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(rename = "Encrypt")]
    encrypt: String,
}

/// The decrypted event; fields of other events are ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Event {
    from_user_name: String,
    #[serde(default)]
    create_time: i64,
    msg_type: String,
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    event_key: Option<String>,
    #[serde(default)]
    task_id: Option<String>,
    #[serde(default)]
    response_code: Option<String>,
    #[serde(rename = "AgentID", default)]
    agent_id: Option<i64>,
}

fn configured(state: &AppState) -> Result<(&WecomApp, &MsgCrypt), CallbackError> {
    let app = state.wecom.as_deref().ok_or(CallbackError::NotConfigured)?;
    let crypt = app.crypt().ok_or(CallbackError::NotConfigured)?;
    Ok((app, crypt))
}

fn opened(e: CryptError) -> CallbackError {
    match e {
        CryptError::Signature => CallbackError::Signature,
        CryptError::Receiver => CallbackError::OtherReceiver,
        _ => CallbackError::Malformed("the message does not decrypt"),
    }
}

/// WeCom's check when the callback URL is saved: the decrypted echo, as is.
#[utoipa::path(get, path = "/callbacks/wecom", tag = "callbacks", params(Signed),
    responses((status = 200, description = "The decrypted echo", body = String, content_type = "text/plain"),
        (status = 503, body = Problem)))]
async fn verify_url(State(state): State<AppState>, q: SignedQuery) -> Result<String, CallbackError> {
    let (_, crypt) = configured(&state)?;
    let q = q.map_err(|_| CallbackError::Malformed("msg_signature, timestamp and nonce are required"))?.0;
    fresh(&q.timestamp, state.clock.now())?;
    let echo = q.echostr.as_deref().ok_or(CallbackError::Malformed("echostr is missing"))?;
    crypt.open(&q.msg_signature, &q.timestamp, &q.nonce, echo).map_err(opened)
}

/// An event of the WeCom app (企业微信回调): a press on a page's card.
#[utoipa::path(post, path = "/callbacks/wecom", tag = "callbacks", params(Signed),
    request_body(content = String, content_type = "text/xml", description = "WeCom's XML with the encrypted event"),
    responses((status = 200, description = "Taken (or a retry of one taken)", body = String, content_type = "text/plain"),
        (status = 503, body = Problem)))]
async fn receive(State(state): State<AppState>, q: SignedQuery, body: String) -> Response {
    let taken = match q {
        Ok(Query(q)) => take(&state, &q, &body).await,
        Err(_) => Err(CallbackError::Malformed("msg_signature, timestamp and nonce are required")),
    };
    match taken {
        Ok(()) => "success".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "WeCom callback refused");
            e.into_response()
        }
    }
}

async fn take(state: &AppState, q: &Signed, body: &str) -> Result<(), CallbackError> {
    let (app, crypt) = configured(state)?;
    fresh(&q.timestamp, state.clock.now())?;
    let envelope: Envelope =
        quick_xml::de::from_str(body).map_err(|_| CallbackError::Malformed("the body is not WeCom's XML"))?;
    let xml = crypt.open(&q.msg_signature, &q.timestamp, &q.nonce, &envelope.encrypt).map_err(opened)?;
    let event: Event =
        quick_xml::de::from_str(&xml).map_err(|_| CallbackError::Malformed("the message is not an event"))?;
    if event.agent_id.is_some_and(|id| id != app.agent_id()) {
        return Err(CallbackError::OtherReceiver);
    }
    if event.msg_type != "event" || event.event.as_deref() != Some("template_card_event") {
        return Ok(());
    }
    let key = format!(
        "{}:{}:{}:{}",
        event.from_user_name,
        event.create_time,
        event.task_id.as_deref().unwrap_or(""),
        event.event_key.as_deref().unwrap_or("")
    );
    let now = state.clock.now();
    if !state.store.first_receipt(DOOR, &key, now).await.map_err(|_| CallbackError::Unavailable)? {
        return Ok(());
    }
    match press(state, &event).await {
        Err(CallbackError::Unavailable) => {
            // Ours to fix: let WeCom's retry through.
            let _ = state.store.forget_receipt(DOOR, &key).await;
            Err(CallbackError::Unavailable)
        }
        other => other,
    }
}

/// Records the press as the person the userid is, then answers them.
async fn press(state: &AppState, event: &Event) -> Result<(), CallbackError> {
    let userid = event.from_user_name.as_str();
    let pressed = event.event_key.as_deref().and_then(buttons::parse_key);
    let reads = state.app.reads_for_proof();
    let reached =
        reads.person_reached_at(ChannelKind::WecomApp, userid).await.map_err(|_| CallbackError::Unavailable)?;
    let (person, (milestone, assignment_id)) = match (reached.map(|r| r.person), pressed) {
        (None, _) => return tell(state, userid, Words::unknown_user()),
        (_, None) => return tell(state, userid, Words::unknown_button()),
        (Some(p), Some(pressed)) => (p, pressed),
    };
    let caller = person.caller(Source::Wecom);
    match state.app.change_assignment(&caller, assignment_id, Change::milestone(milestone)).await {
        Ok(recorded) => {
            let done = format!(
                "{} · {} · {}",
                milestone.label(Lang::Zh),
                person.name,
                format_local(recorded.event.at, state.tz)
            );
            if let Some(code) = event.response_code.clone() {
                let (app, userid) = (state.wecom.clone(), userid.to_owned());
                tokio::spawn(async move {
                    if let Some(app) = app
                        && let Err(e) = app.update_card(&userid, &code, &done).await
                    {
                        tracing::warn!(error = %e, "cannot update the pressed WeCom card");
                    }
                });
            }
            Ok(())
        }
        Err(e) => match Words::refusal(&e) {
            Some(words) => tell(state, userid, words),
            None => {
                tracing::error!(error = %e, "cannot record a WeCom press");
                Err(CallbackError::Unavailable)
            }
        },
    }
}

/// Tells a person why nothing was recorded, in a message of its own (the
/// callback's answer must come within WeCom's five seconds).
fn tell(state: &AppState, userid: &str, words: Words) -> Result<(), CallbackError> {
    let (app, userid) = (state.wecom.clone(), userid.to_owned());
    tokio::spawn(async move {
        if let Some(app) = app
            && let Err(e) = app.tell(&userid, &words.both()).await
        {
            tracing::warn!(error = %e, "cannot answer a WeCom press");
        }
    });
    Ok(())
}
