//! The registry aggregate: units with their branches, people and channels.
//! Reads take the actor's scope, so a unit user can never load another unit.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use super::audit::Audit;
use super::entities::{branch, channel, person, unit};
use super::{Store, StoreError, StoreResult};
use crate::domain::DomainError;
use crate::domain::access::By;
use crate::domain::access::Scope;
use crate::domain::people::{ChannelDraft, ChannelStatus};
use crate::domain::policy::{PolicyOverride, SlaPolicy};
use crate::domain::record::{Branch, Channel, Person, Unit};
use crate::domain::unit::{BranchDraft, PersonDraft, UnitDraft};
use crate::records;

impl Store {
    #[tracing::instrument(skip_all)]
    pub async fn create_unit(&self, by: &By, draft: UnitDraft, now: DateTime<Utc>) -> StoreResult<Unit> {
        self.insert_audited(
            unit::ActiveModel {
                name: Set(draft.name),
                credit_code: Set(draft.credit_code),
                hq_address: Set(draft.hq_address),
                policy_override: Set(None),
                created_at: Set(now),
                ..Default::default()
            },
            now,
            |saved| {
                Audit::new(by, "unit.created", format!("unit:{}", saved.id))
                    .with(serde_json::json!({ "name": saved.name }))
            },
        )
        .await
        .map(Into::into)
    }

    pub async fn unit(&self, scope: Scope, id: i64) -> StoreResult<Unit> {
        if !scope.allows_unit(id) {
            return Err(StoreError::not_found("unit", id));
        }
        unit::Entity::find_by_id(id).one(self.db()).await?.map(Unit::from).ok_or(StoreError::not_found("unit", id))
    }

    pub async fn units(&self, scope: Scope) -> StoreResult<Vec<Unit>> {
        let mut q = unit::Entity::find().order_by_asc(unit::Column::Id);
        if let Scope::Unit(id) = scope {
            q = q.filter(unit::Column::Id.eq(id));
        }
        Ok(records::all(q.all(self.db()).await?))
    }

