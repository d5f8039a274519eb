//! Web sign-in and browser sessions. The cookie value is random and stored
//! only as a digest, like an API token; each session carries its own CSRF
//! token. Wrong passwords count towards a lockout.

use chrono::{DateTime, Utc};
use std::net::IpAddr;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
};
use secrecy::{ExposeSecret, SecretString};

use super::audit::Audit;
use super::entities::{user, web_session};
use super::users::{actor_of, dummy_hash, token_digest, verify_password};
use super::{Store, StoreResult};
use crate::crypto::random_secret;
use crate::domain::access::By;
use crate::domain::access::{Actor, Caller, Source};
use crate::domain::labels::Lang;
use crate::domain::login::{Lockout, SessionLifetime, is_locked};

/// Every session cookie value starts with this.
const SESSION_PREFIX: &str = "onsite_s_";

/// Why a sign-in was refused. Wrong user and wrong password look the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRefusal {
    BadCredentials,
    Locked { until: DateTime<Utc> },
}

/// A new session: the cookie value (shown once) and what the pages need.
#[derive(Debug)]
pub struct NewSession {
    pub cookie: SecretString,
    pub session: WebSession,
}

/// The signed-in user behind a session cookie.
#[derive(Debug, Clone)]
pub struct WebSession {
    pub id: i64,
    pub actor: Actor,
    pub csrf_token: String,
    pub lang: Lang,
}

impl WebSession {
    /// The signed-in user, as the application layer's caller.
    pub fn caller(&self) -> Caller {
        Caller::User(self.actor.clone())
    }
}

/// Characters of a typed username kept in the audit log (a guess may be long).
const USERNAME_SHOWN: usize = 64;

