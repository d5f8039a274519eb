//! `/a/{token}`: the small phone page behind an action link. The signed token
//! stands in for a login: it names the person and the assignment and
//! expires. Reports go through the same use case as the API and the bot.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::rejection::FormRejection;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::text::{ACTION_EN as EN, ACTION_ZH as ZH, ActionText};
use crate::AppState;
use crate::app::AppError;
use crate::domain::DomainError;
use crate::domain::access::Source;
use crate::domain::assignment::Milestone;
use crate::domain::attachment::{Attachment, Subject};
use crate::domain::duration::{format_duration, format_local};
use crate::domain::labels::Lang;
use crate::domain::record::Person;
use crate::notify::action_link::{self, ActionGrant};
use crate::store::StoreError;
use crate::store::assignments::Change;

pub fn router() -> Router<AppState> {
    Router::new().route("/a/{token}", get(show).post(act)).merge(super::action_photo::router())
}

struct MilestoneRow {
    code: &'static str,
    label_zh: &'static str,
    label_en: &'static str,
    at: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "action.html")]
pub(super) struct ActionPage {
    /// The link's token: the page's forms post back to it.
    token: String,
    zh: ActionText,
    en: ActionText,
    assignment_id: i64,
    title: String,
    unit: String,
    site: String,
    deadline: String,
    remaining: String,
    overdue: bool,
    open: bool,
    /// Nobody has acknowledged yet: the person may still decline.
    declinable: bool,
    milestones: Vec<MilestoneRow>,
    /// The site must be reached: the page takes on-site photos.
    onsite: bool,
    /// The on-site photos sent so far, one line each.
    photos: Vec<String>,
    flash: Option<String>,
    flash_ok: bool,
}

/// Why an action was not done, in both languages.
pub(super) fn refused(why_zh: &str, why_en: &str) -> String {
    format!("{}：{why_zh} · {}: {why_en}", ZH.refused, EN.refused)
}

/// A page with only a message, in both languages.
#[derive(Template, WebTemplate)]
#[template(path = "action_message.html")]
pub(super) struct ActionMessage {
    pub(super) zh: &'static str,
    pub(super) en: &'static str,
}

pub(super) fn invalid() -> Response {
    (StatusCode::NOT_FOUND, ActionMessage { zh: ZH.invalid_link, en: EN.invalid_link }).into_response()
}

/// Refuses a client that has used its minute: a stranger trying tokens
/// learns nothing faster than the limit allows.
pub(super) async fn throttled(state: &AppState, client: SocketAddr) -> Option<Response> {
    if state.throttles.action_link(client.ip()).await {
        return None;
    }
    tracing::warn!(client = %client.ip(), "action-link rate limit reached");
    let page = ActionMessage { zh: ZH.throttled, en: EN.throttled };
    Some((StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "60")], page).into_response())
}

#[derive(Debug, Deserialize)]
struct ActionForm {
    action: String,
}

/// The grant and the person it names, or `None` for any bad link: also
/// once the person is deactivated or the channel it was sent on removed,
/// though the link has not expired.
pub(super) async fn resolve(state: &AppState, token: &str) -> Option<(ActionGrant, Person)> {
    let grant = action_link::verify(&state.link_key, token, state.clock.now())?;
    let proven = state.app.reads_for_proof();
    let person = proven.person(grant.person_id).await.ok().filter(|p| p.active)?;
    proven.channel(grant.channel_id).await.ok().filter(|c| c.person_id == person.id)?;
    Some((grant, person))
}

async fn show(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
) -> Response {
    if let Some(refused) = throttled(&state, client).await {
        return refused;
    }
    let Some((grant, person)) = resolve(&state, &token).await else { return invalid() };
    match page(&state, &token, grant, &person, None).await {
        Some(p) => p.into_response(),
        None => invalid(),
    }
}

