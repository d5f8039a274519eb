//! The registry of detection objects (检测对象) in the database: the
//! bureau keeps it, every signed-in reader picks targets from it, and each
//! change is audited. A name is registered once.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use super::audit::Audit;
use super::entities::enterprise;
use super::{Store, StoreError, StoreResult};
use crate::domain::DomainError;
use crate::domain::access::By;
use crate::domain::enterprise::{Enterprise, EnterpriseDraft};
use crate::domain::geo::Coordinates;
use crate::domain::notice::TargetKind;

impl From<enterprise::Model> for Enterprise {
    fn from(e: enterprise::Model) -> Self {
        Enterprise {
            id: e.id,
            name: e.name,
            credit_code: e.credit_code,
            kind: e.kind,
            businesses: e.businesses.into_inner(),
            address: e.address,
            location: e.lat.zip(e.lon).map(|(lat, lon)| Coordinates { lat, lon }),
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// The enterprise `id`, read inside a transaction (a notice or a report
/// naming it); a field error under `field` when there is none.
pub(crate) async fn named(db: &impl ConnectionTrait, field: &str, id: i64) -> StoreResult<Enterprise> {
    enterprise::Entity::find_by_id(id).one(db).await?.map(Enterprise::from).ok_or_else(|| unknown(field, id))
}

/// The field error for an enterprise id the registry does not hold.
pub(crate) fn unknown(field: &str, id: i64) -> StoreError {
    DomainError::field(
        field,
        "unknown_enterprise",
        format!("no detection object with id {id}"),
        format!("检测对象 {id} 不存在"),
    )
    .into()
}

/// Which of `ids` the registry holds, in one query.
pub(crate) async fn known(db: &impl ConnectionTrait, ids: &[i64]) -> StoreResult<Vec<i64>> {
    let rows = enterprise::Entity::find().filter(enterprise::Column::Id.is_in(ids.to_vec())).all(db).await?;
    Ok(rows.into_iter().map(|e| e.id).collect())
}

/// The registered enterprise of exactly this name, if any: a target typed
/// as the registry names it is linked to it.
pub(crate) async fn by_name(db: &impl ConnectionTrait, name: &str) -> StoreResult<Option<Enterprise>> {
    Ok(enterprise::Entity::find().filter(enterprise::Column::Name.eq(name)).one(db).await?.map(Enterprise::from))
}

fn taken(name: &str) -> StoreError {
    DomainError::conflict(
        "enterprise_taken",
        format!("{name} is already in the registry"),
        format!("检测对象“{name}”已在名录中"),
    )
    .into()
}

impl Store {
    /// Registers an enterprise; a name already registered is refused.
    pub async fn create_enterprise(
        &self,
        by: &By,
        draft: EnterpriseDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<Enterprise> {
        let txn = self.db().begin().await?;
        if by_name(&txn, &draft.name).await?.is_some() {
            return Err(taken(&draft.name));
        }
        let saved = enterprise::ActiveModel {
            name: Set(draft.name),
            credit_code: Set(draft.credit_code),
            kind: Set(draft.kind),
            businesses: Set(draft.businesses.into()),
            address: Set(draft.address),
            lat: Set(draft.location.map(|c| c.lat)),
            lon: Set(draft.location.map(|c| c.lon)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let entry = Audit::new(by, "enterprise.created", format!("enterprise:{}", saved.id))
            .with(serde_json::json!({ "name": saved.name, "kind": saved.kind.code() }));
        self.audit(&txn, entry, now).await?;
        txn.commit().await?;
        Ok(saved.into())
    }

    /// Replaces an enterprise's facts; notices already issued keep the name
    /// they were issued with.
    pub async fn update_enterprise(
        &self,
        by: &By,
        id: i64,
        draft: EnterpriseDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<Enterprise> {
        let txn = self.db().begin().await?;
        let current =
            enterprise::Entity::find_by_id(id).one(&txn).await?.ok_or(StoreError::not_found("enterprise", id))?;
        let other = enterprise::Entity::find()
            .filter(enterprise::Column::Name.eq(&draft.name))
            .filter(enterprise::Column::Id.ne(id))
            .one(&txn)
            .await?;
        if other.is_some() {
            return Err(taken(&draft.name));
        }
        let before = serde_json::json!({ "name": current.name, "kind": current.kind.code() });
        let mut row: enterprise::ActiveModel = current.into();
        row.name = Set(draft.name);
        row.credit_code = Set(draft.credit_code);
        row.kind = Set(draft.kind);
        row.businesses = Set(draft.businesses.into());
        row.address = Set(draft.address);
        row.lat = Set(draft.location.map(|c| c.lat));
        row.lon = Set(draft.location.map(|c| c.lon));
        row.updated_at = Set(now);
        let saved = row.update(&txn).await?;
        let entry = Audit::new(by, "enterprise.updated", format!("enterprise:{id}"))
            .with(serde_json::json!({ "before": before, "name": saved.name, "kind": saved.kind.code() }));
        self.audit(&txn, entry, now).await?;
        txn.commit().await?;
        Ok(saved.into())
    }

    /// One registered enterprise (the registry is read by every signed-in reader).
    pub async fn enterprise(&self, id: i64) -> StoreResult<Enterprise> {
        enterprise::Entity::find_by_id(id)
            .one(self.reader())
            .await?
            .map(Enterprise::from)
            .ok_or(StoreError::not_found("enterprise", id))
    }

    /// The registry by name, optionally one kind only.
    pub async fn enterprises(&self, kind: Option<TargetKind>) -> StoreResult<Vec<Enterprise>> {
        let mut q = enterprise::Entity::find();
        if let Some(kind) = kind {
            q = q.filter(enterprise::Column::Kind.eq(kind));
        }
        let rows = q.order_by_asc(enterprise::Column::Name).all(self.reader()).await?;
        Ok(rows.into_iter().map(Enterprise::from).collect())
    }

    /// The names of registered enterprises by id.
    pub async fn enterprise_names(&self, ids: &[i64]) -> StoreResult<std::collections::HashMap<i64, String>> {
        let rows =
            enterprise::Entity::find().filter(enterprise::Column::Id.is_in(ids.to_vec())).all(self.reader()).await?;
        Ok(rows.into_iter().map(|e| (e.id, e.name)).collect())
    }
}
