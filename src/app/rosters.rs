//! Use cases on a branch's duty roster (值班表): its weekly rotation and the
//! overrides for leave and exchanged shifts. The unit keeps its own; the
//! bureau may keep any.

use crate::domain::access::By;
use crate::domain::access::{Caller, Need};
use crate::domain::roster::Rotation;
use crate::store::rosters::{OverrideDraft, StoredRoster};

use super::{AppResult, Core};

impl Core {
    pub async fn set_roster(&self, caller: &Caller, branch_id: i64, rotation: Rotation) -> AppResult<StoredRoster> {
        Self::require(caller, Need::Report)?;
        let now = self.clock.now();
        Ok(self.store.set_roster(&By::caller(caller), caller.scope(), branch_id, rotation, now).await?)
    }

    pub async fn add_roster_override(
        &self,
        caller: &Caller,
        branch_id: i64,
        draft: OverrideDraft,
    ) -> AppResult<StoredRoster> {
        Self::require(caller, Need::Report)?;
        let now = self.clock.now();
        Ok(self.store.add_roster_override(&By::caller(caller), caller.scope(), branch_id, draft, now).await?)
    }
}