async fn act(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    if let Some(refused) = throttled(&state, client).await {
        return refused;
    }
    let Some((grant, person)) = resolve(&state, &token).await else { return invalid() };
    let Some((change, done)) = form.ok().and_then(|Form(f)| asked(&f.action)) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, "未知操作 / unknown action").into_response();
    };
    let caller = person.caller(Source::Web);
    let result = state.app.change_assignment(&caller, grant.assignment_id, change).await;
    let (status, flash) = match result {
        Ok(_) => (StatusCode::OK, (true, done)),
        Err(AppError::Store(StoreError::Domain(DomainError::Conflict { message, message_zh, .. }))) => {
            (StatusCode::CONFLICT, (false, refused(&message_zh, &message)))
        }
        Err(AppError::Store(StoreError::NotFound { .. })) => return invalid(),
        Err(e) => {
            tracing::error!(error = %e, "action link failed");
            (StatusCode::SERVICE_UNAVAILABLE, (false, format!("{} · {}", ZH.unavailable, EN.unavailable)))
        }
    };
    match page(&state, &token, grant, &person, Some(flash)).await {
        Some(p) => (status, p).into_response(),
        None => invalid(),
    }
}

/// An on-site photo as the phone page lists it: both languages at once.
fn photo_line(p: &Attachment, tz: chrono_tz::Tz) -> String {
    let view = super::files::view(p, Lang::Zh, tz);
    let place = view.place.map(|p| format!(" · {p}")).unwrap_or_default();
    format!("{} · {}{place}", view.name, view.at)
}

/// What a button asks: a milestone the phone page offers, or to decline;
/// with what the person is told once it is done.
fn asked(action: &str) -> Option<(Change, String)> {
    if action == "declined" {
        return Some((Change::Decline { note: None }, format!("{} · {}", ZH.declined, EN.declined)));
    }
    let m = Milestone::from_code(action).filter(|m| {
        matches!(m, Milestone::Acknowledged | Milestone::PlanActivated | Milestone::OnSite | Milestone::HqRemote)
    })?;
    let done = format!("{}：{} · {} {}", ZH.done, m.label(Lang::Zh), EN.done, m.label(Lang::En));
    Some((Change::milestone(m), done))
}

pub(super) async fn page(
    state: &AppState,
    token: &str,
    grant: ActionGrant,
    person: &Person,
    flash: Option<(bool, String)>,
) -> Option<ActionPage> {
    let caller = person.caller(Source::Web);
    let reads = state.app.reads(&caller);
    let a = reads.assignment(grant.assignment_id).await.ok()?;
    let photos = state.app.attachments(&caller, Subject::milestone(a.id, Milestone::OnSite)).await.ok()?;
    let notice = reads.notice(a.notice_id).await.ok()?.notice;
    let unit = reads.unit_names(&[a.unit_id]).await.ok()?.remove(&a.unit_id).unwrap_or_default();
    let assignment = a.state.clone();
    let left = (a.state.deadline_at - state.clock.now()).num_seconds();
    let mut rows = vec![Milestone::Acknowledged, Milestone::PlanActivated];
    if a.state.requires_onsite {
        rows.push(Milestone::OnSite);
    }
    rows.push(Milestone::HqRemote);
    let milestones = rows
        .into_iter()
        .map(|m| MilestoneRow {
            code: m.code(),
            label_zh: m.label(Lang::Zh),
            label_en: m.label(Lang::En),
            at: assignment.milestones.get(m).map(|t| format_local(t, state.tz)),
        })
        .collect();
    let (flash_ok, flash) = match flash {
        Some((ok, text)) => (ok, Some(text)),
        None => (false, None),
    };
    Some(ActionPage {
        token: token.to_owned(),
        zh: ZH,
        en: EN,
        assignment_id: a.id,
        title: notice.title,
        unit,
        site: notice.site_address,
        deadline: format_local(a.state.deadline_at, state.tz),
        remaining: format_duration(left.abs(), Lang::Zh),
        overdue: left < 0,
        open: assignment.status.is_open(),
        declinable: assignment.decline().is_ok(),
        milestones,
        onsite: a.state.requires_onsite,
        photos: photos.iter().map(|p| photo_line(p, state.tz)).collect(),
        flash,
        flash_ok,
    })
}
