//! Threat reports (威胁信息报告) over the API: a unit files batches of
//! findings, adds and removes findings while it may edit, and submits; the
//! bureau accepts or returns them; the month's findings come as JSON, as
//! the CAICT workbook and CSV, and as a STIX 2.1 bundle.

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
use crate::AppState;
use crate::domain::DomainError;
use crate::domain::access::{Actor, Caller};
use crate::domain::review::{ReviewAction, ReviewStatus};
use crate::domain::threat::{ThreatFindingDraft, ThreatFindingInput, ThreatReportDraft, ThreatReportInput};
use crate::reports::review::StepView;
use crate::reports::threats::{
    FindingView, MonthFilter, ThreatReportDetail, ThreatReportView, caict_csv, caict_workbook, finding_views, listed,
    stix_bundle,
};
use crate::store::StoreResult;
use crate::store::threat_reports::ThreatReportFilter;
use crate::web::auth::Authenticated;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::problem::{ApiError, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(file, list))
        .routes(routes!(get_one))
        .routes(routes!(add_finding))
        .routes(routes!(remove_finding))
        .routes(routes!(submit))
        .routes(routes!(accept))
        .routes(routes!(return_report))
        .routes(routes!(findings))
        .routes(routes!(findings_xlsx))
        .routes(routes!(findings_csv))
        .routes(routes!(findings_stix))
}

/// One report with its findings and timeline, as `actor` may see it.
pub async fn detail(state: &AppState, actor: &Actor, id: i64) -> StoreResult<ThreatReportDetail> {
    let reads = state.app.reads(actor);
    let report = reads.threat_report(id).await?;
    let timeline = reads.threat_report_events(id).await?.into_iter().map(|e| StepView::new(e, state.tz)).collect();
    let units = reads.unit_names(&[report.unit_id]).await?;
    let view = ThreatReportView::new(&report, &units, state.tz);
    let findings = finding_views(state, &reads, report.findings, |_| None).await?;
    Ok(ThreatReportDetail { report: view, findings, timeline })
}

/// A new report: the title, its first findings, and for the bureau the
/// unit it files for.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewThreatReport {
    /// The reporting unit: a unit's user files for their own and may leave it out.
    pub unit_id: Option<i64>,
    #[serde(flatten)]
    pub report: ThreatReportInput,
}

/// File a threat report as a draft (a unit, or the bureau for a unit).
#[utoipa::path(post, path = "/threat-reports", tag = "threat-reports", request_body = NewThreatReport,
    responses((status = 201, body = ThreatReportDetail), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn file(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(body): ApiJson<NewThreatReport>,
) -> Result<(StatusCode, Json<ThreatReportDetail>), ApiError> {
    let draft = ThreatReportDraft::parse(&body.report)?;
    let saved = state.app.file_threat_report(&Caller::User(actor.clone()), body.unit_id, draft).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &actor, saved.id).await?)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreatReportQuery {
    pub unit_id: Option<i64>,
    pub status: Option<ReviewStatus>,
    /// Created at or after this time (RFC 3339).
    #[serde(default, deserialize_with = "crate::domain::instant::bounded_opt")]
    pub from: Option<DateTime<FixedOffset>>,
    /// Created before this time (RFC 3339).
    #[serde(default, deserialize_with = "crate::domain::instant::bounded_opt")]
    pub to: Option<DateTime<FixedOffset>>,
}

/// Threat reports in the caller's scope, newest first.
#[utoipa::path(get, path = "/threat-reports", tag = "threat-reports", params(ThreatReportQuery),
    responses((status = 200, body = [ThreatReportView])), security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(q): ApiQuery<ThreatReportQuery>,
) -> Result<Json<Vec<ThreatReportView>>, ApiError> {
    let reads = state.app.reads(&actor);
    let filter = ThreatReportFilter {
        unit_id: q.unit_id,
        status: q.status,
        from: q.from.map(|t| t.to_utc()),
        to: q.to.map(|t| t.to_utc()),
    };
    let reports = reads.threat_reports(&filter).await?;
    let units = reads.unit_names(&reports.iter().map(|r| r.unit_id).collect::<Vec<_>>()).await?;
    Ok(Json(reports.iter().map(|r| ThreatReportView::new(r, &units, state.tz)).collect()))
}

