//! Use cases of a protection period (重保期): declaring it, drawing up its
//! screening checklist (the bureau), recording what screening found (the
//! unit).

use crate::domain::access::By;
use crate::domain::access::{Caller, Need};
use crate::domain::protection::{PeriodDraft, ProtectionPeriod, ProtectionPeriodInput};
use crate::domain::record::ScreeningTask;
use crate::domain::screening::{self, ResultDraft, ScreeningTasksInput};

use super::{AppResult, Core};

impl Core {
    /// Declares a period; its policy must fit the configured base policy.
    pub async fn create_protection_period(
        &self,
        caller: &Caller,
        input: &ProtectionPeriodInput,
    ) -> AppResult<ProtectionPeriod> {
        Self::require(caller, Need::Direct)?;
        let draft = PeriodDraft::parse(input, &self.policy)?;
        Ok(self.store.create_protection_period(&By::caller(caller), draft, self.clock.now()).await?)
    }

    /// Adds enterprises to period `period_id`'s checklist, all or none.
    pub async fn add_screening_tasks(
        &self,
        caller: &Caller,
        period_id: i64,
        input: &ScreeningTasksInput,
    ) -> AppResult<Vec<ScreeningTask>> {
        Self::require(caller, Need::Direct)?;
        let period = self.store.protection_period(period_id).await?;
        let drafts = screening::parse_tasks(input, period.starts_at)?;
        Ok(self.store.add_screening_tasks(&By::caller(caller), &period, drafts, self.clock.now()).await?)
    }

    /// Records (or corrects) what screening found for task `task_id`.
    pub async fn record_screening_result(
        &self,
        caller: &Caller,
        task_id: i64,
        result: ResultDraft,
    ) -> AppResult<ScreeningTask> {
        Self::require(caller, Need::Report)?;
        let now = self.clock.now();
        Ok(self.store.record_screening_result(&By::caller(caller), caller.scope(), task_id, result, now).await?)
    }
}
