//! `/callbacks/feishu`: the Feishu app's card-action callback (卡片回传交互,
//! `card.action.trigger`, schema 2.0). With an Encrypt Key the body is
//! encrypted and the request signed (`X-Lark-Signature`); the verification
//! token inside proves it either way. The handshake (`url_verification`)
//! answers the challenge. A press on a page's card records the milestone
//! as the person whose open_id pressed, and the answer, given in the same
//! response as Feishu asks, is a toast in the reader's language and the
//! card redrawn with what was done and the buttons left. A message read
//! (`im.message.message_read_v1`) by the person a page went to is that
//! page's read receipt.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{CallbackError, Words, fresh};
use crate::AppState;
use crate::crypto::same_secret;
use crate::domain::access::Source;
use crate::domain::assignment::Milestone;
use crate::domain::duration::format_local;
use crate::domain::event::Receipt;
use crate::domain::labels::Lang;
use crate::domain::people::ChannelKind;
use crate::notify::buttons;
use crate::notify::feishu_app::{CardParts, FeishuApp, card};
use crate::notify::text::{CHAT_EN, CHAT_ZH};
use crate::store::assignments::{Change, Recorded};
use crate::store::channels::Reached;
use crate::web::problem::Problem;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(receive))
}

/// The receipts' door name.
const DOOR: &str = "feishu";

#[derive(Deserialize)]
struct Encrypted {
    encrypt: String,
}

/// The handshake when the callback address is saved.
#[derive(Deserialize)]
struct Challenge {
    challenge: String,
    token: String,
}

/// A callback of schema 2.0; fields of other callbacks are ignored.
#[derive(Deserialize)]
struct Callback {
    header: Header,
    #[serde(default)]
    event: Value,
}

#[derive(Deserialize)]
struct Header {
    event_id: String,
    token: String,
    /// Milliseconds since the epoch, as a string.
    create_time: String,
    event_type: String,
    app_id: String,
}

#[derive(Deserialize)]
struct CardAction {
    operator: Operator,
    action: Action,
}

#[derive(Deserialize)]
struct Operator {
    open_id: String,
}

#[derive(Deserialize)]
struct Action {
    #[serde(default)]
    value: Value,
}

/// Messages of the app's read by one person.
#[derive(Deserialize)]
struct MessageRead {
    reader: Reader,
    message_id_list: Vec<String>,
}

#[derive(Deserialize)]
struct Reader {
    reader_id: Operator,
    /// Milliseconds since the epoch, as a string.
    read_time: String,
}

const CARD_ACTION: &str = "card.action.trigger";
const MESSAGE_READ: &str = "im.message.message_read_v1";

/// The events this door acts on.
enum Event {
    Press(CardAction),
    Read(MessageRead),
}

fn configured(state: &AppState) -> Result<&FeishuApp, CallbackError> {
    state.feishu.as_deref().filter(|app| app.verification_token().is_some()).ok_or(CallbackError::NotConfigured)
}

fn token_matches(app: &FeishuApp, token: &str) -> Result<(), CallbackError> {
    let ours = app.verification_token().map(|t| t.expose_secret().as_bytes()).unwrap_or_default();
    if same_secret(token.as_bytes(), ours) { Ok(()) } else { Err(CallbackError::Signature) }
}

/// A callback of the Feishu app (飞书卡片回传交互): the address check, or a
/// press on a page's card.
#[utoipa::path(post, path = "/callbacks/feishu", tag = "callbacks",
    request_body(content = String, content_type = "application/json",
        description = "Feishu's callback: `{\"encrypt\": …}` with an Encrypt Key, else the callback itself"),
    responses((status = 200, description = "The challenge, or the toast and the redrawn card", body = String,
            content_type = "application/json"),
        (status = 503, body = Problem)))]
