//! Protection periods in the database: declared by the bureau (audited),
//! and read at dispatch so a notice issued inside one takes its policy.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use super::audit::Audit;
use super::entities::{protection_period, unit};
use super::timeline::By;
use super::{Store, StoreError, StoreResult};
use crate::domain::DomainError;
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
        let json = |v: serde_json::Result<String>| v.map_err(|e| StoreError::Corrupt(e.to_string()));
        let saved = protection_period::ActiveModel {
            name: Set(draft.name.clone()),
            starts_at: Set(draft.starts_at),
            ends_at: Set(draft.ends_at),
            unit_ids: Set(json(serde_json::to_string(&draft.unit_ids))?),
            policy_override: Set(json(serde_json::to_string(&draft.policy))?),
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
        period_of(saved)
    }

    /// Every period, latest first.
    pub async fn protection_periods(&self) -> StoreResult<Vec<ProtectionPeriod>> {
        protection_period::Entity::find()
            .order_by_desc(protection_period::Column::StartsAt)
            .all(self.reader())
            .await?
            .into_iter()
            .map(period_of)
            .collect()
    }
}

/// The periods in force at `at` (for any unit).
pub async fn in_force_at<C: ConnectionTrait>(conn: &C, at: DateTime<Utc>) -> StoreResult<Vec<ProtectionPeriod>> {
    protection_period::Entity::find()
        .filter(protection_period::Column::EndsAt.gt(at))
        .filter(protection_period::Column::StartsAt.lte(at))
        .all(conn)
        .await?
        .into_iter()
        .map(period_of)
        .collect()
}

pub(super) fn period_of(m: protection_period::Model) -> StoreResult<ProtectionPeriod> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("protection period {}: {e}", m.id));
    Ok(ProtectionPeriod {
        id: m.id,
        unit_ids: serde_json::from_str(&m.unit_ids).map_err(corrupt)?,
        policy: serde_json::from_str(&m.policy_override).map_err(corrupt)?,
        name: m.name,
        starts_at: m.starts_at,
        ends_at: m.ends_at,
    })
}
