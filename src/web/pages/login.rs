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
use secrecy::SecretString;
use serde::Deserialize;

use super::error::PageError;
use super::text::{UiText, ui};
use crate::AppState;
use crate::domain::duration::format_local;
use crate::domain::labels::Lang;
use crate::store::sessions::SignInRefusal;
use crate::web::session::{Posted, cleared_cookie, session_cookie};

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

/// Only a path on this site: never an open redirect.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/board".to_owned(),
    }
}

fn page(state: &AppState, next: String, username: String, error: Option<String>) -> LoginPage {
    LoginPage {
        t: ui(Lang::Zh),
        lang: Lang::Zh,
        next,
        username,
        error,
        zone: state.tz.name(),
        now: format_local(state.clock.now(), state.tz),
    }
}

async fn show(State(state): State<AppState>, Query(q): Query<Next>) -> LoginPage {
    page(&state, safe_next(q.next.as_deref()), String::new(), None)
}

#[derive(Deserialize)]
struct Credentials {
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
    let next = safe_next(form.next.as_deref());
    if !state.throttles.sign_in(peer.ip()) {
        tracing::warn!(client = %peer.ip(), "sign-in rate limit reached");
        let message = format!("{} / {}", ui(Lang::Zh).too_many_attempts, ui(Lang::En).too_many_attempts);
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(axum::http::header::RETRY_AFTER, "60")],
            page(&state, next, form.username.trim().to_owned(), Some(message)),
        )
            .into_response();
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
    let t = ui(Lang::Zh);
    let refused = |message: String| {
        (StatusCode::UNAUTHORIZED, page(&state, next.clone(), form.username.trim().to_owned(), Some(message)))
            .into_response()
    };
    match outcome {
        Ok(Ok(new)) => {
            tracing::info!(user = %new.session.actor.username, "signed in");
            let cookie = session_cookie(
                secrecy::ExposeSecret::expose_secret(&new.cookie).to_owned(),
                state.config.web.secure_cookie,
            );
            (jar.add(cookie), Redirect::to(&next)).into_response()
        }
        Ok(Err(SignInRefusal::BadCredentials)) => {
            refused(format!("{} / {}", t.bad_credentials, ui(Lang::En).bad_credentials))
        }
        Ok(Err(SignInRefusal::Locked { until })) => refused(format!(
            "{} {} / {} {}",
            t.locked_until,
            format_local(until, state.tz),
            ui(Lang::En).locked_until,
            format_local(until, state.tz)
        )),
        Err(e) => PageError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn sign_out(State(state): State<AppState>, jar: CookieJar, posted: Posted<Empty>) -> Response {
    if let Err(e) = state.store.end_session(posted.session.id).await {
        return PageError::from(e).into_response();
    }
    (jar.add(cleared_cookie()), Redirect::to("/login")).into_response()
}

#[derive(Deserialize)]
struct LangChoice {
    lang: String,
    #[serde(default)]
    back: String,
}

async fn switch_lang(State(state): State<AppState>, posted: Posted<LangChoice>) -> Response {
    let lang = Lang::from_code(&posted.form.lang).unwrap_or(Lang::Zh);
    if let Err(e) = state.store.set_user_lang(posted.session.actor.user_id, lang).await {
        return PageError::store(lang)(e).into_response();
    }
    Redirect::to(&safe_next(Some(&posted.form.back))).into_response()
}
