//! A notice's page: each assignment's clock, milestones, timeline and pages,
//! with the bureau's actions (extend, stand down, reassign, note) and the
//! unit's milestone report; and the list of notices.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::Chrome;
use super::error::PageError;
use super::view::{ClockView, MilestoneView};
use crate::AppState;
use crate::domain::DomainError;
use crate::domain::access::Scope;
use crate::domain::assignment::Milestone;
use crate::domain::change::Reassignment;
use crate::domain::duration::format_local;
use crate::domain::labels::Lang;
use crate::domain::record::Notice;
use crate::store::assignments::Change;
use crate::store::notices::{NoticeFilter, NoticeRecord};
use crate::store::sessions::WebSession;
use crate::web::session::{Posted, SignedIn};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notices", get(list))
        .route("/notices/{id}", get(show))
        .route("/assignments/{id}", get(assignment))
        .route("/assignments/{id}/extend", post(extend))
        .route("/assignments/{id}/stand-down", post(stand_down))
        .route("/assignments/{id}/reassign", post(reassign))
        .route("/assignments/{id}/note", post(note))
        .route("/assignments/{id}/milestone", post(milestone))
}

pub struct NoticeHead {
    pub id: i64,
    pub title: String,
    pub category: &'static str,
    pub severity: &'static str,
    pub severity_code: &'static str,
    pub target: String,
    pub target_kind: &'static str,
    pub site: String,
    pub issued_at: String,
    pub description: String,
}

pub struct EventRow {
    pub at: String,
    pub kind: String,
    pub actor: String,
    pub source: &'static str,
    pub note: Option<String>,
}

pub struct PageRow {
    pub recipient: String,
    pub channel: String,
    pub reason: String,
    pub status: String,
    pub attempts: i32,
    pub sent_at: String,
    pub error: Option<String>,
}

pub struct AssignmentCard {
    pub id: i64,
    pub unit_id: i64,
    pub unit: String,
    pub branch: Option<String>,
    pub sla_code: &'static str,
    pub sla_label: &'static str,
    pub status: &'static str,
    pub open: bool,
    pub pending: bool,
    pub can_report: bool,
    pub notified: String,
    pub deadline: String,
    pub deadline_ms: i64,
    pub at_risk_secs: i64,
    pub remaining: String,
    pub original_deadline: String,
    pub extensions: i32,
    pub stand_down_reason: Option<String>,
    /// The extend form's starting value: 30 minutes past the deadline.
    pub suggested_extension: String,
    pub milestones: Vec<MilestoneView>,
    pub timeline: Vec<EventRow>,
    pub pages: Vec<PageRow>,
}

pub struct UnitOption {
    pub id: i64,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "notice.html")]
struct NoticePage {
    chrome: Chrome,
    n: NoticeHead,
    assignments: Vec<AssignmentCard>,
    all_units: Vec<UnitOption>,
    flash: Option<String>,
}

fn head(n: &Notice, lang: Lang, tz: chrono_tz::Tz) -> NoticeHead {
    NoticeHead {
        id: n.id,
        title: n.title.clone(),
        category: n.category.label(lang),
        severity: n.severity.label(lang),
        severity_code: n.severity.code(),
        target: n.target_name.clone(),
        target_kind: n.target_kind.label(lang),
        site: match (n.site_lat, n.site_lon) {
            (Some(lat), Some(lon)) => format!("{} ({lat:.5}, {lon:.5})", n.site_address),
            _ => n.site_address.clone(),
        },
        issued_at: format_local(n.issued_at, tz),
        description: n.description.clone(),
    }
}

