//! Threat reports (威胁信息报告) in the database: a unit's batch of findings
//! from draft through review. Every change writes the report's timeline
//! and the audit log in its transaction.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

use super::entities::{threat_finding, threat_report, unit};
use super::threat_findings::{self as findings};
use super::{Store, StoreError, StoreResult};
use crate::domain::access::{By, Scope};
use crate::domain::review::{ReviewAction, ReviewEvent, ReviewStatus, ReviewStep, Reviewed};
use crate::domain::threat::{self as rules, ThreatFinding, ThreatFindingDraft, ThreatReport, ThreatReportDraft};

/// How the shared timeline and the refusals name these reports.
const SUBJECT: Reviewed = Reviewed::ThreatReport;

/// Which threat reports to list.
#[derive(Debug, Clone, Default)]
pub struct ThreatReportFilter {
    pub unit_id: Option<i64>,
    pub status: Option<ReviewStatus>,
    /// Created at or after / before.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

fn report_of(m: threat_report::Model, findings: Vec<ThreatFinding>) -> ThreatReport {
    ThreatReport {
        id: m.id,
        unit_id: m.unit_id,
        title: m.title,
        status: m.status,
        findings,
        created_at: m.created_at,
        updated_at: m.updated_at,
        submitted_at: m.submitted_at,
        reviewed_at: m.reviewed_at,
        review_comment: m.review_comment,
    }
}

async fn row_in(db: &impl ConnectionTrait, scope: Scope, id: i64) -> StoreResult<threat_report::Model> {
    threat_report::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| scope.allows_unit(r.unit_id))
        .ok_or(StoreError::not_found("threat_report", id))
}

/// The reports with their findings, in one more query.
async fn with_findings(db: &impl ConnectionTrait, rows: Vec<threat_report::Model>) -> StoreResult<Vec<ThreatReport>> {
    let mut by_report = findings::of_reports(db, rows.iter().map(|r| r.id).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let f = by_report.remove(&r.id).unwrap_or_default();
            report_of(r, f)
        })
        .collect())
}

async fn finding_count(db: &impl ConnectionTrait, report_id: i64) -> StoreResult<u64> {
    Ok(threat_finding::Entity::find().filter(threat_finding::Column::ReportId.eq(report_id)).count(db).await?)
}

async fn one(db: &impl ConnectionTrait, scope: Scope, id: i64) -> StoreResult<ThreatReport> {
    let row = row_in(db, scope, id).await?;
    with_findings(db, vec![row]).await?.pop().ok_or(StoreError::not_found("threat_report", id))
}