impl Store {
    /// Checks a username and password; on success opens a session. Every
    /// attempt is audited with the client's address (never the password).
    #[tracing::instrument(skip_all)]
    pub async fn sign_in(
        &self,
        username: &str,
        password: &SecretString,
        address: Option<IpAddr>,
        lockout: Lockout,
        lifetime: SessionLifetime,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<NewSession, SignInRefusal>> {
        let label: String = username.trim().chars().take(USERNAME_SHOWN).collect();
        let by = |user_id| By { source: Source::Web, label: label.clone(), user_id, person_id: None, address };
        let refused = |user_id: Option<i64>| {
            (by(user_id), user_id.map_or_else(|| "user:?".to_owned(), |id| format!("user:{id}")))
        };
        let why = |reason: &str| serde_json::json!({ "reason": reason });
        let Some(user) = self.user_row(username).await? else {
            // Spend the time a real check would, so timing does not tell
            // which usernames exist.
            verify_password(password.expose_secret(), dummy_hash());
            let (by, subject) = refused(None);
            let entry = Audit::new(&by, "user.sign_in_refused", subject).with(why("unknown_user"));
            self.audit(self.db(), entry, now).await?;
            return Ok(Err(SignInRefusal::BadCredentials));
        };
        let refused_locked = |until: DateTime<Utc>| async move {
            let (by, subject) = refused(Some(user.id));
            let entry = Audit::new(&by, "user.sign_in_refused", subject).with(why("locked"));
            self.audit(self.db(), entry, now).await?;
            Ok(Err(SignInRefusal::Locked { until }))
        };
        if let Some(until) = user.locked_until.filter(|_| is_locked(user.locked_until, now)) {
            return refused_locked(until).await;
        }
        let good = !user.disabled
            && user.password_hash.as_deref().is_some_and(|h| verify_password(password.expose_secret(), h));
        let txn = self.db().begin().await?;
        if !good {
            let reason = if user.disabled { "disabled" } else { "bad_password" };
            let (by, subject) = refused(Some(user.id));
            let locked_until = count_failure(&txn, user.id, lockout, now).await?;
            let detail = serde_json::json!({ "reason": reason, "locked": locked_until.is_some() });
            self.audit(&txn, Audit::new(&by, "user.sign_in_refused", subject).with(detail), now).await?;
            txn.commit().await?;
            return Ok(Err(match locked_until {
                Some(until) => SignInRefusal::Locked { until },
                None => SignInRefusal::BadCredentials,
            }));
        }
        // Clears the counters only if no attempt racing this one has locked
        // the account since it was read: the lock wins.
        let cleared = user::Entity::update_many()
            .col_expr(user::Column::FailedLogins, Expr::value(0))
            .col_expr(user::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(user::Column::Id.eq(user.id))
            .filter(Condition::any().add(user::Column::LockedUntil.is_null()).add(user::Column::LockedUntil.lte(now)))
            .exec(&txn)
            .await?;
        if cleared.rows_affected == 0 {
            txn.rollback().await?;
            let until = user::Entity::find_by_id(user.id).one(self.db()).await?.and_then(|u| u.locked_until);
            return refused_locked(until.unwrap_or(now)).await;
        }
        self.audit(&txn, Audit::new(&by(Some(user.id)), "user.signed_in", format!("user:{}", user.id)), now).await?;
        let cookie = random_secret(SESSION_PREFIX, 32);
        let csrf_token = random_secret("", 24);
        let row = web_session::ActiveModel {
            token_hash: Set(token_digest(&cookie)),
            user_id: Set(user.id),
            csrf_token: Set(csrf_token.clone()),
            created_at: Set(now),
            last_seen_at: Set(now),
            expires_at: Set(lifetime.expiry(now, now)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        let session = WebSession { id: row.id, actor: actor_of(&user, Source::Web)?, csrf_token, lang: user.locale };
        Ok(Ok(NewSession { cookie: SecretString::from(cookie), session }))
    }

    /// The session behind a cookie value, or `None` when it is unknown,
    /// expired, or its user is disabled. Use slides the idle expiry.
    pub async fn web_session(
        &self,
        cookie: &str,
        lifetime: SessionLifetime,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<WebSession>> {
        if !cookie.starts_with(SESSION_PREFIX) || cookie.len() > 200 {
            return Ok(None);
        }
        // Read through the readers, as API tokens are: every page and every
        // board refresh starts here.
        let Some(row) = web_session::Entity::find()
            .filter(web_session::Column::TokenHash.eq(token_digest(cookie)))
            .one(self.reader())
            .await?
        else {
            return Ok(None);
        };
        if row.expires_at <= now {
            web_session::Entity::delete_by_id(row.id).exec(self.db()).await?;
            return Ok(None);
        }
        let Some(user) = user::Entity::find_by_id(row.user_id).one(self.reader()).await?.filter(|u| !u.disabled) else {
            return Ok(None);
        };
        // Slide the expiry at most once a minute, so reading stays reading.
        if now - row.last_seen_at > chrono::Duration::minutes(1) {
            let expires = lifetime.expiry(row.created_at, now);
            let mut active: web_session::ActiveModel = row.clone().into();
            active.last_seen_at = Set(now);
            active.expires_at = Set(expires);
            active.update(self.db()).await?;
        }
        Ok(Some(WebSession {
            id: row.id,
            actor: actor_of(&user, Source::Web)?,
            csrf_token: row.csrf_token,
            lang: user.locale,
        }))
    }

    /// Whether session `id` is still signed in (not ended, not expired).
    pub async fn session_alive(&self, id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
        Ok(web_session::Entity::find_by_id(id).one(self.reader()).await?.is_some_and(|s| s.expires_at > now))
    }

    /// Ends one session (sign-out).
    pub async fn end_session(&self, id: i64) -> StoreResult<()> {
        web_session::Entity::delete_by_id(id).exec(self.db()).await?;
        self.sessions_ended();
        Ok(())
    }

    /// Remembers the language a user chose for the web pages.
    pub async fn set_user_lang(&self, user_id: i64, lang: Lang) -> StoreResult<()> {
        user::Entity::update_many()
            .set(user::ActiveModel { locale: Set(lang), ..Default::default() })
            .filter(user::Column::Id.eq(user_id))
            .exec(self.db())
            .await?;
        Ok(())
    }
}

/// Counts a wrong password in one statement (`failed_logins + 1 …
/// RETURNING`), so attempts in parallel each count: read and written back
/// apart, fifteen at once counted as one and never locked. Returns until
/// when the account is locked, if it is.
async fn count_failure<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    lockout: Lockout,
    now: DateTime<Utc>,
) -> StoreResult<Option<DateTime<Utc>>> {
    let counted = user::Entity::update_many()
        .col_expr(user::Column::FailedLogins, Expr::col(user::Column::FailedLogins).add(1))
        .filter(user::Column::Id.eq(user_id))
        .exec_with_returning(conn)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| super::StoreError::Corrupt(format!("user {user_id} vanished while signing in")))?;
    if is_locked(counted.locked_until, now) {
        return Ok(counted.locked_until);
    }
    let after = lockout.after_failure(counted.failed_logins - 1, now);
    if after.locked_until.is_some() {
        user::Entity::update_many()
            .col_expr(user::Column::FailedLogins, Expr::value(after.failed_logins))
            .col_expr(user::Column::LockedUntil, Expr::value(after.locked_until))
            .filter(user::Column::Id.eq(user_id))
            .exec(conn)
            .await?;
    }
    Ok(after.locked_until)
}
