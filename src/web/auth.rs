//! Bearer-token authentication for the API: the extractor resolves the token
//! to an `Actor`; the application layer decides what that actor may do.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::problem::ApiError;
use crate::AppState;
use crate::domain::access::{Actor, Source};

/// The authenticated caller of an API route.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Actor);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or(ApiError::Unauthorized)?;
        let (scheme, token) = header.trim().split_once(' ').ok_or(ApiError::Unauthorized)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(ApiError::Unauthorized);
        }
        let mut actor = state
            .store
            .authenticate_token(token.trim(), Source::Api, state.clock.now())
            .await?
            .ok_or(ApiError::Unauthorized)?;
        actor.address = super::client_address(parts);
        tracing::Span::current().record("user", actor.username.as_str());
        Ok(Self(actor))
    }
}
