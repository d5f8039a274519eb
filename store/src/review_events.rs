//! The timeline every reviewed report keeps (special and threat reports):
//! each step written in the transaction of the change, and audited there.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::audit::Audit;
use super::entities::review_event;
use super::{Store, StoreResult};
use crate::domain::access::By;
use crate::domain::review::{ReviewEvent, ReviewStep, Reviewed};

impl Store {
    /// Appends `step` to the timeline of report `report_id` of kind
    /// `subject` and audits it.
    pub(crate) async fn record_review_step(
        &self,
        txn: &DatabaseTransaction,
        by: &By,
        (subject, report_id): (Reviewed, i64),
        step: ReviewStep,
        comment: Option<String>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let detail = serde_json::json!({ "comment": comment });
        review_event::ActiveModel {
            subject: Set(subject),
            report_id: Set(report_id),
            kind: Set(step),
            at: Set(now),
            actor: Set(by.label.clone()),
            source: Set(by.source),
            comment: Set(comment),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let entry =
            Audit::new(by, format!("{}.{}", subject.code(), step.code()), format!("{}:{report_id}", subject.code()))
                .with(detail);
        self.audit(txn, entry, now).await
    }
}

/// The timeline of report `report_id` of kind `subject`, oldest first (the
/// caller has checked the report is in the reader's scope).
pub(crate) async fn events(
    db: &impl ConnectionTrait,
    subject: Reviewed,
    report_id: i64,
) -> StoreResult<Vec<ReviewEvent>> {
    let rows = review_event::Entity::find()
        .filter(review_event::Column::Subject.eq(subject))
        .filter(review_event::Column::ReportId.eq(report_id))
        .order_by_asc(review_event::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|e| ReviewEvent { step: e.kind, at: e.at, actor: e.actor, source: e.source, comment: e.comment })
        .collect())
}
