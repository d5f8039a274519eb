//! Browser sessions: the `SignedIn` extractor resolves the session cookie to
//! the user, and `Posted` adds the CSRF check every form post must pass, so a
//! handler that takes a form cannot forget it.

use axum::body::Bytes;
use std::collections::HashMap;

use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::cookie::COOKIE;
use super::pages::error::PageError;
use super::upload::{UploadError, form_of};
use crate::AppState;
use crate::app::attachments::Upload;
use crate::store::sessions::WebSession;

/// The signed-in user of a page request, and the path asked for (the
/// language switch comes back to it).
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session: WebSession,
    pub path: String,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(COOKIE) else { return Err(to_sign_in(parts)) };
        let found = state
            .store
            .web_session(cookie.value(), state.config.session_lifetime(), state.clock.now())
            .await
            .map_err(|e| PageError::from(e).into_response())?;
        match found {
            Some(mut session) => {
                session.actor.address = super::client_address(parts);
                tracing::Span::current().record("user", session.actor.username.as_str());
                Ok(Self { session, path: parts.uri.path().to_owned() })
            }
            None => Err(to_sign_in(parts)),
        }
    }
}

/// Sends the browser to sign in, and back to the page it asked for after.
fn to_sign_in(parts: &Parts) -> Response {
    let back = if parts.method == Method::GET { parts.uri.path() } else { "/board" };
    let next: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
    Redirect::to(&format!("/login?next={next}")).into_response()
}

/// Whether a form's `csrf` field is the session's token.
fn session_token(session: &WebSession, csrf: &str) -> bool {
    !csrf.is_empty() && crate::crypto::same_secret(csrf.as_bytes(), session.csrf_token.as_bytes())
}

/// A form post from a signed-in user whose CSRF token matched.
pub struct Posted<T> {
    pub session: WebSession,
    pub path: String,
    pub form: T,
}

#[derive(Deserialize, Default)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let SignedIn { session, path } = SignedIn::from_request_parts(&mut parts, state).await?;
        let form_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let bytes =
            Bytes::from_request(Request::from_parts(parts, body), state).await.map_err(IntoResponse::into_response)?;
        let CsrfField { csrf } = serde_html_form::from_bytes(&bytes).unwrap_or_default();
        if !form_type || !session_token(&session, &csrf) {
            return Err(PageError::Csrf.into_response());
        }
        let form =
            serde_html_form::from_bytes(&bytes).map_err(|e| PageError::BadForm(e.to_string()).into_response())?;
        Ok(Self { session, path, form })
    }
}

/// A file posted from a page by a signed-in user: the multipart form's CSRF
/// token (sent before the file) is checked before the file is read; what
/// the file itself is, is the application layer's to judge.
pub struct PostedFile {
    pub session: WebSession,
    pub path: String,
    /// The form's text fields other than the token.
    pub fields: HashMap<String, String>,
    pub file: Result<Upload, UploadError>,
}

impl FromRequest<AppState> for PostedFile {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let SignedIn { session, path } = SignedIn::from_request_parts(&mut parts, state).await?;
        let Ok(multipart) = Multipart::from_request(Request::from_parts(parts, body), state).await else {
            return Err(PageError::Csrf.into_response());
        };
        let checked = |fields: &HashMap<String, String>| fields.get("csrf").is_some_and(|c| session_token(&session, c));
        let (fields, file) = match form_of(multipart, &state.config.evidence, checked).await {
            Ok((fields, file)) => (fields, Ok(file)),
            Err(UploadError::FormRefused) => return Err(PageError::Csrf.into_response()),
            Err(e) => (HashMap::new(), Err(e)),
        };
        Ok(Self { session, path, fields, file })
    }
}
