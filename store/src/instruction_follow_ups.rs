//! Following up unread instructions: the engine claims a receipt whose
//! follow-up is due, the domain's `FollowUp` says which (a reminder to the
//! liaisons, or the support leads told), and its messages, the receipt's
//! step and its next due time commit together. Durable like a timer: the
//! due time is the receipt's own column.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::{ActiveModelTrait, ColumnTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use sea_orm::{IntoActiveModel, TransactionTrait};

use super::entities::{instruction, instruction_receipt, unit};
use super::instructions::{reachable, receipt_of, tell};
use super::{Store, StoreResult};
use crate::domain::instruction::{FollowUp, FollowUpStep};
use crate::domain::page::InstructionContext;
use crate::domain::people::Role;

/// One due receipt handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowedUp {
    pub receipt_id: i64,
    /// `None` when nothing was due after all: it was only rescheduled.
    pub step: Option<FollowUpStep>,
    pub pages: usize,
}

impl Store {
    /// The earliest follow-up due, to sleep until.
    pub async fn next_instruction_due(&self) -> StoreResult<Option<DateTime<Utc>>> {
        Ok(instruction_receipt::Entity::find()
            .filter(instruction_receipt::Column::NextDueAt.is_not_null())
            .order_by_asc(instruction_receipt::Column::NextDueAt)
            .one(self.db())
            .await?
            .and_then(|r| r.next_due_at))
    }

    /// Sends the earliest follow-up due at `now`, if any; `None` when
    /// nothing is due (or every due receipt is held by a peer).
    #[tracing::instrument(skip_all)]
    pub async fn follow_up_instruction(&self, f: FollowUp, now: DateTime<Utc>) -> StoreResult<Option<FollowedUp>> {
        let txn = self.db().begin().await?;
        let mut q = instruction_receipt::Entity::find()
            .filter(instruction_receipt::Column::NextDueAt.lte(now))
            .filter(instruction_receipt::Column::ConfirmedAt.is_null())
            .order_by_asc(instruction_receipt::Column::NextDueAt)
            .order_by_asc(instruction_receipt::Column::Id)
            .limit(1);
        if self.backend() == DbBackend::Postgres {
            q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let Some(r) = q.one(&txn).await? else {
            txn.commit().await?;
            return Ok(None);
        };
        let i = instruction::Entity::find_by_id(r.instruction_id).one(&txn).await?;
        let unit_name = unit::Entity::find_by_id(r.unit_id).one(&txn).await?.map(|u| u.name).unwrap_or_default();
        let receipt = receipt_of(r.clone(), unit_name.clone());
        let mut done = receipt.done();
        let step = i.as_ref().and_then(|i| f.due_now(i.issued_at, i.confirm_by, &done, now));
        let mut row = r.clone().into_active_model();
        let mut pages = 0;
        if let (Some(i), Some(step)) = (&i, step) {
            let role = match step {
                FollowUpStep::Remind => Role::Liaison,
                FollowUpStep::Escalate => Role::SupportLead,
            };
            let told = reachable(&txn, r.unit_id, role).await?;
            let mut ctx = InstructionContext {
                step: Some(step),
                receipt_id: r.id,
                instruction_id: i.id,
                title: i.title.clone(),
                body: i.body.clone(),
                unit_name,
                person_name: String::new(),
                unconfirmed_by: receipt.delivered_to.clone(),
                issued_at: i.issued_at,
                confirm_by: i.confirm_by,
            };
            pages = tell(self, &txn, &mut ctx, &told, now).await?;
            match step {
                FollowUpStep::Remind => row.reminded_at = Set(Some(now)),
                FollowUpStep::Escalate => row.escalated_at = Set(Some(now)),
            }
            done.push(step);
        }
        // Nothing due after all (the follow-up times were changed), or the
        // instruction gone: the receipt sleeps until its next step, or for good.
        row.next_due_at = Set(i.as_ref().and_then(|i| f.next(i.issued_at, i.confirm_by, &done)).map(|d| d.at));
        row.update(&txn).await?;
        if pages > 0 {
            Store::notify_peers(&txn).await?;
        }
        txn.commit().await?;
        if pages > 0 {
            self.wake();
        }
        Ok(Some(FollowedUp { receipt_id: r.id, step, pages }))
    }
}
