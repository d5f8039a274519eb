//! HTTP: the JSON API, health checks and the HTML pages, combined into one
//! router with the layers every request passes through.

pub mod api;
pub mod assets;
pub mod auth;
pub mod callbacks;
pub mod cookie;
pub mod deadline;
pub mod extract;
pub mod health;
pub mod listener;
pub mod origin;
pub mod pages;
pub mod problem;
pub mod session;
pub mod telegram;
pub mod upload;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::AppState;
use problem::ApiError;

pub fn router(state: AppState) -> Router {
    let body_limit = state.config.http.body_limit_bytes;
    let deadlines = deadline::Deadlines {
        request: state.config.http.request_timeout,
        upload: state.config.evidence.upload_timeout,
    };
    let public_url: std::sync::Arc<str> = state.config.http.public_url.as_str().into();
    let mut router = Router::new()
        .merge(api::router())
        .merge(health::router())
        .merge(pages::router())
        .merge(assets::router())
        .merge(telegram::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(public_url, origin::same_site_only))
        .layer(axum::middleware::from_fn_with_state(state.clone(), pages::error::error_pages))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(deadlines, deadline::deadline))
        .layer(TraceLayer::new_for_http());
    for (name, value) in SECURITY_HEADERS {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    router.with_state(state)
}

/// What every answer carries: no scripts but our own (none inline), no
/// framing, no sniffing, and no referrer (action-link tokens live in URLs).
const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
];

/// A file to download: its type, the name it is saved under, its bytes.
pub fn attachment(
    content_type: &'static str,
    name: &str,
    body: impl Into<axum::body::Body>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body.into(),
    )
        .into_response()
}

/// The registry's table as a file to download in `format`, for every door
/// that exports it.
pub fn registry_download(
    table: &[Vec<String>],
    format: crate::reports::registry_sheet::SheetFormat,
) -> Result<axum::response::Response, rust_xlsxwriter::XlsxError> {
    use crate::reports::registry_sheet::{SheetFormat, file_of};
    let content_type = match format {
        SheetFormat::Csv => CSV,
        SheetFormat::Xlsx => XLSX,
    };
    Ok(attachment(content_type, &format!("onsite-registry.{}", format.extension()), file_of(table, format)?))
}

/// The peer's address (the audit log says where an action came from).
pub fn client_address(parts: &axum::http::request::Parts) -> Option<std::net::IpAddr> {
    parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip())
}

/// The content types of the exports.
pub const CSV: &str = "text/csv; charset=utf-8";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// No such route: problem+json under `/api/`, the error page elsewhere.
async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::NotFound(format!("no route for {}", uri.path())).into_response()
    } else {
        pages::error::PageError::NotFound.into_response()
    }
}

/// A page asked for with the wrong method (a form's address typed in) is
/// not there to be read; the API says which method it is.
async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    if !uri.path().starts_with("/api/") {
        return pages::error::PageError::NotFound.into_response();
    }
    ApiError::BadRequest {
        status: StatusCode::METHOD_NOT_ALLOWED,
        detail: format!("{method} is not allowed on {}", uri.path()),
    }
    .into_response()
}
