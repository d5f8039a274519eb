//! The closure report of an assignment (处置报告): the unit saves drafts and
//! submits; the bureau accepts or returns with a comment. Also as DOCX.

use axum::Json;
use axum::extract::State;

use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::domain::access::Actor;
use crate::domain::access::Caller;
use crate::domain::closure::{ClosureDraft, ClosureInput};
use crate::domain::review::ReviewAction;
use crate::reports::closure::{ClosureReportView, docx, exhibits};
use crate::store::StoreError;
use crate::web::auth::Authenticated;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::problem::{ApiError, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_report, put_report))
        .routes(routes!(submit))
        .routes(routes!(accept))
        .routes(routes!(return_report))
        .routes(routes!(get_docx))
}

/// The report as shown, or 404 when none has been started.
pub async fn view(state: &AppState, actor: &Actor, id: i64) -> Result<ClosureReportView, StoreError> {
    let reads = state.app.reads(actor);
    let report = reads.closure_report(id).await?.ok_or(StoreError::not_found("closure report", id))?;
    let a = reads.assignment(id).await?;
    let title = reads.notice(a.notice_id).await?.notice.title;
    let unit = reads.unit_names(&[a.unit_id]).await?.remove(&a.unit_id).unwrap_or_default();
    Ok(ClosureReportView::new(report, &a, title, unit, state.tz, state.clock.now()))
}

/// The assignment's closure report.
#[utoipa::path(get, path = "/assignments/{id}/closure-report", tag = "closure", params(("id" = i64, Path)),
    responses((status = 200, body = ClosureReportView), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn get_report(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ClosureReportView>, ApiError> {
    Ok(Json(view(&state, &actor, id).await?))
}

/// Save the closure report (a draft: long texts may still be empty;
/// indicators are validated). Refused once submitted, until returned.
#[utoipa::path(put, path = "/assignments/{id}/closure-report", tag = "closure", params(("id" = i64, Path)), request_body = ClosureInput,
    responses((status = 200, body = ClosureReportView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn put_report(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ClosureInput>,
) -> Result<Json<ClosureReportView>, ApiError> {
    let draft = ClosureDraft::parse(&input)?;
    state.app.save_closure_report(&Caller::User(actor.clone()), id, draft).await?;
    Ok(Json(view(&state, &actor, id).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReviewBody {
    /// Why it is returned (required to return); optional on acceptance.
    pub comment: Option<String>,
}

async fn step(
    state: &AppState,
    actor: &Actor,
    id: i64,
    action: ReviewAction,
    comment: Option<&str>,
) -> Result<Json<ClosureReportView>, ApiError> {
    state.app.closure_step(&Caller::User(actor.clone()), id, action, comment).await?;
    Ok(Json(view(state, actor, id).await?))
}

/// Submit the report to the bureau (needs event time, description, cause, impact, countermeasures).
#[utoipa::path(post, path = "/assignments/{id}/closure-report/submit", tag = "closure", params(("id" = i64, Path)),
    responses((status = 200, body = ClosureReportView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn submit(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ClosureReportView>, ApiError> {
    step(&state, &actor, id, ReviewAction::Submit, None).await
}

/// Accept a submitted report (bureau).
#[utoipa::path(post, path = "/assignments/{id}/closure-report/accept", tag = "closure", params(("id" = i64, Path)), request_body(content = ReviewBody, content_type = "application/json"),
    responses((status = 200, body = ClosureReportView), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
async fn accept(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    body: axum::body::Bytes,
) -> Result<Json<ClosureReportView>, ApiError> {
    // The body is optional: nothing, or `{"comment": "…"}`.
    let comment = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<ReviewBody>(&body)
            .map_err(|e| ApiError::BadRequest {
                status: axum::http::StatusCode::BAD_REQUEST,
                detail: format!("body: {e}"),
            })?
            .comment
    };
    step(&state, &actor, id, ReviewAction::Accept, comment.as_deref()).await
}

/// Return a submitted report to the unit with a comment (bureau).
#[utoipa::path(post, path = "/assignments/{id}/closure-report/return", tag = "closure", params(("id" = i64, Path)), request_body = ReviewBody,
    responses((status = 200, body = ClosureReportView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn return_report(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Json<ClosureReportView>, ApiError> {
    step(&state, &actor, id, ReviewAction::Return, body.comment.as_deref()).await
}

/// The report as a Word document (DOCX) in the bureau's layout.
#[utoipa::path(get, path = "/assignments/{id}/closure-report.docx", tag = "closure", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn get_docx(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let v = view(&state, &actor, id).await?;
    let files = state.app.assignment_exhibits(&Caller::User(actor), id).await?;
    let body = docx(&v, &exhibits(files, state.tz)).map_err(|e| ApiError::Internal(format!("docx: {e}")))?;
    Ok(crate::web::attachment(crate::web::DOCX, &format!("closure-report-{id}.docx"), body))
}
