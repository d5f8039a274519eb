//! Evidence files over the API: a file posted as `multipart/form-data`
//! (field `file`) to the record it belongs to, the record's files listed,
//! and one file downloaded (always as an attachment, never rendered) or its
//! thumbnail. Who may do which is the application layer's.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::app::attachments::Download;
use crate::domain::access::Caller;
use crate::domain::assignment::Milestone;
use crate::domain::attachment::{Attachment, Subject};
use crate::web::auth::Authenticated;
use crate::web::extract::ApiPath;
use crate::web::problem::{ApiError, Problem};
use crate::web::upload::{UploadError, file_of};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(notice_files, attach_to_notice))
        .routes(routes!(milestone_files, attach_to_milestone))
        .routes(routes!(closure_files, attach_to_closure))
        .routes(routes!(special_report_files, attach_to_special_report))
        .routes(routes!(threat_report_files, attach_to_threat_report))
        .routes(routes!(download))
        .routes(routes!(thumbnail))
        // Uploads are limited as they are read, by the largest class's size.
        .layer(DefaultBodyLimit::disable())
}

impl From<UploadError> for ApiError {
    fn from(e: UploadError) -> Self {
        match e {
            UploadError::Malformed(detail) => ApiError::BadRequest { status: StatusCode::BAD_REQUEST, detail },
            UploadError::FormRefused => ApiError::BadRequest { status: StatusCode::BAD_REQUEST, detail: e.to_string() },
            UploadError::Refused(field) | UploadError::TooLarge(field) => ApiError::Validation(vec![field]),
            UploadError::Receiving(e) => {
                tracing::error!(error = %e, "receiving an upload failed");
                ApiError::Unavailable("the file could not be received".into())
            }
        }
    }
}

