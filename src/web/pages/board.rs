//! The live board: open assignments nearest their deadline first, coloured
//! by the SLA, pushed again over SSE whenever anything commits.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures::Stream;

use super::Chrome;
use super::board_snapshots::Snapshot;
use super::error::PageError;
use super::text::{UiText, ui};
use super::view::{ClockView, MilestoneView};
use crate::AppState;
use crate::domain::duration::format_local;
use crate::domain::labels::Lang;
use crate::store::board::BoardRow;
use crate::store::sessions::WebSession;
use crate::web::session::SignedIn;

pub fn router() -> Router<AppState> {
    Router::new().route("/board", get(show)).route("/board/events", get(events))
}

/// Re-sent even without a change, so a board never drifts for long (a peer
/// without LISTEN, a missed wake-up).
const REFRESH: Duration = Duration::from_secs(30);
/// Changes closer together than this are sent as one.
const SETTLE: Duration = Duration::from_millis(150);
/// How often an open stream looks up its session besides sign-outs here.
const SESSION_RECHECK: Duration = Duration::from_secs(5);

pub struct RowView {
    pub assignment_id: i64,
    pub notice_id: i64,
    pub title: String,
    pub severity: &'static str,
    pub severity_code: &'static str,
    pub category: &'static str,
    pub unit: String,
    pub branch: Option<String>,
    pub notified: String,
    pub milestones: Vec<MilestoneView>,
    pub deadline: String,
    pub deadline_ms: i64,
    pub at_risk_secs: i64,
    pub extended: bool,
    pub extensions: i32,
    pub pending: bool,
    pub remaining: String,
    pub sla_code: &'static str,
    pub sla_label: &'static str,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "board_rows.html")]
struct Rows {
    t: &'static UiText,
    rows: Vec<RowView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "board.html")]
struct BoardPage {
    chrome: Chrome,
    count: usize,
    rows_html: String,
    duty: Vec<DutyView>,
}

/// One branch's duty, as the board shows it.
pub struct DutyView {
    pub unit: String,
    pub branch: String,
    /// Empty in a gap.
    pub person: String,
    pub until: String,
    pub overridden: bool,
}

async fn duty_views(state: &AppState, session: &WebSession) -> Result<Vec<DutyView>, PageError> {
    let now = state.clock.now();
    let lines = state.app.reads(&session.actor).duty_now(now).await?;
    Ok(lines
        .into_iter()
        .map(|d| DutyView {
            unit: d.unit,
            branch: d.branch,
            person: d.person.unwrap_or_default(),
            until: d.shift.as_ref().map(|s| format_local(s.until, state.tz)).unwrap_or_default(),
            overridden: d.shift.is_some_and(|s| s.overridden),
        })
        .collect())
}

fn row_view(r: BoardRow, state: &AppState, lang: Lang) -> Result<RowView, PageError> {
    let clock = ClockView::new(&r.assignment, lang, state.tz, state.clock.now())?;
    Ok(RowView {
        assignment_id: r.assignment.id,
        notice_id: r.notice.id,
        title: r.notice.title,
        severity: r.notice.severity.label(lang),
        severity_code: r.notice.severity.code(),
        category: r.notice.category.label(lang),
        unit: r.unit_name,
        branch: r.branch_name,
        notified: clock.notified,
        milestones: clock.milestones,
        deadline: clock.deadline,
        deadline_ms: clock.deadline_ms,
        at_risk_secs: clock.at_risk_secs,
        extended: r.assignment.extension_count > 0,
        extensions: r.assignment.extension_count,
        pending: clock.pending,
        remaining: clock.remaining,
        sla_code: clock.sla_code,
        sla_label: clock.sla_label,
        status: clock.status,
    })
}

/// The rows for the reader's scope and language: the rendering every viewer
/// in that scope shares for the changes seen so far.
async fn rows(state: &AppState, session: &WebSession) -> Result<Arc<Snapshot>, PageError> {
    let (scope, lang) = (session.actor.scope(), session.lang);
    let seen = state.store.changes_seen();
    state.board.get((scope, lang), seen, state.clock.now(), || render_rows(state, session)).await
}

async fn render_rows(state: &AppState, session: &WebSession) -> Result<Snapshot, PageError> {
    let lang = session.lang;
    let rows = state.app.reads(&session.actor).board().await?;
    let rows = rows.into_iter().map(|r| row_view(r, state, lang)).collect::<Result<Vec<_>, _>>()?;
    let count = rows.len();
    let html = Rows { t: ui(lang), rows }.render().map_err(|e| {
        tracing::error!(error = %e, "board render failed");
        PageError::Unavailable
    })?;
    Ok(Snapshot::new(html, count))
}

async fn show(State(state): State<AppState>, signed: SignedIn) -> Result<BoardPage, PageError> {
    let rows = rows(&state, &signed.session).await?;
    let duty = duty_views(&state, &signed.session).await?;
    Ok(BoardPage {
        chrome: Chrome::new(&state, &signed.session, &signed.path, "board"),
        count: rows.count,
        rows_html: rows.html.clone(),
        duty,
    })
}

async fn events(State(state): State<AppState>, signed: SignedIn) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let session = signed.session;
    let mut changes = state.store.watch_changes();
    let mut ended = state.store.watch_session_ends();
    let stream = async_stream::stream! {
        let mut checked: Option<Instant> = None;
        loop {
            // A stream outlives neither sign-out nor the session's expiry:
            // looked up again when this process ends a session, and every
            // `SESSION_RECHECK` (a peer's sign-out, an expiry), not on every
            // update of a thousand open boards.
            let recheck = checked.is_none_or(|at| at.elapsed() >= SESSION_RECHECK);
            if recheck || ended.has_changed().unwrap_or(true) {
                ended.borrow_and_update();
                if !state.store.session_alive(session.id, state.clock.now()).await.unwrap_or(false) {
                    break;
                }
                checked = Some(Instant::now());
            }
            match rows(&state, &session).await {
                Ok(rows) => yield Ok(Event::default().event("board").data(rows.event(state.clock.now()))),
                Err(e) => tracing::warn!(error = ?e, "board update skipped"),
            }
            tokio::select! {
                changed = changes.changed() => {
                    if changed.is_err() { break; }
                    tokio::time::sleep(SETTLE).await;
                    changes.borrow_and_update();
                }
                () = tokio::time::sleep(REFRESH) => {}
            }
        }
    };
    Sse::new(stream).keep_alive(KeepAlive::default())
}
