//! Special reports (专项报告) over the API: a unit files, edits and submits
//! its own; the bureau accepts or returns them and issues a notice from an
//! accepted one; everyone in scope reads them, as DOCX too, and the list as
//! XLSX.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::closure::ReviewBody;
use super::views::NoticeView;
use crate::AppState;
use crate::domain::access::{Actor, Caller};
use crate::domain::attachment::Subject;
use crate::domain::review::{ReviewAction, ReviewStatus};
use crate::domain::special_report::{NoticeOrder, SpecialReportDraft, SpecialReportInput};
use crate::reports::special_reports::{
    SpecialReportDetail, SpecialReportView, detail, docx, exhibits, views, workbook,
};
use crate::store::StoreResult;
use crate::store::special_reports::SpecialReportFilter;
use crate::web::auth::Authenticated;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::problem::{ApiError, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(file, list))
        .routes(routes!(list_xlsx))
        .routes(routes!(get_one, edit))
        .routes(routes!(submit))
        .routes(routes!(accept))
        .routes(routes!(return_report))
        .routes(routes!(issue_notice))
        .routes(routes!(get_docx))
}

/// A new report: the content, and for the bureau the unit it files for.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewSpecialReport {
    /// The reporting unit: a unit's user files for their own and may leave it out.
    pub unit_id: Option<i64>,
    #[serde(flatten)]
    pub report: SpecialReportInput,
}

/// File a special report as a draft (a unit, or the bureau for a unit).
#[utoipa::path(post, path = "/special-reports", tag = "special-reports", request_body = NewSpecialReport,
    responses((status = 201, body = SpecialReportDetail), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn file(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(body): ApiJson<NewSpecialReport>,
) -> Result<(StatusCode, Json<SpecialReportDetail>), ApiError> {
    let draft = SpecialReportDraft::parse(&body.report)?;
    let saved = state.app.file_special_report(&Caller::User(actor.clone()), body.unit_id, draft).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &actor, saved.id).await?)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SpecialReportQuery {
    pub unit_id: Option<i64>,
    pub status: Option<ReviewStatus>,
    /// Only reports concerning this registered detection object.
    pub enterprise_id: Option<i64>,
    /// Created at or after this time (RFC 3339).
    #[serde(default, deserialize_with = "crate::domain::instant::bounded_opt")]
    pub from: Option<DateTime<FixedOffset>>,
    /// Created before this time (RFC 3339).
    #[serde(default, deserialize_with = "crate::domain::instant::bounded_opt")]
    pub to: Option<DateTime<FixedOffset>>,
}

impl SpecialReportQuery {
    fn filter(&self) -> SpecialReportFilter {
        SpecialReportFilter {
            unit_id: self.unit_id,
            status: self.status,
            enterprise_id: self.enterprise_id,
            from: self.from.map(|t| t.to_utc()),
            to: self.to.map(|t| t.to_utc()),
        }
    }
}

async fn listed(state: &AppState, actor: &Actor, q: &SpecialReportQuery) -> StoreResult<Vec<SpecialReportView>> {
    let reads = state.app.reads(actor);
    let reports = reads.special_reports(&q.filter()).await?;
    views(state, &reads, reports).await
}

/// Special reports in the caller's scope, newest first.
#[utoipa::path(get, path = "/special-reports", tag = "special-reports", params(SpecialReportQuery),
    responses((status = 200, body = [SpecialReportView])), security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(q): ApiQuery<SpecialReportQuery>,
) -> Result<Json<Vec<SpecialReportView>>, ApiError> {
    Ok(Json(listed(&state, &actor, &q).await?))
}

/// The same list as a workbook.
#[utoipa::path(get, path = "/special-reports.xlsx", tag = "special-reports", params(SpecialReportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)),
    security(("bearer" = [])))]
async fn list_xlsx(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(q): ApiQuery<SpecialReportQuery>,
) -> Result<Response, ApiError> {
    let body = workbook(&listed(&state, &actor, &q).await?).map_err(|e| ApiError::Internal(format!("xlsx: {e}")))?;
    Ok(crate::web::attachment(crate::web::XLSX, "special-reports.xlsx", body))
}

