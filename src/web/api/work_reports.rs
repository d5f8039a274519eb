//! Work reports (汇报) over the API: each unit's month, saved as a draft and
//! submitted; the month's table of every unit in scope with where each
//! stands against its due time.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::domain::access::Caller;
use crate::domain::work_report::{DueStanding, Month, WorkReport, WorkReportDraft, WorkReportInput, WorkReportStatus};
use crate::reports::local;
use crate::reports::work_reports::month_lines;
use crate::web::auth::Authenticated;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::problem::{ApiError, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(month_table)).routes(routes!(get_one, save)).routes(routes!(submit))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkReportView {
    pub unit_id: i64,
    /// `YYYY-MM`.
    pub month: String,
    pub status: WorkReportStatus,
    pub work_done: String,
    pub problems: String,
    pub next_plans: String,
    pub due_at: DateTime<FixedOffset>,
    pub standing: DueStanding,
    pub submitted_at: Option<DateTime<FixedOffset>>,
    pub submitted_by: Option<String>,
    pub updated_at: DateTime<FixedOffset>,
}

/// One unit's line in a month's table.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkReportLine {
    pub unit_id: i64,
    pub unit_name: String,
    pub standing: DueStanding,
    /// `None` until the unit saves a draft.
    pub status: Option<WorkReportStatus>,
    pub submitted_at: Option<DateTime<FixedOffset>>,
    pub submitted_by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkReportTable {
    pub month: String,
    pub due_at: DateTime<FixedOffset>,
    pub units: Vec<WorkReportLine>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MonthQuery {
    /// `YYYY-MM`; the month owed now (the one just ended) when left out.
    pub month: Option<String>,
}

fn view(state: &AppState, r: WorkReport) -> WorkReportView {
    let due = state.app.schedule().due_at(r.month, state.tz);
    WorkReportView {
        unit_id: r.unit_id,
        month: r.month.to_string(),
        status: r.status,
        due_at: local(due, state.tz),
        standing: DueStanding::of(due, r.submitted_at, state.clock.now()),
        submitted_at: r.submitted_at.map(|t| local(t, state.tz)),
        submitted_by: r.submitted_by,
        updated_at: local(r.updated_at, state.tz),
        work_done: r.content.work_done,
        problems: r.content.problems,
        next_plans: r.content.next_plans,
    }
}

/// The month asked for, or the one owed now.
pub fn month_or_owed(state: &AppState, raw: Option<&str>) -> Result<Month, ApiError> {
    match raw.map(str::trim).filter(|m| !m.is_empty()) {
        Some(raw) => Ok(Month::parse(raw).map_err(|e| crate::domain::DomainError::Invalid(vec![e]))?),
        None => Ok(state.app.schedule().owed(state.clock.now(), state.tz)),
    }
}

/// A month's work reports: every unit in scope, flagged as it stands.
#[utoipa::path(get, path = "/work-reports", tag = "work-reports", params(MonthQuery),
    responses((status = 200, body = WorkReportTable), (status = 422, body = Problem)), security(("bearer" = [])))]
async fn month_table(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> Result<Json<WorkReportTable>, ApiError> {
    let month = month_or_owed(&state, q.month.as_deref())?;
    let lines = month_lines(&state, &actor, month).await?;
    let units = lines
        .into_iter()
        .map(|l| WorkReportLine {
            unit_id: l.unit_id,
            unit_name: l.unit_name,
            standing: l.standing,
            status: l.report.as_ref().map(|r| r.status),
            submitted_at: l.report.as_ref().and_then(|r| r.submitted_at).map(|t| local(t, state.tz)),
            submitted_by: l.report.and_then(|r| r.submitted_by),
        })
        .collect();
    let due_at = local(state.app.schedule().due_at(month, state.tz), state.tz);
    Ok(Json(WorkReportTable { month: month.to_string(), due_at, units }))
}

/// A unit's report for a month (404 before one is saved).
#[utoipa::path(get, path = "/units/{id}/work-reports/{month}", tag = "work-reports",
    params(("id" = i64, Path), ("month" = String, Path)),
    responses((status = 200, body = WorkReportView), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath((id, month)): ApiPath<(i64, String)>,
) -> Result<Json<WorkReportView>, ApiError> {
    let month = month_or_owed(&state, Some(&month))?;
    Ok(Json(view(&state, state.app.reads(&actor).work_report(id, month).await?)))
}

/// Save a unit's draft for a month (work done, problems, next plans) until it is submitted.
#[utoipa::path(put, path = "/units/{id}/work-reports/{month}", tag = "work-reports",
    params(("id" = i64, Path), ("month" = String, Path)), request_body = WorkReportInput,
    responses((status = 200, body = WorkReportView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn save(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath((id, month)): ApiPath<(i64, String)>,
    ApiJson(input): ApiJson<WorkReportInput>,
) -> Result<Json<WorkReportView>, ApiError> {
    let month = month_or_owed(&state, Some(&month))?;
    let draft = WorkReportDraft::parse(&input)?;
    let saved = state.app.save_work_report(&Caller::User(actor), Some(id), month, draft).await?;
    Ok(Json(view(&state, saved)))
}

/// Submit a unit's report for a month that has ended, every part filled in.
#[utoipa::path(post, path = "/units/{id}/work-reports/{month}/submit", tag = "work-reports",
    params(("id" = i64, Path), ("month" = String, Path)),
    responses((status = 200, body = WorkReportView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn submit(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath((id, month)): ApiPath<(i64, String)>,
) -> Result<Json<WorkReportView>, ApiError> {
    let month = month_or_owed(&state, Some(&month))?;
    let submitted = state.app.submit_work_report(&Caller::User(actor), Some(id), month).await?;
    Ok(Json(view(&state, submitted)))
}
