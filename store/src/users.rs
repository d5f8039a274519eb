//! Users and their API tokens. Passwords are argon2id hashes; tokens are
//! random, shown once, and stored only as a SHA-256 digest.

use crate::crypto::random_secret;
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::audit::Audit;
use super::entities::{api_token, unit, user, web_session};
use super::{Store, StoreError, StoreResult};
use crate::domain::access::By;
use crate::domain::access::{Actor, Source, UserRole};
use crate::domain::labels::Lang;
use crate::domain::record::{ApiToken, User};
use crate::domain::{DomainError, FieldError};
use crate::records;

/// Every token starts with this, so a leaked one is recognisable in a scan.
pub const TOKEN_PREFIX: &str = "onsite_";

/// A validated request to create a user.
#[derive(Debug)]
pub struct NewUser {
    pub username: String,
    pub password: Option<SecretString>,
    pub role: UserRole,
    pub unit_id: Option<i64>,
}

/// Checks a username: 3 to 32 of lowercase letters, digits, `.`, `_`, `-`.
pub fn parse_username(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim().to_lowercase();
    let ok = (3..=32).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(name)
    } else {
        Err(FieldError::new(
            "username",
            "invalid_username",
            "a username is 3 to 32 lowercase letters, digits, '.', '_' or '-'",
            "用户名应为 3 到 32 位小写字母、数字、“.”、“_”或“-”",
        ))
    }
}

