//! What is forgotten with time: pages long settled (sent, failed or
//! cancelled: their delivery history), web sessions long expired and the
//! Telegram updates long handled. Assignments, timelines, reports and the
//! audit log are kept. Deleted in batches, so a first sweep over years of
//! rows never holds the database for long.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::entities::{page, telegram_update, web_session};
use super::{Store, StoreResult};
use crate::domain::event::DeliveryStatus;

/// Rows deleted per statement.
const BATCH: u64 = 5_000;

/// How long each kind of row is kept once it is settled.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// After a page was last changed in a final state.
    pub pages: Duration,
    /// After a session expired.
    pub web_sessions: Duration,
    /// After an update was handled.
    pub telegram_updates: Duration,
}

/// How many rows a sweep deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub pages: u64,
    pub web_sessions: u64,
    pub telegram_updates: u64,
}

impl Swept {
    pub fn total(&self) -> u64 {
        self.pages + self.web_sessions + self.telegram_updates
    }
}

impl Store {
    /// Deletes what `keep` no longer keeps at `now`.
    pub async fn sweep_retention(&self, keep: &Retention, now: DateTime<Utc>) -> StoreResult<Swept> {
        let settled = [DeliveryStatus::Sent, DeliveryStatus::Failed, DeliveryStatus::Cancelled];
        let pages = self
            .delete_batches::<page::Entity>(
                page::Column::Id,
                page::Column::Status.is_in(settled).and(page::Column::UpdatedAt.lt(now - keep.pages)),
            )
            .await?;
        let web_sessions = self
            .delete_batches::<web_session::Entity>(
                web_session::Column::Id,
                web_session::Column::ExpiresAt.lt(now - keep.web_sessions),
            )
            .await?;
        let telegram_updates = self
            .delete_batches::<telegram_update::Entity>(
                telegram_update::Column::Id,
                telegram_update::Column::HandledAt.lt(now - keep.telegram_updates),
            )
            .await?;
        Ok(Swept { pages, web_sessions, telegram_updates })
    }

    /// Deletes the rows of `E` matching `condition`, `BATCH` at a time.
    async fn delete_batches<E: EntityTrait>(&self, id: E::Column, condition: SimpleExpr) -> StoreResult<u64>
    where
        E::Column: ColumnTrait,
    {
        let mut deleted = 0;
        loop {
            let ids =
                Query::select().column(id).from(E::default()).and_where(condition.clone()).limit(BATCH).to_owned();
            let done = E::delete_many().filter(Expr::col(id).in_subquery(ids)).exec(self.db()).await?.rows_affected;
            deleted += done;
            if done < BATCH {
                return Ok(deleted);
            }
        }
    }
}
