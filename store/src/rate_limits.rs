//! Rate limits kept in the database, so that every instance sharing it
//! counts against one allowance (Telegram's limits for the bot, and each
//! address's on sign-in, link codes and action links). The rule is the
//! domain's sliding log (`domain::rate`); a use under several limits takes
//! all of them in one transaction or none.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use super::entities::rate_limit;
use super::{Store, StoreResult};
use crate::domain::rate::{self, Limit, UseLog};

/// Idle keys are forgotten after this long (longer than any limit's window).
const FORGET_AFTER: Duration = Duration::days(1);

impl Store {
    /// Takes one use of every key under its limit if all of them allow it
    /// at `now`; otherwise changes nothing and says when they would.
    pub async fn take_uses(
        &self,
        uses: &[(String, Limit)],
        now: DateTime<Utc>,
    ) -> StoreResult<Result<(), DateTime<Utc>>> {
        let mut uses: Vec<&(String, Limit)> = uses.iter().collect();
        // One order for every transaction, so two never wait on each other.
        uses.sort_by(|a, b| a.0.cmp(&b.0));
        let txn = self.db().begin().await?;
        let fresh = uses.iter().map(|(key, _)| rate_limit::ActiveModel {
            key: Set(key.clone()),
            uses: Set(UseLog::default().into()),
            last_used_at: Set(now),
        });
        rate_limit::Entity::insert_many(fresh).on_conflict_do_nothing().exec(&txn).await?;
        let mut q = rate_limit::Entity::find()
            .filter(rate_limit::Column::Key.is_in(uses.iter().map(|(key, _)| key.clone())))
            .order_by_asc(rate_limit::Column::Key);
        if self.backend() == DbBackend::Postgres {
            q = q.lock_exclusive();
        }
        let mut rows = q.all(&txn).await?;
        let limit_of = |key: &str| uses.iter().find(|(k, _)| k == key).map(|(_, limit)| *limit);
        let ready = rate::ready_at(rows.iter().filter_map(|r| Some((&r.uses.0, limit_of(&r.key)?))), now);
        if ready > now {
            txn.commit().await?;
            return Ok(Err(ready));
        }
        for row in &mut rows {
            let Some(limit) = limit_of(&row.key) else { continue };
            let mut log = row.uses.0.clone();
            log.record(limit, now);
            rate_limit::ActiveModel { key: Set(row.key.clone()), uses: Set(log.into()), last_used_at: Set(now) }
                .update(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(Ok(()))
    }

    /// Forgets keys idle for a day (they hold nothing back any more).
    pub async fn forget_idle_limits(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        Ok(rate_limit::Entity::delete_many()
            .filter(rate_limit::Column::LastUsedAt.lt(now - FORGET_AFTER))
            .exec(self.db())
            .await?
            .rows_affected)
    }
}