/// Hashes a token for storage and lookup.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    #[tracing::instrument(skip_all, fields(username = %new.username))]
    pub async fn create_user(&self, by: &By, new: NewUser, now: DateTime<Utc>) -> StoreResult<User> {
        let username = parse_username(&new.username).map_err(|e| DomainError::Invalid(vec![e]))?;
        match (new.role, new.unit_id) {
            (UserRole::Unit, None) => {
                return Err(DomainError::field(
                    "unit",
                    "required",
                    "a unit user needs --unit",
                    "支撑单位用户须指定所属单位",
                )
                .into());
            }
            (UserRole::Admin | UserRole::Bureau, Some(_)) => {
                return Err(DomainError::field(
                    "unit",
                    "not_allowed",
                    "admin and bureau users are not tied to a unit",
                    "管理员和通管局用户不属于某个单位",
                )
                .into());
            }
            _ => {}
        }
        if let Some(unit_id) = new.unit_id {
            unit::Entity::find_by_id(unit_id).one(self.db()).await?.ok_or(StoreError::not_found("unit", unit_id))?;
        }
        if user::Entity::find().filter(user::Column::Username.eq(&username)).one(self.db()).await?.is_some() {
            return Err(DomainError::conflict(
                "username_taken",
                format!("user {username} already exists"),
                format!("用户 {username} 已存在"),
            )
            .into());
        }
        let password_hash = match &new.password {
            Some(p) => Some(hash_password(p)?),
            None => None,
        };
        self.insert_audited(
            user::ActiveModel {
                username: Set(username),
                password_hash: Set(password_hash),
                role: Set(new.role),
                unit_id: Set(new.unit_id),
                locale: Set(Lang::Zh),
                failed_logins: Set(0),
                locked_until: Set(None),
                disabled: Set(false),
                created_at: Set(now),
                ..Default::default()
            },
            now,
            |saved| {
                Audit::new(by, "user.created", format!("user:{}", saved.id)).with(
                    serde_json::json!({ "username": saved.username, "role": saved.role, "unit_id": saved.unit_id }),
                )
            },
        )
        .await
        .map(User::from)
    }

    pub async fn user_by_name(&self, username: &str) -> StoreResult<Option<User>> {
        Ok(self.user_row(username).await?.map(User::from))
    }

    /// The stored row, password hash included: for signing in.
    pub(crate) async fn user_row(&self, username: &str) -> StoreResult<Option<user::Model>> {
        Ok(user::Entity::find()
            .filter(user::Column::Username.eq(username.trim().to_lowercase()))
            .one(self.db())
            .await?)
    }

    /// The user named `username`, or a field error naming it.
    async fn existing_user(&self, username: &str) -> StoreResult<user::Model> {
        self.user_row(username).await?.ok_or_else(|| {
            DomainError::field(
                "username",
                "unknown_user",
                format!("no user {username}"),
                format!("用户 {username} 不存在"),
            )
            .into()
        })
    }

    /// Every user, by name.
    pub async fn users(&self) -> StoreResult<Vec<User>> {
        Ok(records::all(user::Entity::find().order_by_asc(user::Column::Username).all(self.db()).await?))
    }

    pub async fn user(&self, id: i64) -> StoreResult<User> {
        user::Entity::find_by_id(id).one(self.db()).await?.map(User::from).ok_or(StoreError::not_found("user", id))
    }

    /// A user's tokens, newest first.
    pub async fn tokens_of(&self, user_id: i64) -> StoreResult<Vec<ApiToken>> {
        let rows = api_token::Entity::find()
            .filter(api_token::Column::UserId.eq(user_id))
            .order_by_desc(api_token::Column::Id)
            .all(self.db())
            .await?;
        Ok(records::all(rows))
    }

    pub async fn any_user_exists(&self) -> StoreResult<bool> {
        Ok(user::Entity::find().one(self.db()).await?.is_some())
    }

    /// Creates a token for `username` and returns its secret (shown once).
    #[tracing::instrument(skip_all)]
    pub async fn create_token(
        &self,
        by: &By,
        username: &str,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<(ApiToken, SecretString)> {
        let user = self.existing_user(username).await?;
        let secret = random_secret(TOKEN_PREFIX, 32);
        let txn = self.db().begin().await?;
        let model = api_token::ActiveModel {
            user_id: Set(user.id),
            name: Set(name.to_owned()),
            token_hash: Set(token_digest(&secret)),
            created_at: Set(now),
            expires_at: Set(expires_at),
            revoked_at: Set(None),
            last_used_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let detail =
            serde_json::json!({ "username": user.username, "name": model.name, "expires_at": model.expires_at });
        self.audit(&txn, Audit::new(by, "token.created", format!("token:{}", model.id)).with(detail), now).await?;
        txn.commit().await?;
        Ok((model.into(), SecretString::from(secret)))
    }

    /// Revokes `username`'s tokens (those named `name`, or all); returns how many.
    pub async fn revoke_tokens(
        &self,
        by: &By,
        username: &str,
        name: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let user = self.existing_user(username).await?;
        let mut q = api_token::Entity::update_many()
            .set(api_token::ActiveModel { revoked_at: Set(Some(now)), ..Default::default() })
            .filter(api_token::Column::UserId.eq(user.id))
            .filter(api_token::Column::RevokedAt.is_null());
        if let Some(name) = name {
            q = q.filter(api_token::Column::Name.eq(name));
        }
        let txn = self.db().begin().await?;
        let revoked = q.exec(&txn).await?.rows_affected;
        let detail = serde_json::json!({ "username": user.username, "name": name, "revoked": revoked });
        self.audit(&txn, Audit::new(by, "token.revoked", format!("user:{}", user.id)).with(detail), now).await?;
        txn.commit().await?;
        Ok(revoked)
    }

    /// Sets `username`'s password (a lost one is not a dead end): the
    /// account is unlocked and its open web sessions end.
    pub async fn set_password(
        &self,
        by: &By,
        username: &str,
        password: &SecretString,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let user = self.existing_user(username).await?;
        let hash = hash_password(password)?;
        let txn = self.db().begin().await?;
        user::ActiveModel {
            id: Set(user.id),
            password_hash: Set(Some(hash)),
            failed_logins: Set(0),
            locked_until: Set(None),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        web_session::Entity::delete_many().filter(web_session::Column::UserId.eq(user.id)).exec(&txn).await?;
        let detail = serde_json::json!({ "username": user.username });
        self.audit(&txn, Audit::new(by, "user.password_set", format!("user:{}", user.id)).with(detail), now).await?;
        txn.commit().await?;
        self.sessions_ended();
        Ok(())
    }

    /// Resolves a bearer token to the acting user, or `None` when the token is
    /// unknown, revoked, expired, or its user is disabled.
    #[tracing::instrument(skip_all)]
    pub async fn authenticate_token(
        &self,
        token: &str,
        source: Source,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Actor>> {
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 200 {
            return Ok(None);
        }
        // Read through the readers: on SQLite every API request would
        // otherwise queue behind the one writer (a burst of notices did).
        let Some((found, Some(user))) = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(token_digest(token)))
            .find_also_related(user::Entity)
            .one(self.reader())
            .await?
        else {
            return Ok(None);
        };
        if found.revoked_at.is_some() || found.expires_at.is_some_and(|e| e <= now) {
            return Ok(None);
        }
        if user.disabled {
            return Ok(None);
        }
        // Record use at most once a minute, to keep reads from becoming writes.
        if found.last_used_at.is_none_or(|t| now - t > chrono::Duration::minutes(1)) {
            let mut active: api_token::ActiveModel = found.into();
            active.last_used_at = Set(Some(now));
            active.update(self.db()).await?;
        }
        Ok(Some(actor_of(&user, source)?))
    }
}

/// The actor a stored user acts as.
pub(crate) fn actor_of(user: &user::Model, source: Source) -> StoreResult<Actor> {
    Ok(Actor {
        user_id: user.id,
        username: user.username.clone(),
        role: user.role,
        unit_id: user.unit_id,
        source,
        address: None,
    })
}

fn hash_password(password: &SecretString) -> StoreResult<String> {
    let p = password.expose_secret();
    if p.chars().count() < 10 {
        return Err(DomainError::field(
            "password",
            "too_short",
            "a password needs at least 10 characters",
            "密码至少需要 10 个字符",
        )
        .into());
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(p.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Corrupt(format!("password hashing failed: {e}")))
}

/// The hash of a random password nobody knows, checked against when a
/// username does not exist so that sign-in takes as long either way.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let salt = SaltString::generate(&mut OsRng);
        let password = random_secret("", 16);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).unwrap_or_default()
    });
    &HASH
}

/// Checks a password against a stored argon2 hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(parse_username(" Duty.Officer ").unwrap(), "duty.officer");
        assert!(parse_username("ab").is_err());
        assert!(parse_username("值班员").is_err());
    }

    #[test]
    fn a_password_verifies_against_its_hash_only() {
        let hash = hash_password(&SecretString::from("correct horse battery")).unwrap();
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_prefixed_random_and_digested() {
        let a = random_secret(TOKEN_PREFIX, 32);
        let b = random_secret(TOKEN_PREFIX, 32);
        assert!(a.starts_with(TOKEN_PREFIX) && a != b);
        assert_eq!(token_digest(&a).len(), 64);
        assert_ne!(token_digest(&a), a);
    }
}
