//! Callbacks already taken: a chat app or a phone gateway retries a callback
//! it thinks was lost, and the retry must be answered, not applied again.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use super::entities::callback_receipt;
use super::{Store, StoreResult};

/// Receipts older than this are forgotten: every door refuses a callback
/// whose own timestamp is this old, so no retry can outlive its receipt.
pub const RECEIPT_TTL: Duration = Duration::hours(1);

impl Store {
    /// Records that `door` took the event `key`; false when it already had.
    pub async fn first_receipt(&self, door: &str, key: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        callback_receipt::Entity::delete_many()
            .filter(callback_receipt::Column::ReceivedAt.lt(now - RECEIPT_TTL))
            .exec(self.db())
            .await?;
        let row = callback_receipt::ActiveModel {
            door: Set(door.to_owned()),
            event_key: Set(key.to_owned()),
            received_at: Set(now),
            ..Default::default()
        };
        let inserted = callback_receipt::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([callback_receipt::Column::Door, callback_receipt::Column::EventKey])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(self.db())
            .await?;
        Ok(inserted == 1)
    }

    /// Forgets a receipt whose event could not be applied for a reason of
    /// ours (the database was down), so the vendor's retry is taken.
    pub async fn forget_receipt(&self, door: &str, key: &str) -> StoreResult<()> {
        callback_receipt::Entity::delete_many()
            .filter(callback_receipt::Column::Door.eq(door))
            .filter(callback_receipt::Column::EventKey.eq(key))
            .exec(self.db())
            .await?;
        Ok(())
    }
}