    #[tracing::instrument(skip_all, fields(unit_id))]
    pub async fn create_branch(
        &self,
        by: &By,
        scope: Scope,
        unit_id: i64,
        draft: BranchDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<Branch> {
        self.unit(scope, unit_id).await?;
        self.insert_audited(
            branch::ActiveModel {
                unit_id: Set(unit_id),
                name: Set(draft.name),
                district: Set(draft.district),
                address: Set(draft.address),
                lat: Set(draft.location.map(|c| c.lat)),
                lon: Set(draft.location.map(|c| c.lon)),
                created_at: Set(now),
                ..Default::default()
            },
            now,
            |saved| {
                Audit::new(by, "branch.created", format!("branch:{}", saved.id))
                    .with(serde_json::json!({ "unit_id": saved.unit_id, "name": saved.name }))
            },
        )
        .await
        .map(Into::into)
    }

    pub async fn branch(&self, id: i64) -> StoreResult<Option<Branch>> {
        Ok(branch::Entity::find_by_id(id).one(self.db()).await?.map(Branch::from))
    }

    pub async fn branches(&self, unit_id: i64) -> StoreResult<Vec<Branch>> {
        let rows = branch::Entity::find()
            .filter(branch::Column::UnitId.eq(unit_id))
            .order_by_asc(branch::Column::Id)
            .all(self.db())
            .await?;
        Ok(records::all(rows))
    }

    #[tracing::instrument(skip_all, fields(unit_id))]
    pub async fn create_person(
        &self,
        by: &By,
        scope: Scope,
        unit_id: i64,
        draft: PersonDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<Person> {
        self.unit(scope, unit_id).await?;
        if let Some(branch_id) = draft.branch_id {
            let belongs =
                branch::Entity::find_by_id(branch_id).one(self.db()).await?.is_some_and(|b| b.unit_id == unit_id);
            if !belongs {
                return Err(DomainError::field(
                    "branch_id",
                    "unknown_branch",
                    format!("branch {branch_id} is not a branch of unit {unit_id}"),
                    format!("属地机构 {branch_id} 不属于支撑单位 {unit_id}"),
                )
                .into());
            }
        }
        self.insert_audited(
            person::ActiveModel {
                unit_id: Set(unit_id),
                branch_id: Set(draft.branch_id),
                name: Set(draft.name),
                phone: Set(draft.phone),
                role: Set(draft.role),
                title: Set(draft.details.title),
                office_phone: Set(draft.details.office_phone),
                email: Set(draft.details.email),
                active: Set(true),
                created_at: Set(now),
                ..Default::default()
            },
            now,
            |saved| {
                Audit::new(by, "person.created", format!("person:{}", saved.id))
                    .with(serde_json::json!({ "unit_id": saved.unit_id, "name": saved.name, "role": saved.role }))
            },
        )
        .await
        .map(Into::into)
    }

    pub async fn person(&self, scope: Scope, id: i64) -> StoreResult<Person> {
        person::Entity::find_by_id(id)
            .one(self.db())
            .await?
            .filter(|p| scope.allows_unit(p.unit_id))
            .map(Person::from)
            .ok_or(StoreError::not_found("person", id))
    }

    pub async fn people(&self, unit_id: i64) -> StoreResult<Vec<Person>> {
        let rows = person::Entity::find()
            .filter(person::Column::UnitId.eq(unit_id))
            .order_by_asc(person::Column::Id)
            .all(self.db())
            .await?;
        Ok(records::all(rows))
    }

    /// Adds a channel after the person's existing ones (fallback order).
    #[tracing::instrument(skip_all, fields(person_id))]
    pub async fn create_channel(
        &self,
        by: &By,
        scope: Scope,
        person_id: i64,
        channel: ChannelDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<Channel> {
        self.person(scope, person_id).await?;
        let existing = channel::Entity::find().filter(channel::Column::PersonId.eq(person_id)).count(self.db()).await?;
        let row = channel::ActiveModel {
            person_id: Set(person_id),
            kind: Set(channel.kind),
            address: Set(channel.address),
            priority: Set(i32::try_from(existing).unwrap_or(i32::MAX - 1) + 1),
            status: Set(ChannelStatus::Active),
            status_reason: Set(None),
            created_at: Set(now),
            ..Default::default()
        };
        self.insert_audited(row, now, |saved| {
            Audit::new(by, "channel.created", format!("channel:{}", saved.id))
                .with(serde_json::json!({ "person_id": saved.person_id, "kind": saved.kind }))
        })
        .await
        .map(Into::into)
    }

    /// A person's channels in fallback order (removed ones left out).
    pub async fn channels(&self, person_id: i64) -> StoreResult<Vec<Channel>> {
        let rows = channel::Entity::find()
            .filter(channel::Column::PersonId.eq(person_id))
            .filter(channel::Column::Status.ne(ChannelStatus::Removed))
            .order_by_asc(channel::Column::Priority)
            .all(self.db())
            .await?;
        Ok(records::all(rows))
    }
}

impl Store {
    /// Stores a unit's policy override after checking it against `base`.
    #[tracing::instrument(skip_all, fields(unit_id))]
    pub async fn set_unit_policy(
        &self,
        by: &By,
        scope: Scope,
        unit_id: i64,
        o: &PolicyOverride,
        base: &SlaPolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<SlaPolicy> {
        let effective = o.apply(base)?;
        self.unit(scope, unit_id).await?;
        let txn = self.db().begin().await?;
        unit::ActiveModel { id: Set(unit_id), policy_override: Set(Some(o.clone().into())), ..Default::default() }
            .update(&txn)
            .await?;
        let detail = serde_json::to_value(o).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.audit(&txn, Audit::new(by, "unit.policy_set", format!("unit:{unit_id}")).with(detail), now).await?;
        txn.commit().await?;
        Ok(effective)
    }
}

/// The policy a new assignment of `u` is dispatched with. An override that no
/// longer fits the configured base is ignored (and logged): a dispatch at
/// 3 a.m. must not fail over a policy setting.
pub fn effective_policy(u: &Unit, base: &SlaPolicy) -> SlaPolicy {
    match u.policy_override.apply(base) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(unit = u.id, error = %e, "unit policy override ignored");
            base.clone()
        }
    }
}