/// One special report with its timeline.
#[utoipa::path(get, path = "/special-reports/{id}", tag = "special-reports", params(("id" = i64, Path)),
    responses((status = 200, body = SpecialReportDetail), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SpecialReportDetail>, ApiError> {
    Ok(Json(detail(&state, &actor, id).await?))
}

/// Replace a draft's (or a returned report's) content.
#[utoipa::path(put, path = "/special-reports/{id}", tag = "special-reports", params(("id" = i64, Path)), request_body = SpecialReportInput,
    responses((status = 200, body = SpecialReportDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn edit(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SpecialReportInput>,
) -> Result<Json<SpecialReportDetail>, ApiError> {
    let draft = SpecialReportDraft::parse(&input)?;
    state.app.edit_special_report(&Caller::User(actor.clone()), id, draft).await?;
    Ok(Json(detail(&state, &actor, id).await?))
}

async fn step(
    state: &AppState,
    actor: &Actor,
    id: i64,
    action: ReviewAction,
    comment: Option<&str>,
) -> Result<Json<SpecialReportDetail>, ApiError> {
    state.app.special_report_step(&Caller::User(actor.clone()), id, action, comment).await?;
    Ok(Json(detail(state, actor, id).await?))
}

/// Submit the report to the bureau (needs event time, description, cause,
/// impact, countermeasures).
#[utoipa::path(post, path = "/special-reports/{id}/submit", tag = "special-reports", params(("id" = i64, Path)),
    responses((status = 200, body = SpecialReportDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn submit(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SpecialReportDetail>, ApiError> {
    step(&state, &actor, id, ReviewAction::Submit, None).await
}

/// Accept a submitted report (bureau).
#[utoipa::path(post, path = "/special-reports/{id}/accept", tag = "special-reports", params(("id" = i64, Path)), request_body = ReviewBody,
    responses((status = 200, body = SpecialReportDetail), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
async fn accept(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Json<SpecialReportDetail>, ApiError> {
    step(&state, &actor, id, ReviewAction::Accept, body.comment.as_deref()).await
}

/// Return a submitted report to its unit with a comment (bureau).
#[utoipa::path(post, path = "/special-reports/{id}/return", tag = "special-reports", params(("id" = i64, Path)), request_body = ReviewBody,
    responses((status = 200, body = SpecialReportDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn return_report(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Json<SpecialReportDetail>, ApiError> {
    step(&state, &actor, id, ReviewAction::Return, body.comment.as_deref()).await
}

/// Issue a notice pre-filled from an accepted report (bureau): its title,
/// category, severity, description and first registered object; the body
/// names the units and, unless that object's address serves, the site.
#[utoipa::path(post, path = "/special-reports/{id}/notice", tag = "special-reports", params(("id" = i64, Path)), request_body = NoticeOrder,
    responses((status = 201, body = NoticeView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn issue_notice(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(order): ApiJson<NoticeOrder>,
) -> Result<(StatusCode, Json<NoticeView>), ApiError> {
    let caller = Caller::User(actor);
    let record = state.app.notice_from_special_report(&caller, id, &order).await?;
    Ok((StatusCode::CREATED, Json(super::notices::view(&state, &caller, record, state.clock.now()).await?)))
}

/// The report as a Word document (DOCX) in the closure report's house style.
#[utoipa::path(get, path = "/special-reports/{id}/report.docx", tag = "special-reports", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn get_docx(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let d = detail(&state, &actor, id).await?;
    let files = state.app.exhibits(&Caller::User(actor), Subject::special_report(id)).await?;
    let body = docx(&d, &exhibits(files, state.tz)).map_err(|e| ApiError::Internal(format!("docx: {e}")))?;
    Ok(crate::web::attachment(crate::web::DOCX, &format!("special-report-{id}.docx"), body))
}
