//! Use cases of work reports (汇报): a unit files its own month by month
//! (the bureau may file for a unit it names), saved as a draft and then
//! submitted once the month has ended; managers read.

use crate::domain::access::{By, Caller, Need};
use crate::domain::work_report::{self, Month, WorkReport, WorkReportDraft};

use super::{AppResult, Core};

impl Core {
    /// Saves the draft of `unit_id`'s report for `month`.
    pub async fn save_work_report(
        &self,
        caller: &Caller,
        unit_id: Option<i64>,
        month: Month,
        draft: WorkReportDraft,
    ) -> AppResult<WorkReport> {
        Self::require(caller, Need::Report)?;
        let unit_id = Self::reporting_unit(caller, unit_id)?;
        let now = self.clock.now();
        work_report::check_fileable(month, now, self.store.tz())?;
        Ok(self.store.save_work_report(&By::caller(caller), caller.scope(), unit_id, month, draft, now).await?)
    }

    /// Submits `unit_id`'s report for `month`.
    pub async fn submit_work_report(
        &self,
        caller: &Caller,
        unit_id: Option<i64>,
        month: Month,
    ) -> AppResult<WorkReport> {
        Self::require(caller, Need::Report)?;
        let unit_id = Self::reporting_unit(caller, unit_id)?;
        let now = self.clock.now();
        work_report::check_submittable(month, now, self.store.tz())?;
        Ok(self.store.submit_work_report(&By::caller(caller), caller.scope(), unit_id, month, now).await?)
    }
}
