//! Use cases on users and their API tokens, for administrators. A token's
//! secret is returned once and never stored.

use secrecy::SecretString;

use crate::domain::access::By;
use crate::domain::access::{Caller, Need};
use crate::domain::record::{ApiToken, User};
use crate::domain::text::{self, NAME};
use crate::store::users::NewUser;

use super::{AppResult, Core};

impl Core {
    /// Every user with their tokens, for the administrators' page.
    pub async fn users(&self, caller: &Caller) -> AppResult<Vec<(User, Vec<ApiToken>)>> {
        Self::require(caller, Need::Admin)?;
        let mut out = Vec::new();
        for user in self.store.users().await? {
            let tokens = self.store.tokens_of(user.id).await?;
            out.push((user, tokens));
        }
        Ok(out)
    }

    pub async fn create_user(&self, caller: &Caller, new: NewUser) -> AppResult<User> {
        Self::require(caller, Need::Admin)?;
        Ok(self.store.create_user(&By::caller(caller), new, self.clock.now()).await?)
    }

    /// Issues a token named `name` for user `user_id`; returns its secret.
    pub async fn create_token(&self, caller: &Caller, user_id: i64, name: &str) -> AppResult<SecretString> {
        Self::require(caller, Need::Admin)?;
        let user = self.store.user(user_id).await?;
        let name = text::required("name", name, NAME)?;
        let (_, secret) =
            self.store.create_token(&By::caller(caller), &user.username, &name, None, self.clock.now()).await?;
        Ok(secret)
    }

    /// Revokes every token of user `user_id`; returns how many.
    pub async fn revoke_tokens(&self, caller: &Caller, user_id: i64) -> AppResult<u64> {
        Self::require(caller, Need::Admin)?;
        let user = self.store.user(user_id).await?;
        Ok(self.store.revoke_tokens(&By::caller(caller), &user.username, None, self.clock.now()).await?)
    }
}
