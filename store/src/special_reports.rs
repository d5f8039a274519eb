//! Special reports (专项报告) in the database: a unit's drafts, the review
//! steps, and the notice the bureau issues from an accepted one. Every
//! change writes the report's own timeline and the audit log in its
//! transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Set, TransactionTrait,
};

use super::entities::{special_report, special_report_target, unit};
use super::notices::NoticeRecord;
use super::{Store, StoreError, StoreResult};
use crate::domain::access::{By, Scope};
use crate::domain::notice::NoticeDraft;
use crate::domain::policy::SlaPolicy;
use crate::domain::review::{ReviewAction, ReviewEvent, ReviewStatus, ReviewStep, Reviewed};
use crate::domain::special_report::{self as rules, SpecialReport, SpecialReportDraft};

/// How the shared timeline and the refusals name these reports.
const SUBJECT: Reviewed = Reviewed::SpecialReport;

/// Which special reports to list.
#[derive(Debug, Clone, Default)]
pub struct SpecialReportFilter {
    pub unit_id: Option<i64>,
    pub status: Option<ReviewStatus>,
    /// Only reports concerning this registered enterprise.
    pub enterprise_id: Option<i64>,
    /// Created at or after / before.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

fn report_of(m: special_report::Model, enterprise_ids: Vec<i64>) -> SpecialReport {
    SpecialReport {
        id: m.id,
        unit_id: m.unit_id,
        status: m.status,
        content: SpecialReportDraft {
            title: m.title,
            category: m.category,
            severity: m.severity,
            event_time: m.event_time,
            description: m.description,
            cause: m.cause,
            impact: m.impact,
            countermeasures: m.countermeasures,
            analysis: m.analysis,
            enterprise_ids,
            other_targets: m.other_targets,
        },
        notice_id: m.notice_id,
        created_at: m.created_at,
        updated_at: m.updated_at,
        submitted_at: m.submitted_at,
        reviewed_at: m.reviewed_at,
        review_comment: m.review_comment,
    }
}

/// The reports with the enterprises each names, in one more query.
async fn with_targets(db: &impl ConnectionTrait, rows: Vec<special_report::Model>) -> StoreResult<Vec<SpecialReport>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut targets: HashMap<i64, Vec<i64>> = HashMap::new();
    let links = special_report_target::Entity::find()
        .filter(special_report_target::Column::ReportId.is_in(ids))
        .order_by_asc(special_report_target::Column::EnterpriseId)
        .all(db)
        .await?;
    for l in links {
        targets.entry(l.report_id).or_default().push(l.enterprise_id);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let ids = targets.remove(&r.id).unwrap_or_default();
            report_of(r, ids)
        })
        .collect())
}

async fn row_in(db: &impl ConnectionTrait, scope: Scope, id: i64) -> StoreResult<special_report::Model> {
    special_report::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| scope.allows_unit(r.unit_id))
        .ok_or(StoreError::not_found("special_report", id))
}

/// Replaces the report's list of enterprises, each checked to exist.
async fn set_targets(txn: &DatabaseTransaction, report_id: i64, ids: &[i64]) -> StoreResult<()> {
    let known = super::enterprises::known(txn, ids).await?;
    if let Some((i, id)) = ids.iter().enumerate().find(|(_, id)| !known.contains(id)) {
        return Err(super::enterprises::unknown(&format!("enterprise_ids[{i}]"), *id));
    }
    special_report_target::Entity::delete_many()
        .filter(special_report_target::Column::ReportId.eq(report_id))
        .exec(txn)
        .await?;
    for id in ids {
        special_report_target::ActiveModel { report_id: Set(report_id), enterprise_id: Set(*id) }.insert(txn).await?;
    }
    Ok(())
}

impl Store {
    /// Files a new draft for unit `unit_id`.
    pub async fn create_special_report(
        &self,
        by: &By,
        unit_id: i64,
        draft: SpecialReportDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<SpecialReport> {
        let txn = self.db().begin().await?;
        unit::Entity::find_by_id(unit_id).one(&txn).await?.ok_or(StoreError::not_found("unit", unit_id))?;
        let mut row = special_report::ActiveModel {
            unit_id: Set(unit_id),
            status: Set(ReviewStatus::Draft),
            created_at: Set(now),
            ..Default::default()
        };
        fill(&mut row, &draft, now);
        let saved = row.insert(&txn).await?;
        set_targets(&txn, saved.id, &draft.enterprise_ids).await?;
        self.record_review_step(&txn, by, (SUBJECT, saved.id), ReviewStep::Created, None, now).await?;
        txn.commit().await?;
        Ok(report_of(saved, draft.enterprise_ids))
    }

    /// Replaces a draft's (or a returned report's) content.
    pub async fn edit_special_report(
        &self,
        by: &By,
        scope: Scope,
        id: i64,
        draft: SpecialReportDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<SpecialReport> {
        let txn = self.db().begin().await?;
        let current = row_in(&txn, scope, id).await?;
        current.status.check_editable(SUBJECT)?;
        let mut row: special_report::ActiveModel = current.into();
        fill(&mut row, &draft, now);
        let saved = row.update(&txn).await?;
        set_targets(&txn, id, &draft.enterprise_ids).await?;
        self.record_review_step(&txn, by, (SUBJECT, id), ReviewStep::Edited, None, now).await?;
        txn.commit().await?;
        Ok(report_of(saved, draft.enterprise_ids))
    }

    /// Submits, accepts or returns a report; returning needs a comment.
    pub async fn special_report_step(
        &self,
        by: &By,
        scope: Scope,
        id: i64,
        action: ReviewAction,
        comment: Option<String>,
        now: DateTime<Utc>,
    ) -> StoreResult<SpecialReport> {
        let txn = self.db().begin().await?;
        let current = row_in(&txn, scope, id).await?;
        let next = current.status.after(action, SUBJECT)?;
        let before = current.status;
        let step = action.step(comment.as_deref())?;
        let mut row: special_report::ActiveModel = current.clone().into();
        match action {
            ReviewAction::Submit => {
                report_of(current, Vec::new()).content.check_complete()?;
                row.submitted_at = Set(Some(now));
            }
            ReviewAction::Accept | ReviewAction::Return => {
                row.reviewed_at = Set(Some(now));
                row.reviewed_by = Set(by.user_id);
                row.review_comment = Set(comment.clone());
            }
        }
        row.status = Set(next);
        row.updated_at = Set(now);
        // Only the step that finds the expected status wins a race.
        let res = special_report::Entity::update_many()
            .set(row)
            .filter(special_report::Column::Id.eq(id))
            .filter(special_report::Column::Status.eq(before))
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::Concurrent { entity: "special report" });
        }
        self.record_review_step(&txn, by, (SUBJECT, id), step, comment, now).await?;
        let saved = row_in(&txn, scope, id).await?;
        let report = with_targets(&txn, vec![saved]).await?.pop().ok_or(StoreError::not_found("special_report", id))?;
        txn.commit().await?;
        Ok(report)
    }

