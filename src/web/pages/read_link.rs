//! `/r/{token}`: the phone page behind an instruction's read link. The
//! signed token names the receipt and the person and stands in for a login,
//! as an action link does; confirming goes through the same use case as
//! the chat button and the signed-in page.

use std::net::SocketAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::action::{invalid, throttled};
use super::text::{INSTRUCTION_EN as EN, INSTRUCTION_ZH as ZH, InstructionText};
use crate::AppState;
use crate::domain::access::{Caller, Source};
use crate::domain::duration::format_local;
use crate::domain::labels::Lang;
use crate::notify::action_link::{self, ReadGrant};

pub fn router() -> Router<AppState> {
    Router::new().route("/r/{token}", get(show).post(confirm))
}

#[derive(Template, WebTemplate)]
#[template(path = "read_link.html")]
struct ReadPage {
    zh: &'static InstructionText,
    en: &'static InstructionText,
    title: String,
    body: String,
    unit: String,
    confirm_by: String,
    standing_zh: &'static str,
    standing_en: &'static str,
    /// Who confirmed and when, once the unit has.
    confirmed: Option<String>,
    flash: Option<String>,
}

/// The grant and the person it names as a caller, or `None` for any bad
/// link: also once the person is deactivated or the channel it was sent on
/// removed, though the link has not expired.
async fn resolve(state: &AppState, token: &str) -> Option<(ReadGrant, Caller)> {
    let grant = action_link::verify_read(&state.link_key, token, state.clock.now())?;
    let proven = state.app.reads_for_proof();
    let person = proven.person(grant.person_id).await.ok().filter(|p| p.active)?;
    proven.channel(grant.channel_id).await.ok().filter(|c| c.person_id == person.id)?;
    Some((grant, person.caller(Source::Web)))
}

async fn page(state: &AppState, grant: ReadGrant, caller: &Caller, flash: Option<String>) -> Option<ReadPage> {
    let (instruction_id, _) = state.store.instruction_of_receipt(grant.receipt_id).await.ok()?;
    let (i, receipts) = state.app.reads(caller).instruction(instruction_id).await.ok()?;
    let r = receipts.into_iter().find(|r| r.id == grant.receipt_id)?;
    let standing = r.standing(i.confirm_by, state.clock.now());
    let confirmed = r
        .confirmed_at
        .map(|at| format!("{} · {}", r.confirmed_by.clone().unwrap_or_default(), format_local(at, state.tz)));
    Some(ReadPage {
        zh: &ZH,
        en: &EN,
        title: i.title,
        body: i.body,
        unit: r.unit_name,
        confirm_by: format_local(i.confirm_by, state.tz),
        standing_zh: standing.label(Lang::Zh),
        standing_en: standing.label(Lang::En),
        confirmed,
        flash,
    })
}

/// The grant and caller of a link from a client within its limit, or the
/// answer that refuses it.
async fn opened(state: &AppState, client: SocketAddr, token: &str) -> Result<(ReadGrant, Caller), Response> {
    if let Some(refused) = throttled(state, client).await {
        return Err(refused);
    }
    resolve(state, token).await.ok_or_else(invalid)
}

async fn render(state: &AppState, grant: ReadGrant, caller: &Caller, flash: Option<String>) -> Response {
    match page(state, grant, caller, flash).await {
        Some(p) => p.into_response(),
        None => invalid(),
    }
}

async fn show(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
) -> Response {
    match opened(&state, client, &token).await {
        Ok((grant, caller)) => render(&state, grant, &caller, None).await,
        Err(refused) => refused,
    }
}

async fn confirm(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
) -> Response {
    let (grant, caller) = match opened(&state, client, &token).await {
        Ok(opened) => opened,
        Err(refused) => return refused,
    };
    let flash = match state.app.confirm_receipt(&caller, grant.receipt_id).await {
        Ok(c) if c.now => format!("{} · {}", ZH.confirmed, EN.confirmed),
        Ok(_) => format!("{} · {}", ZH.already, EN.already),
        Err(e) => {
            tracing::error!(error = %e, "read link failed");
            let page = super::action::ActionMessage {
                zh: "服务暂时出错，请稍后重试", en: "Please try again shortly"
            };
            return (StatusCode::SERVICE_UNAVAILABLE, page).into_response();
        }
    };
    render(&state, grant, &caller, Some(flash)).await
}
