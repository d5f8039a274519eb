//! Use cases of threat reports (威胁信息报告): a unit files batches of
//! findings and submits them; the bureau accepts or returns them.

use crate::domain::access::{By, Caller, Need};
use crate::domain::review::ReviewAction;
use crate::domain::text;
use crate::domain::threat::{ThreatFindingDraft, ThreatReport, ThreatReportDraft};

use super::{AppResult, Core};

impl Core {
    /// Files a new draft with its first findings, for the caller's unit or
    /// (the bureau) the unit it names.
    pub async fn file_threat_report(
        &self,
        caller: &Caller,
        unit_id: Option<i64>,
        draft: ThreatReportDraft,
    ) -> AppResult<ThreatReport> {
        Self::require(caller, Need::Report)?;
        let unit_id = Self::reporting_unit(caller, unit_id)?;
        Ok(self.store.create_threat_report(&By::caller(caller), unit_id, draft, self.clock.now()).await?)
    }

    /// Adds a finding to a draft or a returned report.
    pub async fn add_threat_finding(&self, caller: &Caller, id: i64, finding: ThreatFindingDraft) -> AppResult<()> {
        Self::require(caller, Need::Report)?;
        let now = self.clock.now();
        Ok(self.store.add_threat_finding(&By::caller(caller), caller.scope(), id, finding, now).await?)
    }

    /// Removes a finding from a draft or a returned report.
    pub async fn remove_threat_finding(&self, caller: &Caller, id: i64, finding_id: i64) -> AppResult<()> {
        Self::require(caller, Need::Report)?;
        let now = self.clock.now();
        Ok(self.store.remove_threat_finding(&By::caller(caller), caller.scope(), id, finding_id, now).await?)
    }

    /// Submits, accepts or returns report `id`.
    pub async fn threat_report_step(
        &self,
        caller: &Caller,
        id: i64,
        action: ReviewAction,
        comment: Option<&str>,
    ) -> AppResult<()> {
        Self::require(caller, action.needs())?;
        let comment = text::optional("comment", comment, text::REASON)?;
        let now = self.clock.now();
        Ok(self.store.threat_report_step(&By::caller(caller), caller.scope(), id, action, comment, now).await?)
    }
}