    /// Issues the notice the bureau made of accepted report `id`, and links
    /// the two, in one transaction: a report is turned into a notice once.
    pub async fn notice_from_special_report(
        &self,
        by: &By,
        id: i64,
        draft: NoticeDraft,
        policy: &SlaPolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<NoticeRecord> {
        let txn = self.db().begin().await?;
        let current = row_in(&txn, Scope::All, id).await?;
        rules::check_noticeable(current.status, current.notice_id)?;
        let record = self.issue_in(&txn, by, draft, policy, now).await?;
        let linked = special_report::Entity::update_many()
            .col_expr(special_report::Column::NoticeId, record.notice.id.into())
            .filter(special_report::Column::Id.eq(id))
            .filter(special_report::Column::NoticeId.is_null())
            .exec(&txn)
            .await?;
        if linked.rows_affected == 0 {
            return Err(StoreError::Concurrent { entity: "special report" });
        }
        let comment = Some(format!("#{} {}", record.notice.id, record.notice.title));
        self.record_review_step(&txn, by, (SUBJECT, id), ReviewStep::NoticeIssued, comment, now).await?;
        Store::notify_peers(&txn).await?;
        txn.commit().await?;
        self.wake();
        Ok(record)
    }

    /// One report in the reader's scope.
    pub async fn special_report(&self, scope: Scope, id: i64) -> StoreResult<SpecialReport> {
        let row = row_in(self.reader(), scope, id).await?;
        with_targets(self.reader(), vec![row]).await?.pop().ok_or(StoreError::not_found("special_report", id))
    }

    /// The reports in the reader's scope, newest first.
    pub async fn special_reports(&self, scope: Scope, filter: &SpecialReportFilter) -> StoreResult<Vec<SpecialReport>> {
        let mut q = special_report::Entity::find();
        let unit = match scope {
            Scope::Unit(u) => Some(u),
            Scope::All => filter.unit_id,
        };
        if let Some(u) = unit {
            q = q.filter(special_report::Column::UnitId.eq(u));
        }
        if let Some(s) = filter.status {
            q = q.filter(special_report::Column::Status.eq(s));
        }
        if let Some(e) = filter.enterprise_id {
            let about = special_report_target::Entity::find()
                .select_only()
                .column(special_report_target::Column::ReportId)
                .filter(special_report_target::Column::EnterpriseId.eq(e));
            q = q.filter(special_report::Column::Id.in_subquery(about.into_query()));
        }
        if let Some(from) = filter.from {
            q = q.filter(special_report::Column::CreatedAt.gte(from));
        }
        if let Some(to) = filter.to {
            q = q.filter(special_report::Column::CreatedAt.lt(to));
        }
        let rows = q
            .order_by_desc(special_report::Column::CreatedAt)
            .order_by_desc(special_report::Column::Id)
            .all(self.reader())
            .await?;
        with_targets(self.reader(), rows).await
    }

    /// A report's timeline, oldest first.
    pub async fn special_report_events(&self, scope: Scope, id: i64) -> StoreResult<Vec<ReviewEvent>> {
        row_in(self.reader(), scope, id).await?;
        super::review_events::events(self.reader(), SUBJECT, id).await
    }

    /// The report a notice was issued from, if the reader may see it.
    pub async fn special_report_of_notice(&self, scope: Scope, notice_id: i64) -> StoreResult<Option<SpecialReport>> {
        let row = special_report::Entity::find()
            .filter(special_report::Column::NoticeId.eq(notice_id))
            .one(self.reader())
            .await?
            .filter(|r| scope.allows_unit(r.unit_id));
        Ok(with_targets(self.reader(), row.into_iter().collect()).await?.pop())
    }
}

/// Writes the draft's content into a row.
fn fill(row: &mut special_report::ActiveModel, d: &SpecialReportDraft, now: DateTime<Utc>) {
    row.title = Set(d.title.clone());
    row.category = Set(d.category);
    row.severity = Set(d.severity);
    row.event_time = Set(d.event_time);
    row.description = Set(d.description.clone());
    row.cause = Set(d.cause.clone());
    row.impact = Set(d.impact.clone());
    row.countermeasures = Set(d.countermeasures.clone());
    row.analysis = Set(d.analysis.clone());
    row.other_targets = Set(d.other_targets.clone());
    row.updated_at = Set(now);
}
