//! Request extractors whose rejections are problem+json like every other error.

use axum::extract::FromRequest;
use axum::extract::FromRequestParts;

use super::problem::ApiError;

/// A JSON body; malformed or mistyped input answers 400/415/422 as problem+json.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// Path parameters; a malformed id answers 404 as problem+json.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// Query parameters; a malformed filter answers 400 as problem+json.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);
