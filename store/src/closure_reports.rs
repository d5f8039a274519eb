//! Closure reports: one per assignment, saved as drafts by the unit, then
//! submitted, accepted or returned; each workflow step is on the timeline in
//! the same transaction.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set, TransactionTrait};

use super::audit::Audit;
use super::entities::{assignment, closure_report};
use super::timeline::{self, NewEvent};
use super::{Store, StoreError, StoreResult};
use crate::domain::DomainError;
use crate::domain::access::By;
use crate::domain::access::Scope;
use crate::domain::closure::ClosureDraft;
use crate::domain::event::{BureauEvent, EventKind};
use crate::domain::record::ClosureReport;
use crate::domain::review::{ReviewAction, ReviewStatus, Reviewed};

async fn assignment_in(txn: &DatabaseTransaction, scope: Scope, id: i64) -> StoreResult<assignment::Model> {
    assignment::Entity::find_by_id(id)
        .one(txn)
        .await?
        .filter(|a| scope.allows_unit(a.unit_id))
        .ok_or(StoreError::not_found("assignment", id))
}

async fn report_of(txn: &DatabaseTransaction, assignment_id: i64) -> StoreResult<Option<closure_report::Model>> {
    Ok(closure_report::Entity::find().filter(closure_report::Column::AssignmentId.eq(assignment_id)).one(txn).await?)
}

impl Store {
    /// The assignment's closure report, `None` if not started; 404 outside scope.
    pub async fn closure_report(&self, scope: Scope, assignment_id: i64) -> StoreResult<Option<ClosureReport>> {
        self.assignment(scope, assignment_id).await?;
        Ok(closure_report::Entity::find()
            .filter(closure_report::Column::AssignmentId.eq(assignment_id))
            .one(self.db())
            .await?
            .map(ClosureReport::from))
    }

    /// Creates or replaces the draft; refused once submitted or accepted.
    #[tracing::instrument(skip_all, fields(assignment_id))]
    pub async fn save_closure_report(
        &self,
        by: &By,
        scope: Scope,
        assignment_id: i64,
        draft: ClosureDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<ClosureReport> {
        let txn = self.db().begin().await?;
        assignment_in(&txn, scope, assignment_id).await?;
        let existing = report_of(&txn, assignment_id).await?;
        if let Some(r) = &existing {
            r.status.check_editable(Reviewed::ClosureReport)?;
        }
        let mut row = match &existing {
            Some(r) => closure_report::ActiveModel::from(r.clone()),
            None => closure_report::ActiveModel {
                assignment_id: Set(assignment_id),
                status: Set(ReviewStatus::Draft),
                created_at: Set(now),
                ..Default::default()
            },
        };
        row.event_time = Set(draft.event_time);
        row.description = Set(draft.description);
        row.cause = Set(draft.cause);
        row.impact = Set(draft.impact);
        row.countermeasures = Set(draft.countermeasures);
        row.analysis = Set(draft.analysis);
        row.five_tuples = Set(draft.five_tuples.into());
        row.propagation_path = Set(draft.propagation_path);
        row.c2_addresses = Set(draft.c2_addresses.into());
        row.disposal_recommendations = Set(draft.disposal_recommendations);
        row.updated_at = Set(now);
        let saved = if existing.is_some() { row.update(&txn).await? } else { row.insert(&txn).await? };
        let action = if existing.is_some() { "closure_report.edited" } else { "closure_report.created" };
        self.audit(&txn, Audit::new(by, action, format!("assignment:{assignment_id}")), now).await?;
        txn.commit().await?;
        Ok(saved.into())
    }

    /// Submits, accepts or returns the report, recording the step on the
    /// assignment's timeline. Returning needs a comment.
    #[tracing::instrument(skip_all, fields(assignment_id, action = action.code()))]
    pub async fn closure_step(
        &self,
        by: &By,
        scope: Scope,
        assignment_id: i64,
        action: ReviewAction,
        comment: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<ClosureReport> {
        let comment = crate::domain::text::optional("comment", comment, crate::domain::text::REASON)
            .map_err(|e| DomainError::Invalid(vec![e]))?;
        let txn = self.db().begin().await?;
        let a = assignment_in(&txn, scope, assignment_id).await?;
        let report =
            report_of(&txn, assignment_id).await?.ok_or(StoreError::not_found("closure report", assignment_id))?;
        let settled_before = super::report_cells::settled_of(&txn, &a, None, self.tz()).await?;
        let next = report.status.after(action, Reviewed::ClosureReport)?;
        action.step(comment.as_deref())?;
        let mut row = closure_report::ActiveModel::from(report.clone());
        match action {
            ReviewAction::Submit => {
                ClosureReport::from(report.clone()).content.check_complete()?;
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
        let res = closure_report::Entity::update_many()
            .set(row)
            .filter(closure_report::Column::Id.eq(report.id))
            .filter(closure_report::Column::Status.eq(report.status))
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::Concurrent { entity: "closure report" });
        }
        let kind = match action {
            ReviewAction::Submit => BureauEvent::ClosureSubmitted,
            ReviewAction::Accept => BureauEvent::ClosureAccepted,
            ReviewAction::Return => BureauEvent::ClosureReturned,
        };
        timeline::append(
            &txn,
            self.audit_key(),
            NewEvent {
                assignment_id,
                notice_id: a.notice_id,
                kind: EventKind::Other(kind),
                at: now,
                by,
                note: comment,
                data: None,
            },
            now,
        )
        .await?;
        let saved = closure_report::Entity::find_by_id(report.id)
            .one(&txn)
            .await?
            .ok_or(StoreError::not_found("closure report", assignment_id))?;
        let settled_after = super::report_cells::settled_of(&txn, &a, None, self.tz()).await?;
        super::report_cells::restate(&txn, settled_before, settled_after).await?;
        txn.commit().await?;
        self.wake();
        Ok(saved.into())
    }
}
