//! Use cases on one assignment: report a milestone or a note, extend its
//! deadline, stand it down, reassign it to another unit.

use crate::domain::access::By;
use crate::domain::access::{Caller, Need, Scope};
use crate::domain::change::{Change, Reassignment};
use crate::domain::record::{Assignment, Unit};
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

    /// Whether standing assignment `id` down for `reason` would be accepted
    /// now (role, then scope, then the state machine), without writing
    /// anything: a door asks before it asks the user to confirm.
    pub async fn check_stand_down(&self, caller: &Caller, id: i64, reason: &str) -> AppResult<Assignment> {
        Self::require(caller, Need::Direct)?;
        let a = self.store.assignment(caller.scope(), id).await?;
        a.state.stand_down(reason, self.clock.now())?;
        Ok(a)
    }

    /// The same for a reassignment (which begins with a stand-down), with
    /// the unit it would go to.
    pub async fn check_reassign(&self, caller: &Caller, id: i64, to: &Reassignment) -> AppResult<(Assignment, Unit)> {
        let a = self.check_stand_down(caller, id, &to.reason).await?;
        let unit = self.store.unit(Scope::All, to.to_unit_id).await?;
        Ok((a, unit))
    }
}
