//! Users and API tokens, for administrators: create a user, issue a token
//! (shown once), revoke a user's tokens.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};

use axum::routing::{get, post};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::Chrome;
use super::error::{PageError, refusal};
use super::notice_form::Choice;
use crate::AppState;
use crate::app::AppError;
use crate::domain::DomainError;
use crate::domain::access::UserRole;
use crate::domain::duration::format_local;
use crate::domain::labels::Lang;
use crate::domain::login::is_locked;

use crate::store::sessions::WebSession;
use crate::store::users::NewUser;
use crate::web::session::{Posted, SignedIn};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(show).post(create_user))
        .route("/admin/users/{id}/tokens", post(create_token))
        .route("/admin/users/{id}/revoke", post(revoke))
}

pub struct TokenLine {
    pub name: String,
    pub created: String,
    pub revoked: bool,
}

pub struct UserLine {
    pub id: i64,
    pub username: String,
    pub role: &'static str,
    pub unit: String,
    pub locked: bool,
    pub tokens: Vec<TokenLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserLine>,
    roles: Vec<Choice>,
    units: Vec<Choice>,
    flash: Option<String>,
    flash_error: bool,
    new_token: Option<String>,
}

/// What happened on the last post, for the page.
enum Outcome {
    None,
    Done,
    Refused(String),
    Token(SecretString),
}

/// Admins only (the application layer refuses everyone else).
async fn page(state: &AppState, session: &WebSession, outcome: Outcome) -> Result<UsersPage, PageError> {
    let lang = session.lang;
    let now = state.clock.now();
    let accounts = state.app.users(&session.caller()).await?;
    let units = state.app.reads(&session.actor).units().await?;
    let mut users = Vec::new();
    for (u, tokens) in accounts {
        let tokens = tokens
            .into_iter()
            .map(|t| TokenLine {
                name: t.name,
                created: format_local(t.created_at, state.tz),
                revoked: t.revoked_at.is_some() || t.expires_at.is_some_and(|e| e <= now),
            })
            .collect();
        users.push(UserLine {
            id: u.id,
            role: u.role.label(lang),
            unit: u
                .unit_id
                .and_then(|id| units.iter().find(|x| x.id == id))
                .map(|x| x.name.clone())
                .unwrap_or_default(),
            locked: is_locked(u.locked_until, now),
            username: u.username,
            tokens,
        });
    }
    let t = super::text::ui(lang);
    let (flash, flash_error, new_token) = match outcome {
        Outcome::None => (None, false, None),
        Outcome::Done => (Some(t.done.to_owned()), false, None),
        Outcome::Refused(why) => (Some(why), true, None),
        Outcome::Token(secret) => (Some(t.created.to_owned()), false, Some(secret.expose_secret().to_owned())),
    };
    Ok(UsersPage {
        chrome: Chrome::new(state, session, "/admin/users", "users"),
        users,
        roles: UserRole::ALL
            .iter()
            .map(|r| Choice { code: r.code().into(), label: r.label(lang).into(), selected: false })
            .collect(),
        units: units.into_iter().map(|u| Choice { code: u.id.to_string(), label: u.name, selected: false }).collect(),
        flash,
        flash_error,
        new_token,
    })
}

async fn show(State(state): State<AppState>, signed: SignedIn) -> Result<UsersPage, PageError> {
    page(&state, &signed.session, Outcome::None).await
}

/// A refusal's words, or the page error for anything else.
fn outcome_of(result: Result<Outcome, AppError>, lang: Lang) -> Result<Outcome, PageError> {
    result.or_else(|e| refusal(e, lang).map(Outcome::Refused))
}

async fn finish(
    state: &AppState,
    session: &WebSession,
    result: Result<Outcome, AppError>,
) -> Result<UsersPage, PageError> {
    page(state, session, outcome_of(result, session.lang)?).await
}

#[derive(Deserialize)]
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_id: String,
}

async fn create_user(State(state): State<AppState>, posted: Posted<UserForm>) -> Result<UsersPage, PageError> {
    let session = &posted.session;
    let f = posted.form;
    let result = async {
        let role = UserRole::from_code(&f.role)
            .ok_or_else(|| DomainError::field("role", "unknown", "choose a role", "请选择角色"))?;
        let new = NewUser {
            username: f.username,
            password: Some(SecretString::from(f.password)),
            role,
            unit_id: f.unit_id.trim().parse().ok(),
        };
        state.app.create_user(&session.caller(), new).await.map(|_| Outcome::Done)
    }
    .await;
    finish(&state, session, result).await
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<TokenForm>,
) -> Result<UsersPage, PageError> {
    let session = &posted.session;
    let result = state.app.create_token(&session.caller(), id, &posted.form.name).await.map(Outcome::Token);
    finish(&state, session, result).await
}

async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<TokenForm>,
) -> Result<UsersPage, PageError> {
    let session = &posted.session;
    let result = state.app.revoke_tokens(&session.caller(), id).await.map(|_| Outcome::Done);
    finish(&state, session, result).await
}