async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    super::answer_json(DOOR, take(&state, &headers, &body).await)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The callback as sent, opened: decrypted (and its signature checked,
/// when there is one) under an Encrypt Key, else the body itself.
fn opened(
    app: &FeishuApp,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(Value, bool), CallbackError> {
    let Some(crypt) = app.crypt() else {
        let plain = serde_json::from_slice(body).map_err(|_| CallbackError::Malformed("the body is not JSON"))?;
        return Ok((plain, false));
    };
    let signed = match (
        header(headers, "x-lark-signature"),
        header(headers, "x-lark-request-timestamp"),
        header(headers, "x-lark-request-nonce"),
    ) {
        (Some(signature), Some(timestamp), Some(nonce)) => {
            fresh(timestamp, now)?;
            crypt.verify(signature, timestamp, nonce, body).map_err(|_| CallbackError::Signature)?;
            true
        }
        _ => false,
    };
    let envelope: Encrypted = serde_json::from_slice(body)
        .map_err(|_| CallbackError::Malformed("the body is not Feishu's encrypted JSON"))?;
    let plain = crypt.decrypt(&envelope.encrypt).map_err(|_| CallbackError::Malformed("the event does not decrypt"))?;
    let plain = serde_json::from_str(&plain).map_err(|_| CallbackError::Malformed("the event is not JSON"))?;
    Ok((plain, signed))
}

async fn take(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value, CallbackError> {
    let app = configured(state)?;
    let now = state.clock.now();
    let (plain, signed) = opened(app, headers, body, now)?;
    if plain["type"] == "url_verification" {
        // Feishu does not sign the handshake; the token inside proves it.
        let challenge: Challenge =
            serde_json::from_value(plain).map_err(|_| CallbackError::Malformed("the handshake has no challenge"))?;
        token_matches(app, &challenge.token)?;
        return Ok(json!({ "challenge": challenge.challenge }));
    }
    if app.crypt().is_some() && !signed {
        return Err(CallbackError::Signature);
    }
    let callback: Callback =
        serde_json::from_value(plain).map_err(|_| CallbackError::Malformed("not a callback of schema 2.0"))?;
    let h = &callback.header;
    token_matches(app, &h.token)?;
    if h.app_id != app.app_id() {
        return Err(CallbackError::OtherReceiver);
    }
    super::fresh_ms(&h.create_time, now)?;
    let malformed = |_| CallbackError::Malformed("the event is not of its type's shape");
    let event = match h.event_type.as_str() {
        CARD_ACTION => Event::Press(serde_json::from_value(callback.event).map_err(malformed)?),
        MESSAGE_READ => Event::Read(serde_json::from_value(callback.event).map_err(malformed)?),
        _ => return Ok(json!({})),
    };
    if !state.store.first_receipt(DOOR, &h.event_id, now).await.map_err(|_| CallbackError::Unavailable)? {
        return Ok(json!({}));
    }
    let answered = match event {
        Event::Press(pressed) => press(state, &pressed).await,
        Event::Read(messages) => read(state, messages, now).await,
    };
    match answered {
        Err(CallbackError::Unavailable) => {
            // Ours to fix: let Feishu's retry through.
            let _ = state.store.forget_receipt(DOOR, &h.event_id).await;
            Err(CallbackError::Unavailable)
        }
        other => other,
    }
}

/// Read receipts on the pages among the messages read that went to the
/// reader.
async fn read(state: &AppState, event: MessageRead, now: DateTime<Utc>) -> Result<Value, CallbackError> {
    let open_id = event.reader.reader_id.open_id;
    let at = event.reader.read_time.parse().ok().and_then(DateTime::from_timestamp_millis).map_or(now, |t| t.min(now));
    for id in &event.message_id_list {
        let page = state.store.page_by_provider_id(ChannelKind::FeishuApp, id).await;
        if let Some(page) = page.map_err(|_| CallbackError::Unavailable)?.filter(|p| p.address == open_id) {
            state.store.record_receipt(page.id, Receipt::Read, at).await.map_err(|_| CallbackError::Unavailable)?;
        }
    }
    Ok(json!({}))
}

/// A toast in both languages, Feishu showing the reader's.
fn toast(kind: &str, words: &Words) -> Value {
    json!({ "type": kind, "content": words.zh, "i18n": { "zh_cn": words.zh, "en_us": words.en } })
}

fn refused(words: Words) -> Result<Value, CallbackError> {
    Ok(json!({ "toast": toast("error", &words) }))
}

/// Records the press as the person the open_id is; the answer says so.
async fn press(state: &AppState, event: &CardAction) -> Result<Value, CallbackError> {
    let open_id = event.operator.open_id.as_str();
    let pressed = event.action.value.get("key").and_then(Value::as_str).and_then(buttons::parse_key);
    let reads = state.app.reads_for_proof();
    let reached =
        reads.person_reached_at(ChannelKind::FeishuApp, open_id).await.map_err(|_| CallbackError::Unavailable)?;
    let (reached, (milestone, assignment_id)) = match (reached, pressed) {
        (None, _) => return refused(Words::unknown_user()),
        (_, None) => return refused(Words::unknown_button()),
        (Some(r), Some(pressed)) => (r, pressed),
    };
    let caller = reached.person.caller(Source::Feishu);
    match state.app.change_assignment(&caller, assignment_id, Change::milestone(milestone)).await {
        Ok(recorded) => {
            let words = Words::of(
                format!("{}：{}", CHAT_ZH.recorded, milestone.label(Lang::Zh)),
                format!("{}: {}", CHAT_EN.recorded, milestone.label(Lang::En)),
            );
            let title = state
                .app
                .reads(&caller)
                .notice_titles(&[recorded.assignment.notice_id])
                .await
                .ok()
                .and_then(|mut t| t.remove(&recorded.assignment.notice_id));
            let mut answer = json!({ "toast": toast("success", &words) });
            if let Some(title) = title {
                let data = redrawn(state, &reached, &recorded, milestone, &title);
                answer["card"] = json!({ "type": "raw", "data": data });
            }
            Ok(answer)
        }
        Err(e) => match Words::refusal(&e) {
            Some(words) => refused(words),
            None => {
                tracing::error!(error = %e, "cannot record a Feishu press");
                Err(CallbackError::Unavailable)
            }
        },
    }
}

/// The pressed card as it now stands: who did what and when, the deadline,
/// the milestones still to report, and the person's action link.
fn redrawn(state: &AppState, reached: &Reached, recorded: &Recorded, milestone: Milestone, title: &str) -> Value {
    let a = &recorded.assignment;
    let (name, at) = (&reached.person.name, format_local(recorded.event.at, state.tz));
    let done_zh = format!("{} · {name} · {at}", milestone.label(Lang::Zh));
    let done_en = format!("{} · {name} · {at}", milestone.label(Lang::En));
    let deadline = format_local(a.state.deadline_at, state.tz);
    let left: Vec<_> = if a.state.status.is_open() {
        buttons::MILESTONES.into_iter().filter(|m| a.state.milestones.get(*m).is_none()).collect()
    } else {
        Vec::new()
    };
    let url = state.action_url(a.id, reached.person.id, reached.channel_id);
    card(&CardParts {
        title,
        zh: &format!("到场时限：{deadline}"),
        en: &format!("On site by: {deadline}"),
        assignment_id: a.id,
        buttons: &left,
        done: Some((&done_zh, &done_en)),
        action_url: Some(&url),
    })
}
