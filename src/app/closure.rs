//! Use cases on an assignment's closure report (处置报告): the unit writes
//! and submits it, the bureau accepts or returns it.

use crate::domain::access::By;
use crate::domain::access::{Caller, Need};
use crate::domain::closure::ClosureDraft;
use crate::domain::record::ClosureReport;
use crate::domain::review::ReviewAction;

use super::{AppResult, Core};

impl Core {
    /// Creates or replaces the draft of assignment `id`'s report.
    pub async fn save_closure_report(&self, caller: &Caller, id: i64, draft: ClosureDraft) -> AppResult<ClosureReport> {
        Self::require(caller, Need::Report)?;
        let now = self.clock.now();
        Ok(self.store.save_closure_report(&By::caller(caller), caller.scope(), id, draft, now).await?)
    }

    /// Submits, accepts or returns assignment `id`'s report.
    pub async fn closure_step(
        &self,
        caller: &Caller,
        id: i64,
        action: ReviewAction,
        comment: Option<&str>,
    ) -> AppResult<ClosureReport> {
        Self::require(caller, action.needs())?;
        let now = self.clock.now();
        Ok(self.store.closure_step(&By::caller(caller), caller.scope(), id, action, comment, now).await?)
    }
}
