//! The one place a page's failure becomes an HTML answer. A handler returns
//! `Err(PageError)`, which leaves the response bare with the error attached;
//! `error_pages`, a layer over every page, renders it once the reader is
//! known: in their language inside the site's navigation when signed in,
//! in both languages otherwise. Extractor rejections (a malformed path or
//! query) are rendered the same way. Details go to the log, not the page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;

use super::Chrome;
use super::text::{UiText, ui};
use crate::AppState;
use crate::app::AppError;
use crate::domain::DomainError;
use crate::domain::labels::Lang;
use crate::store::StoreError;
use crate::web::cookie::COOKIE;

#[derive(Debug, Clone)]
pub enum PageError {
    NotFound,
    Forbidden,
    Csrf,
    /// The form or query could not be read; the detail is the parser's.
    BadForm(String),
    /// A rule refused the change (e.g. an impossible transition).
    Refused(DomainError),
    /// A concurrent change won.
    Busy,
    Unavailable,
    /// The error of a form posted from the page `back`, which the error
    /// page links to (the site sends no referrer to find it by).
    From(Box<PageError>, String),
}

impl PageError {
    /// This error, on a page that links back to `page`.
    pub fn back_to(self, page: impl Into<String>) -> Self {
        PageError::From(Box::new(self), page.into())
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => PageError::NotFound,
            StoreError::Domain(d) => PageError::Refused(d),
            StoreError::Concurrent { .. } => PageError::Busy,
            other => {
                tracing::error!(error = %other, "page failed");
                PageError::Unavailable
            }
        }
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Denied(_) => PageError::Forbidden,
            AppError::Store(s) => s.into(),
            AppError::Evidence(e) => {
                tracing::error!(error = %e, "evidence store failed");
                PageError::Unavailable
            }
        }
    }
}

impl From<DomainError> for PageError {
    fn from(e: DomainError) -> Self {
        PageError::Refused(e)
    }
}

impl PageError {
    fn status(&self) -> StatusCode {
        match self {
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::Forbidden | PageError::Csrf => StatusCode::FORBIDDEN,
            PageError::BadForm(_) => StatusCode::BAD_REQUEST,
            PageError::Refused(_) | PageError::Busy => StatusCode::CONFLICT,
            PageError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            PageError::From(e, _) => e.status(),
        }
    }

    /// What the reader is told, in `lang`.
    fn message(&self, lang: Lang) -> String {
        let t = ui(lang);
        match self {
            PageError::NotFound => t.not_found.to_owned(),
            PageError::Forbidden => t.forbidden.to_owned(),
            PageError::Csrf => t.csrf_failed.to_owned(),
            PageError::BadForm(detail) => format!("{} ({detail})", t.bad_form),
            PageError::Refused(d) => format!("{}：{}", t.conflict, d.text(lang)),
            PageError::Busy => format!("{}：{}", t.conflict, t.unavailable),
            PageError::Unavailable => t.unavailable.to_owned(),
            PageError::From(e, _) => e.message(lang),
        }
    }
}

/// A download that could not be written (a DOCX, a workbook, a bundle):
/// logged, shown as unavailable.
pub fn export_failed(what: &str, e: impl std::fmt::Display) -> PageError {
    tracing::error!(error = %e, "{what} failed");
    PageError::Unavailable
}

/// Why a form was refused, in the reader's language, when a rule refused
/// it; a role refused, a subject not found or any other failure stays a
/// page error.
pub fn refusal(e: impl Into<AppError>, lang: Lang) -> Result<String, PageError> {
    match e.into() {
        AppError::Store(StoreError::Domain(d)) => Ok(d.text(lang)),
        other => Err(other.into()),
    }
}

/// The flash a form leaves on the page it returns to: "recorded", or why a
/// rule refused it (`true`: an error); any other failure is the error page.
pub fn outcome_flash(result: Result<(), impl Into<AppError>>, lang: Lang) -> Result<(bool, String), PageError> {
    match result {
        Ok(()) => Ok((false, ui(lang).done.to_owned())),
        Err(e) => refusal(e, lang).map(|why| (true, why)),
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// The error inside the signed-in reader's navigation.
#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    message: String,
    back: Option<String>,
}

/// The error for a reader not signed in, in both languages.
#[derive(Template, WebTemplate)]
#[template(path = "error_plain.html")]
struct PlainErrorPage {
    zh: &'static UiText,
    en: &'static UiText,
    message_zh: String,
    message_en: String,
}

/// The layer that renders a page's failure for its reader; the API's
/// answers (problem+json) pass through untouched.
pub async fn error_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if ["/api/", "/callbacks/"].iter().any(|p| request.uri().path().starts_with(p)) {
        return next.run(request).await;
    }
    // Kept cheaply (shared buffers) and read only if the page failed.
    let cookies = request.headers().get(header::COOKIE).cloned();
    let uri = request.uri().clone();
    let get = request.method() == Method::GET;
    let response = next.run(request).await;
    // An upload refused before it was all read closes its connection.
    let closing = response.headers().get(header::CONNECTION).cloned();
    let (error, status) = match response.extensions().get::<PageError>() {
        Some(e) => (e.clone(), e.status()),
        None if is_rejection(&response) => rejection(response, get).await,
        None => return response,
    };
    let mut headers = axum::http::HeaderMap::new();
    headers.extend(cookies.map(|c| (header::COOKIE, c)));
    let cookie = CookieJar::from_headers(&headers).get(COOKIE).map(|c| c.value().to_owned());
    let mut rendered = render(&state, cookie.as_deref(), uri.path(), status, &error).await;
    if let Some(c) = closing {
        rendered.headers_mut().insert(header::CONNECTION, c);
    }
    rendered
}

/// axum's extractors answer a malformed path, query or form with plain text.
fn is_rejection(r: &Response) -> bool {
    r.status().is_client_error()
        && r.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/plain"))
}

/// The error a rejection stands for, with the status to answer it with.
async fn rejection(r: Response, get: bool) -> (PageError, StatusCode) {
    let status = r.status();
    let body = axum::body::to_bytes(r.into_body(), 4096).await.unwrap_or_default();
    let detail = String::from_utf8_lossy(&body).into_owned();
    // A path that does not parse (`/assignments/abc`) names nothing there is.
    if get && detail.starts_with("Invalid URL") {
        (PageError::NotFound, StatusCode::NOT_FOUND)
    } else {
        (PageError::BadForm(detail), status)
    }
}

async fn render(state: &AppState, cookie: Option<&str>, path: &str, status: StatusCode, error: &PageError) -> Response {
    let session = match cookie {
        Some(c) => state.store.web_session(c, state.config.session_lifetime(), state.clock.now()).await.ok().flatten(),
        None => None,
    };
    match session {
        Some(s) => {
            let back = match error {
                PageError::From(_, back) => Some(back.clone()),
                _ => None,
            };
            let page = ErrorPage { message: error.message(s.lang), chrome: Chrome::new(state, &s, path, ""), back };
            (status, page).into_response()
        }
        None => {
            let page = PlainErrorPage {
                zh: ui(Lang::Zh),
                en: ui(Lang::En),
                message_zh: error.message(Lang::Zh),
                message_en: error.message(Lang::En),
            };
            (status, page).into_response()
        }
    }
}
