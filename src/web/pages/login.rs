//! Sign-in, sign-out and the language switch.

use askama::Template;
use askama_web::WebTemplate;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use secrecy::SecretString;
use serde::Deserialize;

use super::error::PageError;
use super::text::{UiText, ui};
use crate::AppState;
use crate::crypto::random_secret;
use crate::domain::duration::format_local;
use crate::domain::labels::Lang;
use crate::store::sessions::SignInRefusal;
use crate::web::cookie::{cleared_cookie, session_cookie};
use crate::web::session::Posted;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(show).post(sign_in))
        .route("/logout", post(sign_out))
        .route("/lang", post(switch_lang))
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    t: &'static UiText,
    lang: Lang,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    zone: &'static str,
    now: String,
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

/// Where a browser goes when it asked for nowhere in particular.
const HOME: &str = "/board";

/// A `next` or `back` that is not a path of this site.
#[derive(Debug, PartialEq, Eq)]
pub struct NotOnThisSite;

/// The path to send a browser back to, only if it is a page of this site:
/// it must parse as a same-origin relative URL and hold no control
/// characters (`/\t/evil.example/` reads as `//evil.example/` in a
/// browser, and CR/LF would split the `Location` header). Nothing asked
/// for means the board.
pub fn return_path(asked: Option<&str>) -> Result<String, NotOnThisSite> {
    let Some(asked) = asked.filter(|a| !a.is_empty()) else { return Ok(HOME.to_owned()) };
    if !asked.starts_with('/') || asked.starts_with("//") || asked.contains('\\') || asked.chars().any(char::is_control)
    {
        return Err(NotOnThisSite);
    }
    let base = url::Url::parse("http://onsite.invalid/").map_err(|_| NotOnThisSite)?;
    let url = base.join(asked).map_err(|_| NotOnThisSite)?;
    if url.origin() != base.origin() {
        return Err(NotOnThisSite);
    }
    let mut path = url.path().to_owned();
    if let Some(query) = url.query() {
        path.push('?');
        path.push_str(query);
    }
    Ok(path)
}

/// The sign-in form's own CSRF cookie: before there is a session, the form
/// carries a token that must match it, so another site cannot post the form
/// and sign a browser in as the attacker (login CSRF).
const LOGIN_COOKIE: &str = "onsite_login";

fn login_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((LOGIN_COOKIE, value))
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build()
}

/// The sign-in page with a fresh form token (and its cookie).
fn login_page(
    state: &AppState,
    jar: CookieJar,
    status: StatusCode,
    next: String,
    username: String,
    error: Option<String>,
) -> Response {
    let csrf = random_secret("", 24);
    let jar = jar.add(login_cookie(csrf.clone(), state.config.web.secure_cookie));
    let page = LoginPage {
        t: ui(Lang::Zh),
        lang: Lang::Zh,
        csrf,
        next,
        username,
        error,
        zone: state.tz.name(),
        now: format_local(state.clock.now(), state.tz),
    };
    (status, jar, page).into_response()
}

/// Both languages of one sign-in message, Chinese first.
fn both(text: fn(&UiText) -> &'static str) -> String {
    format!("{} / {}", text(ui(Lang::Zh)), text(ui(Lang::En)))
}

async fn show(State(state): State<AppState>, jar: CookieJar, Query(q): Query<Next>) -> Response {
    let next = return_path(q.next.as_deref()).unwrap_or_else(|_| HOME.to_owned());
    login_page(&state, jar, StatusCode::OK, next, String::new(), None)
}

#[derive(Deserialize)]
struct Credentials {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    Form(form): Form<Credentials>,
) -> Response {
    let username = form.username.trim().to_owned();
    let Ok(next) = return_path(form.next.as_deref()) else {
        let error = Some(both(|t| t.bad_return));
        return login_page(&state, jar, StatusCode::BAD_REQUEST, HOME.to_owned(), username, error);
    };
    let expected = jar.get(LOGIN_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
    let matches = crate::crypto::same_secret(form.csrf.as_bytes(), expected.as_bytes());
    if expected.is_empty() || !matches {
        return login_page(&state, jar, StatusCode::FORBIDDEN, next, username, Some(both(|t| t.csrf_failed)));
    }
    if !state.throttles.sign_in(peer.ip()).await {
        tracing::warn!(client = %peer.ip(), "sign-in rate limit reached");
        let mut answer =
            login_page(&state, jar, StatusCode::TOO_MANY_REQUESTS, next, username, Some(both(|t| t.too_many_attempts)));
        answer.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("60"));
        return answer;
    }
    let now = state.clock.now();
    let password = SecretString::from(form.password);
    let outcome = state
        .store
        .sign_in(
            &form.username,
            &password,
            Some(peer.ip()),
            state.config.lockout(),
            state.config.session_lifetime(),
            now,
        )
        .await;
    match outcome {
        Ok(Ok(new)) => {
            tracing::info!(user = %new.session.actor.username, "signed in");
            let cookie = session_cookie(
                secrecy::ExposeSecret::expose_secret(&new.cookie).to_owned(),
                state.config.web.secure_cookie,
            );
            let mut used = login_cookie(String::new(), state.config.web.secure_cookie);
            used.make_removal();
            (jar.add(cookie).add(used), Redirect::to(&next)).into_response()
        }
        Ok(Err(SignInRefusal::BadCredentials)) => {
            login_page(&state, jar, StatusCode::UNAUTHORIZED, next, username, Some(both(|t| t.bad_credentials)))
        }
        Ok(Err(SignInRefusal::Locked { until })) => {
            let until = format_local(until, state.tz);
            let message = format!("{} {until} / {} {until}", ui(Lang::Zh).locked_until, ui(Lang::En).locked_until);
            login_page(&state, jar, StatusCode::UNAUTHORIZED, next, username, Some(message))
        }
        Err(e) => PageError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    posted: Posted<Empty>,
) -> Result<(CookieJar, Redirect), PageError> {
    state.store.end_session(posted.session.id).await?;
    Ok((jar.add(cleared_cookie()), Redirect::to("/login")))
}

#[derive(Deserialize)]
struct LangChoice {
    lang: String,
    #[serde(default)]
    back: String,
}

async fn switch_lang(State(state): State<AppState>, posted: Posted<LangChoice>) -> Result<Redirect, PageError> {
    let lang = Lang::from_code(&posted.form.lang).unwrap_or(Lang::Zh);
    let Ok(back) = return_path(Some(&posted.form.back)) else {
        return Err(PageError::BadForm(ui(posted.session.lang).bad_return.to_owned()));
    };
    state.store.set_user_lang(posted.session.actor.user_id, lang).await?;
    Ok(Redirect::to(&back))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_path_of_this_site_is_a_place_to_return_to() {
        assert_eq!(return_path(None).as_deref(), Ok("/board"));
        assert_eq!(return_path(Some("")).as_deref(), Ok("/board"));
        assert_eq!(return_path(Some("/notices/7?tab=pages")).as_deref(), Ok("/notices/7?tab=pages"));
        assert_eq!(return_path(Some("/%2F%2Fevil.example/")).as_deref(), Ok("/%2F%2Fevil.example/"));
        assert_eq!(return_path(Some("/a/../board")).as_deref(), Ok("/board"));
        for trick in [
            "/\t/evil.example/",
            "/\r\nSet-Cookie: x=1",
            "/\n/evil.example",
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "evil.example",
            "javascript:alert(1)",
            "/\u{7f}/evil.example",
            "/\u{85}/evil.example",
        ] {
            assert_eq!(return_path(Some(trick)), Err(NotOnThisSite), "{trick:?}");
        }
    }
}
