//! The API's one error type and its only conversion to HTTP: RFC 9457
//! problem details (`application/problem+json`). A 5xx logs its cause and
//! answers with a generic body.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::app::AppError;
use crate::domain::access::Need;
use crate::domain::labels::Lang;
use crate::domain::{DomainError, FieldError};
use crate::store::StoreError;

/// When a busy service asks to be tried again.
const RETRY_AFTER_SECONDS: &str = "5";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    BadRequest { status: StatusCode, detail: String },
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String, detail_zh: String },
    #[error("{0}")]
    NotFound(String),
    #[error("authentication required")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(&'static str),
    /// The caller's role may never do this (the application layer's refusal).
    #[error("{}", .0.refusal(crate::domain::labels::Lang::En))]
    Denied(Need),
    #[error("temporarily unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// The problem document, as documented in the OpenAPI schema.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The same detail in Chinese, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail_zh: Option<String>,
    /// A stable machine-readable code.
    pub code: String,
    /// Field errors of a 422.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, String, Option<String>, String) {
        match self {
            ApiError::BadRequest { status, detail } => {
                (*status, "bad_request", detail.clone(), None, status_code_name(*status))
            }
            ApiError::Validation(errors) => {
                let detail =
                    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
                let zh = errors.iter().map(|e| e.message_zh.clone()).collect::<Vec<_>>().join("；");
                (StatusCode::UNPROCESSABLE_ENTITY, "Invalid input", detail, Some(zh), "validation".into())
            }
            ApiError::Conflict { code, detail, detail_zh } => {
                (StatusCode::CONFLICT, "Conflict", detail.clone(), Some(detail_zh.clone()), (*code).into())
            }
            ApiError::NotFound(what) => (StatusCode::NOT_FOUND, "Not found", what.clone(), None, "not_found".into()),
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "a valid bearer token is required (Authorization: Bearer …)".into(),
                Some("需要有效的访问令牌".into()),
                "unauthorized".into(),
            ),
            ApiError::Denied(need) => (
                StatusCode::FORBIDDEN,
                "Forbidden",
                need.refusal(Lang::En).into(),
                Some(need.refusal(Lang::Zh).into()),
                "forbidden".into(),
            ),
            ApiError::Forbidden(why) => {
                (StatusCode::FORBIDDEN, "Forbidden", (*why).into(), Some("无权执行此操作".into()), "forbidden".into())
            }
            ApiError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Service unavailable",
                "the service is busy; try again shortly".into(),
                Some("服务繁忙，请稍后重试".into()),
                "unavailable".into(),
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error",
                "something went wrong on our side; it has been logged".into(),
                Some("服务内部错误，已记录".into()),
                "internal".into(),
            ),
        }
    }
}

fn status_code_name(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("error").to_lowercase().replace(' ', "_")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) | ApiError::Unavailable(cause) = &self {
            tracing::error!(error = %cause, "request failed");
        }
        let (status, title, detail, detail_zh, code) = self.parts();
        let title = if title == "bad_request" {
            status.canonical_reason().unwrap_or("Bad request").to_owned()
        } else {
            title.to_owned()
        };
        let errors = match self {
            ApiError::Validation(errors) => errors,
            _ => Vec::new(),
        };
        let body = Problem {
            kind: format!("urn:onsite:problem:{code}"),
            title,
            status: status.as_u16(),
            detail,
            detail_zh,
            code,
            errors,
        };
        let mut response = (status, axum::Json(body)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
        }
        response
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid(errors) => ApiError::Validation(errors),
            DomainError::Conflict { code, message, message_zh } => {
                ApiError::Conflict { code, detail: message, detail_zh: message_zh }
            }
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => ApiError::NotFound(e.to_string()),
            StoreError::Domain(d) => d.into(),
            StoreError::Concurrent { .. } => ApiError::Conflict {
                code: "concurrent_change",
                detail: e.to_string(),
                detail_zh: "数据已被他人同时修改，请重试".into(),
            },
            // Every connection stayed busy past the acquire timeout: overload,
            // not a fault; the client may retry (Retry-After).
            StoreError::Db(db @ sea_orm::DbErr::ConnectionAcquire(_)) => ApiError::Unavailable(db.to_string()),
            StoreError::Db(db) => ApiError::Internal(db.to_string()),
            StoreError::Corrupt(c) => ApiError::Internal(c),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Denied(need) => ApiError::Denied(need),
            AppError::Store(s) => s.into(),
            AppError::Evidence(e) => ApiError::Unavailable(e.to_string()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        ApiError::BadRequest { status: r.status(), detail: r.body_text() }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        // A malformed id in the path names nothing that exists.
        let status = if r.status().is_server_error() { r.status() } else { StatusCode::NOT_FOUND };
        ApiError::BadRequest { status, detail: r.body_text() }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::BadRequest { status: StatusCode::BAD_REQUEST, detail: r.body_text() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_server_error_hides_its_cause() {
        let response = ApiError::Internal("password=hunter2 in a query".into()).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/problem+json");
        let body = axum::body::to_bytes(response.into_body(), 10_000).await.unwrap();
        assert!(!String::from_utf8_lossy(&body).contains("hunter2"));
    }

    #[tokio::test]
    async fn no_free_database_connection_is_a_503_to_retry_not_a_500() {
        let busy = StoreError::Db(sea_orm::DbErr::ConnectionAcquire(sea_orm::error::ConnAcquireErr::Timeout));
        let response = ApiError::from(busy).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "5");
        let body = axum::body::to_bytes(response.into_body(), 10_000).await.unwrap();
        assert!(String::from_utf8_lossy(&body).contains("服务繁忙"));
    }
}
