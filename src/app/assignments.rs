//! Use cases on one assignment: report a milestone or a note, extend its
//! deadline, stand it down, reassign it to another unit.

use crate::domain::access::By;
use crate::domain::access::{Caller, Need};
use crate::domain::change::{Change, Reassignment};
use crate::domain::record::Assignment;
use crate::store::assignments::Recorded;

use super::{AppResult, Core};

impl Core {
    /// Applies `change` to assignment `id` for `caller`: the change's role
    /// first, then the assignment in the caller's scope, then the state
    /// machine, in one transaction.
    pub async fn change_assignment(&self, caller: &Caller, id: i64, change: Change) -> AppResult<Recorded> {
        Self::require(caller, change.needs())?;
        let by = By::caller(caller);
        Ok(self.store.change_assignment(&by, caller.scope(), id, change, self.clock.now()).await?)
    }

    /// Moves assignment `id` to another unit: the old one is stood down
    /// and a new one dispatched with a fresh clock; returns the new one.
    pub async fn reassign(&self, caller: &Caller, id: i64, to: Reassignment) -> AppResult<Assignment> {
        Self::require(caller, Need::Direct)?;
        let by = By::caller(caller);
        let now = self.clock.now();
        Ok(self.store.reassign(&by, caller.scope(), id, &to, &self.policy, now).await?)
    }
}