/// Reads the posted file and keeps it on `subject` as `caller`.
async fn upload(
    state: &AppState,
    caller: &Caller,
    subject: Subject,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let multipart = multipart.map_err(|e| ApiError::BadRequest { status: e.status(), detail: e.body_text() })?;
    let file = match file_of(multipart, &state.config.evidence).await {
        Ok(file) => file,
        Err(e @ UploadError::TooLarge(_)) => {
            return Ok(([(header::CONNECTION, "close")], ApiError::from(e)).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    Ok((StatusCode::CREATED, Json(state.app.attach(caller, subject, file).await?)).into_response())
}

/// The notice's own files (the bureau's 通报 as a PDF, say).
#[utoipa::path(get, path = "/notices/{id}/attachments", tag = "attachments", params(("id" = i64, Path)),
    responses((status = 200, body = [Attachment]), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn notice_files(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<Attachment>>, ApiError> {
    Ok(Json(state.app.attachments(&Caller::User(actor), Subject::notice(id)).await?))
}

/// Attach a file to a notice (the bureau).
#[utoipa::path(post, path = "/notices/{id}/attachments", tag = "attachments", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "the file in the field `file`"),
    responses((status = 201, body = Attachment), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn attach_to_notice(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    upload(&state, &Caller::User(actor), Subject::notice(id), multipart).await
}

/// The files proving one milestone of an assignment (an on-site photo, say).
#[utoipa::path(get, path = "/assignments/{id}/milestones/{milestone}/attachments", tag = "attachments",
    params(("id" = i64, Path), ("milestone" = Milestone, Path)),
    responses((status = 200, body = [Attachment]), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn milestone_files(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath((id, milestone)): ApiPath<(i64, Milestone)>,
) -> Result<Json<Vec<Attachment>>, ApiError> {
    Ok(Json(state.app.attachments(&Caller::User(actor), Subject::milestone(id, milestone)).await?))
}

/// Attach a file to one milestone of an assignment (the unit, or the bureau).
#[utoipa::path(post, path = "/assignments/{id}/milestones/{milestone}/attachments", tag = "attachments",
    params(("id" = i64, Path), ("milestone" = Milestone, Path)),
    request_body(content_type = "multipart/form-data", description = "the file in the field `file`"),
    responses((status = 201, body = Attachment), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn attach_to_milestone(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath((id, milestone)): ApiPath<(i64, Milestone)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    upload(&state, &Caller::User(actor), Subject::milestone(id, milestone), multipart).await
}

/// The files of an assignment's closure report (screenshots, logs, captures).
#[utoipa::path(get, path = "/assignments/{id}/closure-report/attachments", tag = "attachments", params(("id" = i64, Path)),
    responses((status = 200, body = [Attachment]), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn closure_files(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<Attachment>>, ApiError> {
    Ok(Json(state.app.attachments(&Caller::User(actor), Subject::closure_report(id)).await?))
}

/// Attach a file to an assignment's closure report.
#[utoipa::path(post, path = "/assignments/{id}/closure-report/attachments", tag = "attachments", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "the file in the field `file`"),
    responses((status = 201, body = Attachment), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn attach_to_closure(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    upload(&state, &Caller::User(actor), Subject::closure_report(id), multipart).await
}

/// The files of a special report.
#[utoipa::path(get, path = "/special-reports/{id}/attachments", tag = "attachments", params(("id" = i64, Path)),
    responses((status = 200, body = [Attachment]), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn special_report_files(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<Attachment>>, ApiError> {
    Ok(Json(state.app.attachments(&Caller::User(actor), Subject::special_report(id)).await?))
}

/// Attach a file to a special report.
#[utoipa::path(post, path = "/special-reports/{id}/attachments", tag = "attachments", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "the file in the field `file`"),
    responses((status = 201, body = Attachment), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn attach_to_special_report(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    upload(&state, &Caller::User(actor), Subject::special_report(id), multipart).await
}

/// The files of a threat report (samples as encrypted zips among them).
#[utoipa::path(get, path = "/threat-reports/{id}/attachments", tag = "attachments", params(("id" = i64, Path)),
    responses((status = 200, body = [Attachment]), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn threat_report_files(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<Attachment>>, ApiError> {
    Ok(Json(state.app.attachments(&Caller::User(actor), Subject::threat_report(id)).await?))
}

/// Attach a file to a threat report.
#[utoipa::path(post, path = "/threat-reports/{id}/attachments", tag = "attachments", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "the file in the field `file`"),
    responses((status = 201, body = Attachment), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn attach_to_threat_report(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    upload(&state, &Caller::User(actor), Subject::threat_report(id), multipart).await
}

/// A download: saved under its kept name, never rendered in place.
pub fn saved(d: Download) -> Response {
    let name = &d.attachment.name;
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let disposition =
        format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", utf8_percent_encode(name, NON_ALPHANUMERIC));
    let mut response = axum::body::Body::from_stream(d.body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&d.attachment.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(d.size));
    response
}

/// Download a file, as whoever may read its record (audited).
#[utoipa::path(get, path = "/attachments/{id}", tag = "attachments", params(("id" = i64, Path)),
    responses((status = 200, description = "the file, as its content's type", content(
        (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "image/gif"), (Vec<u8> = "image/webp"),
        (Vec<u8> = "application/pdf"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        (Vec<u8> = "application/x-ole-storage"), (Vec<u8> = "text/plain"),
        (Vec<u8> = "application/vnd.tcpdump.pcap"), (Vec<u8> = "application/x-pcapng"), (Vec<u8> = "application/zip"))),
        (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn download(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    Ok(saved(state.app.download(&Caller::User(actor), id).await?))
}

/// A photo's thumbnail: a small JPEG drawn from it, without its metadata.
#[utoipa::path(get, path = "/attachments/{id}/thumbnail", tag = "attachments", params(("id" = i64, Path)),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn thumbnail(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let d = state.app.thumbnail(&Caller::User(actor), id).await?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::X_CONTENT_TYPE_OPTIONS, "nosniff")], d.bytes).into_response())
}