#[derive(Deserialize)]
struct Flash {
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let session = &signed.session;
    let lang = session.lang;
    let store_err = PageError::store(lang);
    let scope = session.actor.scope();
    let NoticeRecord { notice, assignments } = state.store.notice(scope, id).await.map_err(&store_err)?;
    let unit_ids: Vec<i64> = assignments.iter().map(|a| a.unit_id).collect();
    let names = state.store.unit_names(&unit_ids).await.map_err(&store_err)?;
    let now = state.clock.now();
    let mut cards = Vec::with_capacity(assignments.len());
    for a in assignments {
        let clock = ClockView::new(&a, lang, state.tz, now).map_err(&store_err)?;
        let timeline = state.store.timeline(scope, a.id).await.map_err(&store_err)?;
        let pages = state.store.pages(scope, a.id).await.map_err(&store_err)?;
        let branch = match a.branch_id {
            Some(b) => state.store.branch(b).await.map_err(&store_err)?.map(|b| b.name),
            None => None,
        };
        cards.push(AssignmentCard {
            id: a.id,
            unit_id: a.unit_id,
            unit: names.get(&a.unit_id).cloned().unwrap_or_default(),
            branch,
            sla_code: clock.sla_code,
            sla_label: clock.sla_label,
            status: clock.status,
            open: clock.open,
            pending: clock.pending,
            can_report: session.actor.can_report_for(a.unit_id),
            notified: clock.notified,
            deadline: clock.deadline,
            deadline_ms: clock.deadline_ms,
            at_risk_secs: clock.at_risk_secs,
            remaining: clock.remaining,
            original_deadline: format_local(a.original_deadline_at, state.tz),
            extensions: a.extension_count,
            stand_down_reason: a.stand_down_reason.clone(),
            suggested_extension: (a.state.deadline_at.max(now) + chrono::Duration::minutes(30))
                .with_timezone(&state.tz)
                .format("%Y-%m-%dT%H:%M")
                .to_string(),
            milestones: clock.milestones,
            timeline: timeline
                .into_iter()
                .map(|e| EventRow {
                    at: format_local(e.at, state.tz),
                    kind: e.kind.label(lang).to_owned(),
                    actor: e.actor,
                    source: e.source.label(lang),
                    note: e.note,
                })
                .collect(),
            pages: pages
                .into_iter()
                .map(|p| PageRow {
                    recipient: p.recipient,
                    channel: p.channel_kind.label(lang).to_owned(),
                    reason: p.reason.label(lang).to_owned(),
                    status: p.status.label(lang).to_owned(),
                    attempts: p.attempts,
                    sent_at: p.sent_at.map(|t| format_local(t, state.tz)).unwrap_or_default(),
                    error: p.last_error,
                })
                .collect(),
        });
    }
    let all_units = if session.actor.can_direct() {
        state
            .store
            .units(Scope::All)
            .await
            .map_err(&store_err)?
            .into_iter()
            .map(|u| UnitOption { id: u.id, name: u.name })
            .collect()
    } else {
        Vec::new()
    };
    let t = super::text::ui(lang);
    Ok(NoticePage {
        chrome: Chrome::new(&state, session, &signed.path, "notices"),
        n: head(&notice, lang, state.tz),
        assignments: cards,
        all_units,
        flash: flash.done.map(|_| t.done.to_owned()),
    }
    .into_response())
}

/// `/assignments/{id}`: the notice page, scrolled to the assignment; 404 for
/// an assignment outside the reader's scope.
async fn assignment(State(state): State<AppState>, signed: SignedIn, Path(id): Path<i64>) -> Response {
    let lang = signed.session.lang;
    match state.store.assignment(signed.session.actor.scope(), id).await {
        Ok(a) => Redirect::to(&format!("/notices/{}#a{}", a.notice_id, a.id)).into_response(),
        Err(e) => PageError::store(lang)(e).into_response(),
    }
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    offset: u64,
}

pub struct NoticeLine {
    pub id: i64,
    pub title: String,
    pub category: &'static str,
    pub severity: &'static str,
    pub severity_code: &'static str,
    pub issued_at: String,
    pub assignments: Vec<AssignmentLine>,
}

pub struct AssignmentLine {
    pub unit: String,
    pub sla_code: &'static str,
    pub sla_label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "notices.html")]
struct NoticesPage {
    chrome: Chrome,
    notices: Vec<NoticeLine>,
    total: u64,
    prev: Option<u64>,
    next: Option<u64>,
}

const PAGE_SIZE: u64 = 50;