impl Store {
    /// Files a new draft for unit `unit_id` with its first findings.
    pub async fn create_threat_report(
        &self,
        by: &By,
        unit_id: i64,
        draft: ThreatReportDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<ThreatReport> {
        let txn = self.db().begin().await?;
        unit::Entity::find_by_id(unit_id).one(&txn).await?.ok_or(StoreError::not_found("unit", unit_id))?;
        let saved = threat_report::ActiveModel {
            unit_id: Set(unit_id),
            title: Set(draft.title.clone()),
            status: Set(ReviewStatus::Draft),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let mut stored = Vec::new();
        for (i, f) in draft.findings.iter().enumerate() {
            let field = format!("findings[{i}].enterprise_id");
            stored.push(findings::insert(&txn, (saved.id, unit_id), &field, f, now).await?);
        }
        self.record_review_step(&txn, by, (SUBJECT, saved.id), ReviewStep::Created, None, now).await?;
        txn.commit().await?;
        Ok(report_of(saved, stored))
    }

    /// Adds a finding to a draft (or a returned report).
    pub async fn add_threat_finding(
        &self,
        by: &By,
        scope: Scope,
        id: i64,
        finding: ThreatFindingDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let txn = self.db().begin().await?;
        let current = row_in(&txn, scope, id).await?;
        current.status.check_editable(SUBJECT)?;
        rules::check_room(finding_count(&txn, id).await?)?;
        let name = finding.name.clone();
        findings::insert(&txn, (id, current.unit_id), "enterprise_id", &finding, now).await?;
        self.touch(&txn, current, now).await?;
        self.record_review_step(&txn, by, (SUBJECT, id), ReviewStep::FindingAdded, Some(name), now).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Removes finding `finding_id` from a draft (or a returned report).
    pub async fn remove_threat_finding(
        &self,
        by: &By,
        scope: Scope,
        id: i64,
        finding_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let txn = self.db().begin().await?;
        let current = row_in(&txn, scope, id).await?;
        current.status.check_editable(SUBJECT)?;
        let name =
            findings::delete(&txn, id, finding_id).await?.ok_or(StoreError::not_found("threat_finding", finding_id))?;
        self.touch(&txn, current, now).await?;
        self.record_review_step(&txn, by, (SUBJECT, id), ReviewStep::FindingRemoved, Some(name), now).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Marks the report changed, only if it still stands as it was read:
    /// a finding never slips into a report submitted meanwhile.
    async fn touch(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        current: threat_report::Model,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let res = threat_report::Entity::update_many()
            .col_expr(threat_report::Column::UpdatedAt, now.into())
            .filter(threat_report::Column::Id.eq(current.id))
            .filter(threat_report::Column::Status.eq(current.status))
            .exec(txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::Concurrent { entity: "threat report" });
        }
        Ok(())
    }

    /// Submits, accepts or returns a report; returning needs a comment.
    pub async fn threat_report_step(
        &self,
        by: &By,
        scope: Scope,
        id: i64,
        action: ReviewAction,
        comment: Option<String>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let txn = self.db().begin().await?;
        let current = row_in(&txn, scope, id).await?;
        let next = current.status.after(action, SUBJECT)?;
        let step = action.step(comment.as_deref())?;
        let mut row = threat_report::ActiveModel { status: Set(next), updated_at: Set(now), ..Default::default() };
        match action {
            ReviewAction::Submit => {
                rules::check_complete(finding_count(&txn, id).await?)?;
                row.submitted_at = Set(Some(now));
            }
            ReviewAction::Accept | ReviewAction::Return => {
                row.reviewed_at = Set(Some(now));
                row.reviewed_by = Set(by.user_id);
                row.review_comment = Set(comment.clone());
            }
        }
        // Only the step that finds the expected status wins a race.
        let res = threat_report::Entity::update_many()
            .set(row)
            .filter(threat_report::Column::Id.eq(id))
            .filter(threat_report::Column::Status.eq(current.status))
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::Concurrent { entity: "threat report" });
        }
        self.record_review_step(&txn, by, (SUBJECT, id), step, comment, now).await?;
        txn.commit().await?;
        Ok(())
    }

    /// One report with its findings, in the reader's scope.
    pub async fn threat_report(&self, scope: Scope, id: i64) -> StoreResult<ThreatReport> {
        one(self.reader(), scope, id).await
    }

    /// The reports in the reader's scope, newest first.
    pub async fn threat_reports(&self, scope: Scope, filter: &ThreatReportFilter) -> StoreResult<Vec<ThreatReport>> {
        let mut q = threat_report::Entity::find();
        let unit = match scope {
            Scope::Unit(u) => Some(u),
            Scope::All => filter.unit_id,
        };
        if let Some(u) = unit {
            q = q.filter(threat_report::Column::UnitId.eq(u));
        }
        if let Some(s) = filter.status {
            q = q.filter(threat_report::Column::Status.eq(s));
        }
        if let Some(from) = filter.from {
            q = q.filter(threat_report::Column::CreatedAt.gte(from));
        }
        if let Some(to) = filter.to {
            q = q.filter(threat_report::Column::CreatedAt.lt(to));
        }
        let rows = q
            .order_by_desc(threat_report::Column::CreatedAt)
            .order_by_desc(threat_report::Column::Id)
            .all(self.reader())
            .await?;
        with_findings(self.reader(), rows).await
    }

    /// A report's timeline, oldest first.
    pub async fn threat_report_events(&self, scope: Scope, id: i64) -> StoreResult<Vec<ReviewEvent>> {
        row_in(self.reader(), scope, id).await?;
        super::review_events::events(self.reader(), SUBJECT, id).await
    }
}
