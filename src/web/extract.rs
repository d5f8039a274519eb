//! Request extractors whose rejections are problem+json like every other error.

use axum::body::{Body, Bytes};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::{RefOr, Schema};

use super::problem::ApiError;
use crate::domain::FieldError;

/// A JSON body. Malformed JSON or a wrong content type answers 400/415; a
/// body that does not fit names every field that is missing or of the
/// wrong kind at once (422, in both languages), not only the first.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + ToSchema> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        // The body is read once (within the configured limit) and parsed once
        // by axum's own extractor, which also checks the content type; only a
        // body that does not fit is read again, to name every bad field.
        let (parts, body) = req.into_parts();
        let headers = parts.headers.clone();
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| ApiError::BadRequest { status: e.status(), detail: e.body_text() })?;
        let mut again = Request::new(Body::from(bytes.clone()));
        *again.headers_mut() = headers;
        match axum::Json::<T>::from_request(again, state).await {
            Ok(axum::Json(t)) => Ok(Self(t)),
            Err(JsonRejection::JsonDataError(_)) => {
                let value: Value = serde_json::from_slice(&bytes).unwrap_or_default();
                Err(ApiError::Validation(field_errors::<T>(value)))
            }
            Err(other) => Err(other.into()),
        }
    }
}

/// Every top-level field of `value` that `T` refuses (serde reads keys in
/// order, so each bad one is found by setting the previous aside), then
/// every required field the body lacks.
fn field_errors<T: DeserializeOwned + ToSchema>(mut value: Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let Some(keys) = value.as_object().map(|o| o.len()) else {
        let e = T::deserialize(&value).err().map(|e| e.to_string()).unwrap_or_default();
        return vec![FieldError::new(
            "",
            "invalid",
            format!("the body must be an object: {e}"),
            "请求体应为 JSON 对象",
        )];
    };
    for _ in 0..=keys {
        let Err(e) = serde_path_to_error::deserialize::<_, T>(&value) else { break };
        let Some(field) = top_level(e.path()) else { break };
        let path = e.path().to_string();
        let message = if path == field { e.inner().to_string() } else { format!("{path}: {}", e.inner()) };
        errors.push(FieldError::new(field.clone(), "invalid", message, format!("{field} 的值无效")));
        if let Some(o) = value.as_object_mut() {
            o.remove(&field);
        }
    }
    let given = value.as_object().cloned().unwrap_or_default();
    for field in required::<T>() {
        if !given.contains_key(&field) && !errors.iter().any(|e| e.field == field) {
            errors.push(FieldError::new(
                field.clone(),
                "required",
                format!("{field} is required"),
                format!("缺少必填项 {field}"),
            ));
        }
    }
    if errors.is_empty() {
        let e = T::deserialize(&value).err().map(|e| e.to_string()).unwrap_or_default();
        errors.push(FieldError::new("", "invalid", e, "请求体不符合接口要求"));
    }
    errors
}

/// The top-level key a deserialization error is under (none for an error
/// about the object itself, such as a missing field).
fn top_level(path: &serde_path_to_error::Path) -> Option<String> {
    match path.iter().next()? {
        serde_path_to_error::Segment::Map { key } => Some(key.clone()),
        _ => None,
    }
}

/// The fields `T`'s schema requires.
fn required<T: ToSchema>() -> Vec<String> {
    match T::schema() {
        RefOr::T(Schema::Object(o)) => o.required,
        _ => Vec::new(),
    }
}

/// Path parameters; a malformed id answers 404 as problem+json.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// Query parameters; a malformed filter answers 400 as problem+json.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);
