//! Work reports on the web: a month's table of every unit in scope with
//! where each stands, and a unit's report for a month, which the unit (or
//! the bureau for it) saves and submits. A refused form comes back with
//! what was typed and why.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use serde::Deserialize;

use super::Chrome;
use super::error::{PageError, outcome_flash};
use super::protection::Flash;
use super::text::{WorkReportText, work_reports};
use crate::AppState;
use crate::app::AppError;
use crate::domain::DomainError;
use crate::domain::access::Need;
use crate::domain::duration::format_local;
use crate::domain::work_report::{DueStanding, Month, WorkReportDraft, WorkReportInput, WorkReportStatus};
use crate::reports::work_reports::month_lines;
use crate::store::StoreError;
use crate::store::sessions::WebSession;
use crate::web::session::{Posted, SignedIn};

pub fn router() -> Router<AppState> {
    Router::new().route("/work-reports", get(list)).route("/units/{id}/work-reports/{month}", get(show).post(save))
}

pub struct Row {
    pub unit_id: i64,
    pub unit: String,
    pub standing: &'static str,
    pub late: bool,
    pub status: String,
    pub submitted_at: String,
    pub submitted_by: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "work_reports.html")]
struct ListPage {
    chrome: Chrome,
    y: &'static WorkReportText,
    month: String,
    due_at: String,
    rows: Vec<Row>,
}

#[derive(Deserialize, Default)]
struct MonthQuery {
    #[serde(default)]
    month: String,
}

fn late(s: DueStanding) -> bool {
    matches!(s, DueStanding::Late | DueStanding::Overdue)
}

/// The month typed, or the one owed now; a bad one is the page's error.
fn month_of(state: &AppState, raw: &str) -> Result<Month, PageError> {
    match super::form::blank_none(raw) {
        Some(raw) => Month::parse(raw).map_err(|e| AppError::from(e).into()),
        None => Ok(state.app.schedule().owed(state.clock.now(), state.tz)),
    }
}

async fn list(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(q): Query<MonthQuery>,
) -> Result<ListPage, PageError> {
    let session = &signed.session;
    let (lang, y) = (session.lang, work_reports(session.lang));
    let month = month_of(&state, &q.month)?;
    let at = |t| format_local(t, state.tz);
    let rows = month_lines(&state, &session.actor, month)
        .await?
        .into_iter()
        .map(|l| Row {
            unit_id: l.unit_id,
            unit: l.unit_name,
            standing: l.standing.label(lang),
            late: late(l.standing),
            status: l.report.as_ref().map_or(y.not_started, |r| r.status.label(lang)).to_owned(),
            submitted_at: l.report.as_ref().and_then(|r| r.submitted_at).map(at).unwrap_or_default(),
            submitted_by: l.report.and_then(|r| r.submitted_by).unwrap_or_default(),
        })
        .collect();
    Ok(ListPage {
        chrome: Chrome::new(&state, session, "/work-reports", "work-reports"),
        y,
        month: month.to_string(),
        due_at: at(state.app.schedule().due_at(month, state.tz)),
        rows,
    })
}

/// The report form as typed, given back when refused.
#[derive(Deserialize, Default, Clone)]
struct ReportForm {
    #[serde(default)]
    work_done: String,
    #[serde(default)]
    problems: String,
    #[serde(default)]
    next_plans: String,
    /// `save` or `submit`.
    #[serde(default)]
    action: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "work_report.html")]
struct ReportPage {
    chrome: Chrome,
    y: &'static WorkReportText,
    unit_id: i64,
    unit: String,
    month: String,
    due_at: String,
    standing: &'static str,
    late: bool,
    status: String,
    submitted: String,
    typed: ReportForm,
    editable: bool,
    flash: Flash,
}

async fn report_page(
    state: &AppState,
    session: &WebSession,
    unit_id: i64,
    month: Month,
    typed: Option<ReportForm>,
    flash: Flash,
) -> Result<ReportPage, PageError> {
    let (lang, y) = (session.lang, work_reports(session.lang));
    let reads = state.app.reads(&session.actor);
    let unit = reads.unit(unit_id).await?;
    let report = match reads.work_report(unit_id, month).await {
        Ok(r) => Some(r),
        Err(StoreError::NotFound { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let due = state.app.schedule().due_at(month, state.tz);
    let standing = DueStanding::of(due, report.as_ref().and_then(|r| r.submitted_at), state.clock.now());
    let submitted = report
        .as_ref()
        .and_then(|r| r.submitted_at.map(|t| (t, r.submitted_by.clone())))
        .map(|(t, by)| format!("{} · {}", format_local(t, state.tz), by.unwrap_or_default()));
    let open = report.as_ref().is_none_or(|r| r.status == WorkReportStatus::Draft);
    let kept = report.as_ref().map(|r| ReportForm {
        work_done: r.content.work_done.clone(),
        problems: r.content.problems.clone(),
        next_plans: r.content.next_plans.clone(),
        action: String::new(),
    });
    Ok(ReportPage {
        chrome: Chrome::new(state, session, &format!("/units/{unit_id}/work-reports/{month}"), "work-reports"),
        y,
        unit_id,
        unit: unit.name,
        month: month.to_string(),
        due_at: format_local(due, state.tz),
        standing: standing.label(lang),
        late: late(standing),
        status: report.as_ref().map_or(y.not_started, |r| r.status.label(lang)).to_owned(),
        submitted: submitted.unwrap_or_default(),
        typed: typed.or(kept).unwrap_or_default(),
        editable: open && state.app.may(&session.caller(), Need::Report).is_ok(),
        flash,
    })
}

async fn show(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, month)): Path<(i64, String)>,
) -> Result<ReportPage, PageError> {
    let month = month_of(&state, &month)?;
    report_page(&state, &signed.session, id, month, None, None).await
}

async fn save(
    State(state): State<AppState>,
    Path((id, month)): Path<(i64, String)>,
    posted: Posted<ReportForm>,
) -> Result<ReportPage, PageError> {
    let session = &posted.session;
    let month = month_of(&state, &month)?;
    let f = &posted.form;
    let input = WorkReportInput {
        work_done: f.work_done.clone(),
        problems: f.problems.clone(),
        next_plans: f.next_plans.clone(),
    };
    let caller = session.caller();
    let result: Result<(), AppError> = async {
        let draft = WorkReportDraft::parse(&input).map_err(AppError::from)?;
        state.app.save_work_report(&caller, Some(id), month, draft).await?;
        if f.action == "submit" {
            state.app.submit_work_report(&caller, Some(id), month).await?;
        }
        Ok(())
    }
    .await;
    let refused = matches!(
        result,
        Err(AppError::Store(StoreError::Domain(DomainError::Invalid(_) | DomainError::Conflict { .. })))
    );
    let flash = outcome_flash(result, session.lang)?;
    report_page(&state, session, id, month, refused.then(|| posted.form.clone()), Some(flash)).await
}
