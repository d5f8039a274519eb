//! The one place a page's failure becomes an HTML answer: status, wording in
//! the reader's language, and a way back. Details go to the log, not the page.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::text::{UiText, ui};
use crate::app::AppError;
use crate::domain::labels::Lang;
use crate::store::StoreError;

#[derive(Debug)]
pub enum PageError {
    NotFound(Lang),
    Forbidden(Lang),
    Csrf(Lang),
    BadForm(Lang, String),
    /// A rule refused the change (e.g. an impossible transition).
    Refused(Lang, String),
    Unavailable(Lang),
}

impl PageError {
    /// Maps a store failure for a reader of `lang`.
    pub fn store(lang: Lang) -> impl Fn(StoreError) -> PageError {
        move |e| match e {
            StoreError::NotFound { .. } => PageError::NotFound(lang),
            StoreError::Domain(d) => PageError::Refused(lang, d.text(lang)),
            StoreError::Concurrent { .. } => PageError::Refused(lang, ui(lang).unavailable.to_owned()),
            other => {
                tracing::error!(error = %other, "page failed");
                PageError::Unavailable(lang)
            }
        }
    }

    /// Maps an application-layer refusal for a reader of `lang`.
    pub fn app(lang: Lang) -> impl Fn(AppError) -> PageError {
        move |e| match e {
            AppError::Denied(_) => PageError::Forbidden(lang),
            AppError::Store(s) => PageError::store(lang)(s),
        }
    }
}

/// Why a form was refused, in the reader's language, when a rule refused
/// it; a role refused, a subject not found or any other failure stays a
/// page error.
pub fn refusal(e: impl Into<AppError>, lang: Lang) -> Result<String, PageError> {
    match e.into() {
        AppError::Store(StoreError::Domain(d)) => Ok(d.text(lang)),
        other => Err(PageError::app(lang)(other)),
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        PageError::store(Lang::Zh)(e)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    t: &'static UiText,
    lang: Lang,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, lang, message) = match self {
            PageError::NotFound(l) => (StatusCode::NOT_FOUND, l, ui(l).not_found.to_owned()),
            PageError::Forbidden(l) => (StatusCode::FORBIDDEN, l, ui(l).forbidden.to_owned()),
            PageError::Csrf(l) => (StatusCode::FORBIDDEN, l, ui(l).csrf_failed.to_owned()),
            PageError::BadForm(l, detail) => (StatusCode::BAD_REQUEST, l, format!("{} ({detail})", ui(l).bad_form)),
            PageError::Refused(l, why) => (StatusCode::CONFLICT, l, format!("{}：{why}", ui(l).conflict)),
            PageError::Unavailable(l) => (StatusCode::SERVICE_UNAVAILABLE, l, ui(l).unavailable.to_owned()),
        };
        (status, ErrorPage { t: ui(lang), lang, message }).into_response()
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
