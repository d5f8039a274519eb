//! The facts of the units' other duties in a period, as the scorecard and
//! the SLA report count them (`domain::report::duties`): only the columns
//! needed, one query per kind of duty.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Select};

use super::entities::{
    instruction, instruction_receipt, screening_task, special_report, threat_finding, threat_report, unit, work_report,
};
use super::report_rows::ID_SLICE;
use super::{Store, StoreError, StoreResult};
use crate::domain::access::Scope;
use crate::domain::period::Period;
use crate::domain::report::duties::{DutyFacts, FiledReport, ReceiptFact, ScreeningFact, WorkReportFact};
use crate::domain::review::{ReviewStatus, Reviewed};
use crate::domain::work_report::{Month, WorkReportStatus};

/// Restricts `q` to the reader's scope and the unit asked for.
fn units<E: EntityTrait>(q: Select<E>, column: E::Column, scope: Scope, unit_id: Option<i64>) -> Select<E> {
    let q = match scope {
        Scope::Unit(u) => q.filter(column.eq(u)),
        Scope::All => q,
    };
    match unit_id {
        Some(u) => q.filter(column.eq(u)),
        None => q,
    }
}

impl Store {
    /// The duties' facts of `period` in `scope` (one unit's when `unit_id`
    /// is given); `months` are the months whose work reports count.
    pub async fn duty_facts(
        &self,
        scope: Scope,
        unit_id: Option<i64>,
        period: &Period,
        months: &[Month],
    ) -> StoreResult<DutyFacts> {
        let db = self.reader();
        let registered = units(unit::Entity::find(), unit::Column::Id, scope, unit_id)
            .filter(unit::Column::CreatedAt.lt(period.to))
            .select_only()
            .columns([unit::Column::Id, unit::Column::CreatedAt])
            .into_tuple::<(i64, DateTime<Utc>)>()
            .all(db)
            .await?;
        let mut reports = self.filed_special_reports(scope, unit_id, period).await?;
        reports.extend(self.filed_threat_reports(scope, unit_id, period).await?);
        let work_reports = units(work_report::Entity::find(), work_report::Column::UnitId, scope, unit_id)
            .filter(work_report::Column::Month.is_in(months.iter().map(ToString::to_string)))
            .filter(work_report::Column::Status.eq(WorkReportStatus::Submitted))
            .select_only()
            .columns([work_report::Column::UnitId, work_report::Column::Month, work_report::Column::SubmittedAt])
            .into_tuple::<(i64, String, Option<DateTime<Utc>>)>()
            .all(db)
            .await?
            .into_iter()
            .filter_map(|(unit_id, month, at)| Some((unit_id, month, at?)))
            .map(|(unit_id, month, submitted_at)| {
                let month = Month::parse(&month)
                    .map_err(|e| StoreError::Corrupt(format!("work_reports.month: {}", e.message)))?;
                Ok(WorkReportFact { unit_id, month, submitted_at })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let screenings = units(screening_task::Entity::find(), screening_task::Column::UnitId, scope, unit_id)
            .filter(screening_task::Column::DueAt.gte(period.from))
            .filter(screening_task::Column::DueAt.lt(period.to))
            .select_only()
            .columns([screening_task::Column::UnitId, screening_task::Column::DueAt, screening_task::Column::DoneAt])
            .into_tuple::<(i64, Option<DateTime<Utc>>, Option<DateTime<Utc>>)>()
            .all(db)
            .await?
            .into_iter()
            .filter_map(|(unit_id, due_at, done_at)| {
                Some(ScreeningFact { unit_id, due_at: due_at?, done: done_at.is_some() })
            })
            .collect();
        Ok(DutyFacts {
            units: registered,
            reports,
            receipts: self.receipts_issued(scope, unit_id, period).await?,
            work_reports,
            screenings,
        })
    }

    async fn filed_special_reports(
        &self,
        scope: Scope,
        unit_id: Option<i64>,
        period: &Period,
    ) -> StoreResult<Vec<FiledReport>> {
        let rows = units(special_report::Entity::find(), special_report::Column::UnitId, scope, unit_id)
            .filter(special_report::Column::SubmittedAt.gte(period.from))
            .filter(special_report::Column::SubmittedAt.lt(period.to))
            .filter(special_report::Column::Status.ne(ReviewStatus::Draft))
            .select_only()
            .columns([
                special_report::Column::UnitId,
                special_report::Column::SubmittedAt,
                special_report::Column::Status,
            ])
            .into_tuple::<(i64, Option<DateTime<Utc>>, ReviewStatus)>()
            .all(self.reader())
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(unit_id, at, status)| {
                Some(FiledReport { unit_id, kind: Reviewed::SpecialReport, filed_at: at?, status, findings: 0 })
            })
            .collect())
    }

