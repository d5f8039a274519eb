//! Pre-event screening over the API: the bureau adds a period's checklist,
//! each unit reads its own tasks and records results, and everyone in
//! scope reads the progress table.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::local;
use crate::AppState;
use crate::domain::access::Actor;
use crate::domain::access::Caller;
use crate::domain::record::ScreeningTask;
use crate::domain::screening::{
    self, ResultDraft, ScreeningKind, ScreeningOutcome, ScreeningResultInput, ScreeningTasksInput, UnitProgress,
};
use crate::web::auth::Authenticated;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::problem::{ApiError, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(add_tasks, list_tasks)).routes(routes!(record_result)).routes(routes!(progress))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScreeningTaskView {
    pub id: i64,
    pub protection_period_id: i64,
    pub unit_id: i64,
    pub enterprise: String,
    pub target: String,
    pub kind: ScreeningKind,
    pub due_at: Option<DateTime<FixedOffset>>,
    /// Absent until a result is recorded.
    pub outcome: Option<ScreeningOutcome>,
    pub findings: Option<String>,
    pub done_at: Option<DateTime<FixedOffset>>,
    pub done_by: Option<String>,
}

pub fn task_view(state: &AppState, t: ScreeningTask) -> ScreeningTaskView {
    ScreeningTaskView {
        id: t.id,
        protection_period_id: t.protection_period_id,
        unit_id: t.unit_id,
        kind: t.kind,
        outcome: t.outcome,
        due_at: t.due_at.map(|d| local(d, state.tz)),
        done_at: t.done_at.map(|d| local(d, state.tz)),
        enterprise: t.enterprise,
        target: t.target,
        findings: t.findings,
        done_by: t.done_by,
    }
}

/// One unit's row, with its name and share done.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitProgressView {
    pub unit_name: String,
    #[serde(flatten)]
    pub progress: UnitProgress,
    pub percent_done: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScreeningProgressView {
    pub protection_period_id: i64,
    pub units: Vec<UnitProgressView>,
    pub total: UnitProgressView,
}

/// A period's progress table within the actor's scope.
pub async fn progress_of(state: &AppState, actor: &Actor, period_id: i64) -> Result<ScreeningProgressView, ApiError> {
    let reads = state.app.reads(actor);
    let period = reads.protection_period(period_id).await?;
    let tasks = reads.screening_tasks(period_id).await?;
    let states: Vec<_> = tasks.iter().map(|t| t.progress(period.starts_at)).collect();
    let (units, total) = screening::progress(&states, state.clock.now());
    let ids: Vec<i64> = units.iter().map(|u| u.unit_id).collect();
    let names = reads.unit_names(&ids).await?;
    let view = |unit_name: String, progress: UnitProgress| UnitProgressView {
        unit_name,
        percent_done: progress.percent(),
        progress,
    };
    Ok(ScreeningProgressView {
        protection_period_id: period_id,
        units: units
            .into_iter()
            .map(|u| view(names.get(&u.unit_id).cloned().unwrap_or_else(|| format!("#{}", u.unit_id)), u))
            .collect(),
        total: view("合计 Total".into(), total),
    })
}

/// Add enterprises to a period's screening checklist (all or none).
#[utoipa::path(post, path = "/protection-periods/{id}/screening-tasks", tag = "notices",
    params(("id" = i64, Path)), request_body = ScreeningTasksInput,
    responses((status = 201, body = [ScreeningTaskView]), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn add_tasks(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(period_id): ApiPath<i64>,
    ApiJson(input): ApiJson<ScreeningTasksInput>,
) -> Result<(StatusCode, Json<Vec<ScreeningTaskView>>), ApiError> {
    let saved = state.app.add_screening_tasks(&Caller::User(actor), period_id, &input).await?;
    Ok((StatusCode::CREATED, Json(saved.into_iter().map(|t| task_view(&state, t)).collect())))
}

/// A period's screening checklist: a unit sees its own tasks.
#[utoipa::path(get, path = "/protection-periods/{id}/screening-tasks", tag = "notices",
    params(("id" = i64, Path)),
    responses((status = 200, body = [ScreeningTaskView]), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn list_tasks(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(period_id): ApiPath<i64>,
) -> Result<Json<Vec<ScreeningTaskView>>, ApiError> {
    let reads = state.app.reads(&actor);
    reads.protection_period(period_id).await?;
    let tasks = reads.screening_tasks(period_id).await?;
    Ok(Json(tasks.into_iter().map(|t| task_view(&state, t)).collect()))
}

/// Record (or correct) what screening an enterprise found.
#[utoipa::path(put, path = "/screening-tasks/{id}/result", tag = "notices",
    params(("id" = i64, Path)), request_body = ScreeningResultInput,
    responses((status = 200, body = ScreeningTaskView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn record_result(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(task_id): ApiPath<i64>,
    ApiJson(input): ApiJson<ScreeningResultInput>,
) -> Result<Json<ScreeningTaskView>, ApiError> {
    let draft = ResultDraft::parse(&input)?;
    let saved = state.app.record_screening_result(&Caller::User(actor), task_id, draft).await?;
    Ok(Json(task_view(&state, saved)))
}

/// Screening progress per unit: remote and on-site work done, issues
/// found, overdue tasks.
#[utoipa::path(get, path = "/protection-periods/{id}/screening-progress", tag = "notices",
    params(("id" = i64, Path)),
    responses((status = 200, body = ScreeningProgressView), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn progress(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(period_id): ApiPath<i64>,
) -> Result<Json<ScreeningProgressView>, ApiError> {
    Ok(Json(progress_of(&state, &actor, period_id).await?))
}
