//! Use cases of the unit's profile: the unit keeps its own application-form
//! facts, contacts, branches' commitments and credentials; the bureau may
//! keep any unit's; managers read.

use crate::domain::access::{By, Caller, Need};
use crate::domain::profile::ProfileDraft;
use crate::domain::profile::credential::{Credential, CredentialDraft};

use super::{AppResult, Core};

impl Core {
    /// Replaces unit `unit_id`'s profile.
    pub async fn put_profile(&self, caller: &Caller, unit_id: i64, draft: ProfileDraft) -> AppResult<()> {
        Self::require(caller, Need::Report)?;
        let now = self.clock.now();
        Ok(self.store.put_profile(&By::caller(caller), caller.scope(), unit_id, draft, now).await?)
    }

    /// Records a qualification or a staff certificate of unit `unit_id`.
    pub async fn add_credential(&self, caller: &Caller, unit_id: i64, draft: CredentialDraft) -> AppResult<Credential> {
        Self::require(caller, Need::Report)?;
        let now = self.clock.now();
        Ok(self.store.add_credential(&By::caller(caller), caller.scope(), unit_id, draft, now).await?)
    }

    /// Removes credential `id` of unit `unit_id`.
    pub async fn remove_credential(&self, caller: &Caller, unit_id: i64, id: i64) -> AppResult<()> {
        Self::require(caller, Need::Report)?;
        let now = self.clock.now();
        Ok(self.store.remove_credential(&By::caller(caller), caller.scope(), (unit_id, id), now).await?)
    }
}