    async fn filed_threat_reports(
        &self,
        scope: Scope,
        unit_id: Option<i64>,
        period: &Period,
    ) -> StoreResult<Vec<FiledReport>> {
        let rows = units(threat_report::Entity::find(), threat_report::Column::UnitId, scope, unit_id)
            .filter(threat_report::Column::SubmittedAt.gte(period.from))
            .filter(threat_report::Column::SubmittedAt.lt(period.to))
            .filter(threat_report::Column::Status.ne(ReviewStatus::Draft))
            .select_only()
            .columns([
                threat_report::Column::Id,
                threat_report::Column::UnitId,
                threat_report::Column::SubmittedAt,
                threat_report::Column::Status,
            ])
            .into_tuple::<(i64, i64, Option<DateTime<Utc>>, ReviewStatus)>()
            .all(self.reader())
            .await?;
        let mut findings: HashMap<i64, i64> = HashMap::new();
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        for slice in ids.chunks(ID_SLICE) {
            let counted = threat_finding::Entity::find()
                .filter(threat_finding::Column::ReportId.is_in(slice.iter().copied()))
                .select_only()
                .column(threat_finding::Column::ReportId)
                .column_as(Expr::col(threat_finding::Column::Id).count(), "n")
                .group_by(threat_finding::Column::ReportId)
                .into_tuple::<(i64, i64)>()
                .all(self.reader())
                .await?;
            findings.extend(counted);
        }
        Ok(rows
            .into_iter()
            .filter_map(|(id, unit_id, at, status)| {
                let findings = u32::try_from(findings.get(&id).copied().unwrap_or(0)).unwrap_or(u32::MAX);
                Some(FiledReport { unit_id, kind: Reviewed::ThreatReport, filed_at: at?, status, findings })
            })
            .collect())
    }

    /// Each unit's receipt of the instructions issued in the period.
    async fn receipts_issued(
        &self,
        scope: Scope,
        unit_id: Option<i64>,
        period: &Period,
    ) -> StoreResult<Vec<ReceiptFact>> {
        let issued: HashMap<i64, (DateTime<Utc>, DateTime<Utc>)> = instruction::Entity::find()
            .filter(instruction::Column::IssuedAt.gte(period.from))
            .filter(instruction::Column::IssuedAt.lt(period.to))
            .select_only()
            .columns([instruction::Column::Id, instruction::Column::IssuedAt, instruction::Column::ConfirmBy])
            .into_tuple::<(i64, DateTime<Utc>, DateTime<Utc>)>()
            .all(self.reader())
            .await?
            .into_iter()
            .map(|(id, issued_at, confirm_by)| (id, (issued_at, confirm_by)))
            .collect();
        let ids: Vec<i64> = issued.keys().copied().collect();
        let mut out = Vec::new();
        for slice in ids.chunks(ID_SLICE) {
            let receipts =
                units(instruction_receipt::Entity::find(), instruction_receipt::Column::UnitId, scope, unit_id)
                    .filter(instruction_receipt::Column::InstructionId.is_in(slice.iter().copied()))
                    .select_only()
                    .columns([
                        instruction_receipt::Column::InstructionId,
                        instruction_receipt::Column::UnitId,
                        instruction_receipt::Column::ConfirmedAt,
                    ])
                    .into_tuple::<(i64, i64, Option<DateTime<Utc>>)>()
                    .all(self.reader())
                    .await?;
            out.extend(receipts.into_iter().filter_map(|(instruction_id, unit_id, confirmed_at)| {
                let (issued_at, confirm_by) = *issued.get(&instruction_id)?;
                Some(ReceiptFact { unit_id, issued_at, confirm_by, confirmed_at })
            }));
        }
        Ok(out)
    }
}