async fn list(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let session = &signed.session;
    let lang = session.lang;
    let store_err = PageError::store(lang);
    let filter = NoticeFilter { limit: PAGE_SIZE, offset: q.offset, ..NoticeFilter::default() };
    let (records, total) = state.store.notices(session.actor.scope(), &filter).await.map_err(&store_err)?;
    let unit_ids: Vec<i64> = records.iter().flat_map(|r| r.assignments.iter().map(|a| a.unit_id)).collect();
    let names = state.store.unit_names(&unit_ids).await.map_err(&store_err)?;
    let now = state.clock.now();
    let mut notices = Vec::with_capacity(records.len());
    for r in records {
        let h = head(&r.notice, lang, state.tz);
        let mut lines = Vec::new();
        for a in &r.assignments {
            let clock = ClockView::new(a, lang, state.tz, now).map_err(&store_err)?;
            lines.push(AssignmentLine {
                unit: names.get(&a.unit_id).cloned().unwrap_or_default(),
                sla_code: clock.sla_code,
                sla_label: clock.sla_label,
            });
        }
        notices.push(NoticeLine {
            id: h.id,
            title: h.title,
            category: h.category,
            severity: h.severity,
            severity_code: h.severity_code,
            issued_at: h.issued_at,
            assignments: lines,
        });
    }
    Ok(NoticesPage {
        chrome: Chrome::new(&state, session, &signed.path, "notices"),
        notices,
        total,
        prev: q.offset.checked_sub(PAGE_SIZE).or((q.offset > 0).then_some(0)),
        next: (q.offset + PAGE_SIZE < total).then_some(q.offset + PAGE_SIZE),
    }
    .into_response())
}

/// Applies a change from a form and returns to the notice page.
async fn apply(state: &AppState, session: &WebSession, id: i64, change: Result<Change, DomainError>) -> Response {
    let lang = session.lang;
    let caller = session.caller();
    let result = match change {
        Ok(change) => state.app.change_assignment(&caller, id, change).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(r) => Redirect::to(&format!("/notices/{}?done=1#a{}", r.assignment.notice_id, id)).into_response(),
        Err(e) => PageError::app(lang)(e).into_response(),
    }
}

#[derive(Deserialize)]
struct ExtendForm {
    #[serde(default)]
    deadline_at: String,
    #[serde(default)]
    reason: String,
}

async fn extend(State(state): State<AppState>, Path(id): Path<i64>, posted: Posted<ExtendForm>) -> Response {
    let lang = posted.session.lang;
    let Some(deadline) = super::form::local_datetime(&posted.form.deadline_at, state.tz) else {
        return PageError::Refused(lang, super::text::ui(lang).bad_deadline.to_owned()).into_response();
    };
    let change = Change::Extend { deadline_at: deadline.to_utc(), reason: posted.form.reason };
    apply(&state, &posted.session, id, Ok(change)).await
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn stand_down(State(state): State<AppState>, Path(id): Path<i64>, posted: Posted<ReasonForm>) -> Response {
    apply(&state, &posted.session, id, Ok(Change::StandDown { reason: posted.form.reason })).await
}

#[derive(Deserialize)]
struct ReassignForm {
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    reason: String,
}

async fn reassign(State(state): State<AppState>, Path(id): Path<i64>, posted: Posted<ReassignForm>) -> Response {
    let session = &posted.session;
    let lang = session.lang;
    let Ok(unit_id) = posted.form.unit_id.trim().parse::<i64>() else {
        return PageError::BadForm(lang, "unit_id".into()).into_response();
    };
    let caller = session.caller();
    let result = match Reassignment::parse(unit_id, &posted.form.reason) {
        Ok(to) => state.app.reassign(&caller, id, to).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(a) => Redirect::to(&format!("/notices/{}?done=1#a{}", a.notice_id, a.id)).into_response(),
        Err(e) => PageError::app(lang)(e).into_response(),
    }
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    note: String,
}

async fn note(State(state): State<AppState>, Path(id): Path<i64>, posted: Posted<NoteForm>) -> Response {
    apply(&state, &posted.session, id, Change::note(&posted.form.note)).await
}

#[derive(Deserialize)]
struct MilestoneForm {
    #[serde(default)]
    milestone: String,
}

async fn milestone(State(state): State<AppState>, Path(id): Path<i64>, posted: Posted<MilestoneForm>) -> Response {
    let Some(m) = Milestone::from_code(&posted.form.milestone).filter(|m| *m != Milestone::Closed) else {
        return PageError::BadForm(posted.session.lang, "milestone".into()).into_response();
    };
    apply(&state, &posted.session, id, Ok(Change::milestone(m))).await
}
