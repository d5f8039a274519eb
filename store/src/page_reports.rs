//! What providers report of pages already sent, naming them by their own
//! id: a receipt (delivered, read, the call answered) recorded on the page,
//! or a page that in the end reached nobody (a call not answered), which
//! falls over to the recipient's next channel as a failed send does.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

use super::entities::page;
use super::{Store, StoreResult};
use crate::domain::event::{DeliveryFailure, DeliveryStatus, Receipt};
use crate::domain::people::ChannelKind;
use crate::domain::record::Page;

impl Store {
    /// The page a provider's id names on a channel kind.
    pub async fn page_by_provider_id(&self, kind: ChannelKind, provider_id: &str) -> StoreResult<Option<Page>> {
        self.page_where(kind, page::Column::ProviderMessageId, provider_id).await
    }

    /// The page whose idempotency key a provider passed back (an SMS
    /// gateway's `OutId`), on a channel kind.
    pub async fn page_by_key(&self, kind: ChannelKind, key: &str) -> StoreResult<Option<Page>> {
        self.page_where(kind, page::Column::IdempotencyKey, key).await
    }

    async fn page_where(&self, kind: ChannelKind, column: page::Column, value: &str) -> StoreResult<Option<Page>> {
        let found = page::Entity::find().filter(column.eq(value)).filter(page::Column::ChannelKind.eq(kind));
        Ok(found.one(self.db()).await?.map(Page::from))
    }

    /// Records `receipt` on a sent page, unless it already holds one that
    /// says as much (a read message was delivered); whether it did.
    pub async fn record_receipt(&self, page_id: i64, receipt: Receipt, at: DateTime<Utc>) -> StoreResult<bool> {
        let Some(p) = page::Entity::find_by_id(page_id).one(self.db()).await? else { return Ok(false) };
        if p.status != DeliveryStatus::Sent || p.receipt.is_some_and(|held| held >= receipt) {
            return Ok(false);
        }
        let res = page::Entity::update_many()
            .set(page::ActiveModel { receipt: Set(Some(receipt)), receipt_at: Set(Some(at)), ..Default::default() })
            .filter(page::Column::Id.eq(page_id))
            .filter(page::Column::Status.eq(DeliveryStatus::Sent))
            .filter(match p.receipt {
                Some(held) => page::Column::Receipt.eq(held),
                None => page::Column::Receipt.is_null(),
            })
            .exec(self.db())
            .await?;
        Ok(res.rows_affected > 0)
    }

    /// A sent page that the provider reports reached nobody: failed with
    /// `failure`, and the recipient's next channel paged (or the bureau
    /// told), in one transaction. False when it was no longer `sent` (the
    /// report came twice, or after a receipt).
    pub async fn undelivered(
        &self,
        page_id: i64,
        error: &str,
        failure: DeliveryFailure,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let txn = self.db().begin().await?;
        let res = page::Entity::update_many()
            .set(page::ActiveModel {
                status: Set(DeliveryStatus::Failed),
                last_error: Set(Some(error.to_owned())),
                last_error_code: Set(Some(failure)),
                updated_at: Set(now),
                ..Default::default()
            })
            .filter(page::Column::Id.eq(page_id))
            .filter(page::Column::Status.eq(DeliveryStatus::Sent))
            .filter(page::Column::Receipt.is_null())
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            txn.rollback().await?;
            return Ok(false);
        }
        let Some(failed) = page::Entity::find_by_id(page_id).one(&txn).await? else { return Ok(false) };
        let woke = self.fall_over(&txn, &Page::from(failed), error, failure, now).await?;
        if woke {
            Store::notify_peers(&txn).await?;
        }
        txn.commit().await?;
        if woke {
            self.wake();
        }
        Ok(true)
    }
}
