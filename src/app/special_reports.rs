//! Use cases of special reports (专项报告): a unit files and submits its
//! own, the bureau accepts or returns them and may issue a notice from an
//! accepted one.

use crate::domain::access::{By, Caller, Need};
use crate::domain::notice::NoticeDraft;
use crate::domain::review::ReviewAction;
use crate::domain::special_report::{self, NoticeOrder, SpecialReport, SpecialReportDraft};
use crate::domain::text;
use crate::store::notices::NoticeRecord;

use super::{AppResult, Core};

impl Core {
    /// Files a new draft: a unit's caller for their own unit (`unit_id`
    /// may be left out), the bureau for the unit it names.
    pub async fn file_special_report(
        &self,
        caller: &Caller,
        unit_id: Option<i64>,
        draft: SpecialReportDraft,
    ) -> AppResult<SpecialReport> {
        Self::require(caller, Need::Report)?;
        let unit_id = Self::reporting_unit(caller, unit_id)?;
        Ok(self.store.create_special_report(&By::caller(caller), unit_id, draft, self.clock.now()).await?)
    }

    /// Replaces the content of a draft or a returned report.
    pub async fn edit_special_report(
        &self,
        caller: &Caller,
        id: i64,
        draft: SpecialReportDraft,
    ) -> AppResult<SpecialReport> {
        Self::require(caller, Need::Report)?;
        let now = self.clock.now();
        Ok(self.store.edit_special_report(&By::caller(caller), caller.scope(), id, draft, now).await?)
    }

    /// Submits, accepts or returns report `id`.
    pub async fn special_report_step(
        &self,
        caller: &Caller,
        id: i64,
        action: ReviewAction,
        comment: Option<&str>,
    ) -> AppResult<SpecialReport> {
        Self::require(caller, action.needs())?;
        let comment = text::optional("comment", comment, text::REASON)?;
        let now = self.clock.now();
        Ok(self.store.special_report_step(&By::caller(caller), caller.scope(), id, action, comment, now).await?)
    }

    /// Issues a notice pre-filled from accepted report `id`, linked both ways.
    pub async fn notice_from_special_report(
        &self,
        caller: &Caller,
        id: i64,
        order: &NoticeOrder,
    ) -> AppResult<NoticeRecord> {
        Self::require(caller, Need::Direct)?;
        let report = self.store.special_report(caller.scope(), id).await?;
        special_report::check_noticeable(report.status, report.notice_id)?;
        let first = match report.content.enterprise_ids.first() {
            Some(e) => Some(self.store.enterprise(*e).await?),
            None => None,
        };
        let draft = NoticeDraft::parse(report.notice_input(order, first.as_ref()))?;
        let now = self.clock.now();
        Ok(self.store.notice_from_special_report(&By::caller(caller), id, draft, &self.policy, now).await?)
    }
}
