//! Use cases of the registry of detection objects (检测对象): the bureau
//! keeps it; everyone signed in reads it (reads go through `Core::reads`).

use crate::domain::access::{By, Caller, Need};
use crate::domain::enterprise::{Enterprise, EnterpriseDraft};

use super::{AppResult, Core};

impl Core {
    pub async fn create_enterprise(&self, caller: &Caller, draft: EnterpriseDraft) -> AppResult<Enterprise> {
        Self::require(caller, Need::Registry)?;
        Ok(self.store.create_enterprise(&By::caller(caller), draft, self.clock.now()).await?)
    }

    pub async fn update_enterprise(&self, caller: &Caller, id: i64, draft: EnterpriseDraft) -> AppResult<Enterprise> {
        Self::require(caller, Need::Registry)?;
        Ok(self.store.update_enterprise(&By::caller(caller), id, draft, self.clock.now()).await?)
    }
}
