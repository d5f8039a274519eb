//! Protection periods in the database: declared by the bureau (audited),
//! and read at dispatch so a notice issued inside one takes its policy.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use super::audit::Audit;
use super::entities::{protection_period, unit};
use super::{Store, StoreResult};
use crate::domain::DomainError;
use crate::domain::access::By;
use crate::domain::protection::{PeriodDraft, ProtectionPeriod};

impl Store {
    /// Declares a period; every unit on watch must exist.
    pub async fn create_protection_period(
        &self,
        by: &By,
        draft: PeriodDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<ProtectionPeriod> {
        let txn = self.db().begin().await?;
        let known = unit::Entity::find().filter(unit::Column::Id.is_in(draft.unit_ids.clone())).all(&txn).await?;
        if let Some(missing) = draft.unit_ids.iter().find(|id| !known.iter().any(|u| u.id == **id)) {
            return Err(DomainError::field(
                "unit_ids",
                "unknown_unit",
                format!("no support unit with id {missing}"),
                format!("支撑单位 {missing} 不存在"),
            )
            .into());
        }
        let saved = protection_period::ActiveModel {
            name: Set(draft.name.clone()),
            starts_at: Set(draft.starts_at),
            ends_at: Set(draft.ends_at),
            unit_ids: Set(draft.unit_ids.clone().into()),
            policy_override: Set(draft.policy.clone().into()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let detail = serde_json::json!({
            "name": draft.name,
            "starts_at": draft.starts_at,
            "ends_at": draft.ends_at,
            "unit_ids": draft.unit_ids,
            "policy": draft.policy,
        });
        let entry = Audit::new(by, "protection_period.created", format!("protection_period:{}", saved.id)).with(detail);
        self.audit(&txn, entry, now).await?;
        txn.commit().await?;
        Ok(period_of(saved))
    }

    /// Every period, latest first.
    pub async fn protection_periods(&self) -> StoreResult<Vec<ProtectionPeriod>> {
        let rows = protection_period::Entity::find()
            .order_by_desc(protection_period::Column::StartsAt)
            .all(self.reader())
            .await?;
        Ok(rows.into_iter().map(period_of).collect())
    }
}

/// The periods in force at `at` (for any unit).
pub async fn in_force_at<C: ConnectionTrait>(conn: &C, at: DateTime<Utc>) -> StoreResult<Vec<ProtectionPeriod>> {
    in_force_between(conn, at, at).await
}

/// The periods in force at some moment of `[from, to]` (for notices issued
/// together, each then asks `in_force` about its own moment).
pub async fn in_force_between<C: ConnectionTrait>(
    conn: &C,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<ProtectionPeriod>> {
    let rows = protection_period::Entity::find()
        .filter(protection_period::Column::EndsAt.gt(from))
        .filter(protection_period::Column::StartsAt.lte(to))
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(period_of).collect())
}

pub(super) fn period_of(m: protection_period::Model) -> ProtectionPeriod {
    ProtectionPeriod {
        id: m.id,
        unit_ids: m.unit_ids.0,
        policy: m.policy_override.0,
        name: m.name,
        starts_at: m.starts_at,
        ends_at: m.ends_at,
    }
}