/// One threat report with its findings and timeline.
#[utoipa::path(get, path = "/threat-reports/{id}", tag = "threat-reports", params(("id" = i64, Path)),
    responses((status = 200, body = ThreatReportDetail), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ThreatReportDetail>, ApiError> {
    Ok(Json(detail(&state, &actor, id).await?))
}

/// Add a finding to a draft or a returned report.
#[utoipa::path(post, path = "/threat-reports/{id}/findings", tag = "threat-reports", params(("id" = i64, Path)),
    request_body = ThreatFindingInput,
    responses((status = 200, body = ThreatReportDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn add_finding(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ThreatFindingInput>,
) -> Result<Json<ThreatReportDetail>, ApiError> {
    let finding = ThreatFindingDraft::parse("", &input).map_err(DomainError::Invalid)?;
    state.app.add_threat_finding(&Caller::User(actor.clone()), id, finding).await?;
    Ok(Json(detail(&state, &actor, id).await?))
}

/// Remove a finding from a draft or a returned report.
#[utoipa::path(delete, path = "/threat-reports/{id}/findings/{finding_id}", tag = "threat-reports",
    params(("id" = i64, Path), ("finding_id" = i64, Path)),
    responses((status = 200, body = ThreatReportDetail), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
async fn remove_finding(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath((id, finding_id)): ApiPath<(i64, i64)>,
) -> Result<Json<ThreatReportDetail>, ApiError> {
    state.app.remove_threat_finding(&Caller::User(actor.clone()), id, finding_id).await?;
    Ok(Json(detail(&state, &actor, id).await?))
}

async fn step(
    state: &AppState,
    actor: &Actor,
    id: i64,
    action: ReviewAction,
    comment: Option<&str>,
) -> Result<Json<ThreatReportDetail>, ApiError> {
    state.app.threat_report_step(&Caller::User(actor.clone()), id, action, comment).await?;
    Ok(Json(detail(state, actor, id).await?))
}

/// Submit the report to the bureau (needs at least one finding).
#[utoipa::path(post, path = "/threat-reports/{id}/submit", tag = "threat-reports", params(("id" = i64, Path)),
    responses((status = 200, body = ThreatReportDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn submit(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ThreatReportDetail>, ApiError> {
    step(&state, &actor, id, ReviewAction::Submit, None).await
}

/// Accept a submitted report (bureau).
#[utoipa::path(post, path = "/threat-reports/{id}/accept", tag = "threat-reports", params(("id" = i64, Path)), request_body = ReviewBody,
    responses((status = 200, body = ThreatReportDetail), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
async fn accept(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Json<ThreatReportDetail>, ApiError> {
    step(&state, &actor, id, ReviewAction::Accept, body.comment.as_deref()).await
}

/// Return a submitted report to its unit with a comment (bureau).
#[utoipa::path(post, path = "/threat-reports/{id}/return", tag = "threat-reports", params(("id" = i64, Path)), request_body = ReviewBody,
    responses((status = 200, body = ThreatReportDetail), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn return_report(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Json<ThreatReportDetail>, ApiError> {
    step(&state, &actor, id, ReviewAction::Return, body.comment.as_deref()).await
}

/// The period's findings (submitted and accepted reports) in the caller's scope.
#[utoipa::path(get, path = "/threat-findings", tag = "threat-reports", params(MonthFilter),
    responses((status = 200, body = [FindingView]), (status = 422, body = Problem)), security(("bearer" = [])))]
async fn findings(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(q): ApiQuery<MonthFilter>,
) -> Result<Json<Vec<FindingView>>, ApiError> {
    Ok(Json(listed(&state, &actor, &q).await?.1))
}

/// The same findings as the CAICT workbook (the layout in docs/threat-export.md).
#[utoipa::path(get, path = "/threat-findings.xlsx", tag = "threat-reports", params(MonthFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn findings_xlsx(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(q): ApiQuery<MonthFilter>,
) -> Result<Response, ApiError> {
    let (name, views) = listed(&state, &actor, &q).await?;
    let body = caict_workbook(&views).map_err(|e| ApiError::Internal(format!("xlsx: {e}")))?;
    Ok(crate::web::attachment(crate::web::XLSX, &format!("threat-findings-{name}.xlsx"), body))
}

/// The same findings as CSV in the same columns.
#[utoipa::path(get, path = "/threat-findings.csv", tag = "threat-reports", params(MonthFilter),
    responses((status = 200, content_type = "text/csv", body = String), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn findings_csv(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(q): ApiQuery<MonthFilter>,
) -> Result<Response, ApiError> {
    let (name, views) = listed(&state, &actor, &q).await?;
    let body = caict_csv(&views).map_err(|e| ApiError::Internal(format!("csv: {e}")))?;
    Ok(crate::web::attachment(crate::web::CSV, &format!("threat-findings-{name}.csv"), body))
}

/// The same findings as a STIX 2.1 bundle.
#[utoipa::path(get, path = "/threat-findings.stix.json", tag = "threat-reports", params(MonthFilter),
    responses((status = 200, content_type = "application/stix+json;version=2.1", body = Object), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn findings_stix(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(q): ApiQuery<MonthFilter>,
) -> Result<Response, ApiError> {
    let (name, bundle) = stix_bundle(&state, &actor, &q).await?;
    let body = serde_json::to_vec_pretty(&bundle).map_err(|e| ApiError::Internal(format!("stix: {e}")))?;
    Ok(crate::web::attachment(crate::reports::stix::MEDIA_TYPE, &format!("threat-findings-{name}.stix.json"), body))
}
