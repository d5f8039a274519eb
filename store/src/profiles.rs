//! Units' profiles as the application form has them, and their
//! credentials: replaced whole or added one by one, each change audited in
//! its transaction.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::NullOrdering;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use super::audit::Audit;
use super::entities::{branch, branch_profile, credential, unit, unit_profile};
use super::{Store, StoreError, StoreResult};
use crate::domain::DomainError;
use crate::domain::access::{By, Scope};
use crate::domain::profile::credential::{Credential, CredentialDraft};
use crate::domain::profile::{BranchProfile, Commitment, ProfileDraft, UnitProfile};

/// Unit `unit_id`, when it exists in `scope`; not found otherwise.
pub(super) async fn unit_in(db: &impl ConnectionTrait, scope: Scope, unit_id: i64) -> StoreResult<()> {
    unit::Entity::find_by_id(unit_id)
        .one(db)
        .await?
        .filter(|u| scope.allows_unit(u.id))
        .map(drop)
        .ok_or(StoreError::not_found("unit", unit_id))
}

fn branch_of(b: branch_profile::Model) -> BranchProfile {
    BranchProfile {
        branch_id: b.branch_id,
        floor_area: b.floor_area,
        staff_count: b.staff_count.and_then(|n| u32::try_from(n).ok()),
        security_lead: b.security_lead,
        security_lead_mobile: b.security_lead_mobile,
        commitment: b
            .commitment_signed_on
            .zip(b.commitment_signatory)
            .map(|(signed_on, signatory)| Commitment { signed_on, signatory }),
    }
}

fn credential_of(c: credential::Model) -> Credential {
    Credential {
        id: c.id,
        unit_id: c.unit_id,
        content: CredentialDraft {
            kind: c.kind,
            name: c.name,
            holder: c.holder,
            number: c.number,
            issuer: c.issuer,
            valid_until: c.valid_until,
        },
        created_at: c.created_at,
    }
}

impl Store {
    /// Replaces unit `unit_id`'s profile; every branch named must be the unit's.
    pub async fn put_profile(
        &self,
        by: &By,
        scope: Scope,
        unit_id: i64,
        draft: ProfileDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let txn = self.db().begin().await?;
        unit_in(&txn, scope, unit_id).await?;
        let own: Vec<i64> = branch::Entity::find()
            .filter(branch::Column::UnitId.eq(unit_id))
            .all(&txn)
            .await?
            .into_iter()
            .map(|b| b.id)
            .collect();
        if let Some((i, b)) = draft.branches.iter().enumerate().find(|(_, b)| !own.contains(&b.branch_id)) {
            return Err(DomainError::field(
                format!("branches[{i}].branch_id"),
                "unknown_branch",
                format!("branch {} is not this unit's", b.branch_id),
                format!("属地机构 {} 不属于本单位", b.branch_id),
            )
            .into());
        }
        unit_profile::Entity::delete_by_id(unit_id).exec(&txn).await?;
        branch_profile::Entity::delete_many().filter(branch_profile::Column::UnitId.eq(unit_id)).exec(&txn).await?;
        unit_profile::ActiveModel {
            unit_id: Set(unit_id),
            registered_capital: Set(draft.registered_capital.clone()),
            legal_representative: Set(draft.legal_representative.clone()),
            founded_on: Set(draft.founded_on),
            business_term: Set(draft.business_term.clone()),
            business_scope: Set(draft.business_scope.clone()),
            registration_authority: Set(draft.registration_authority.clone()),
            contacts: Set(draft.contacts.clone().into()),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        for b in &draft.branches {
            branch_profile::ActiveModel {
                branch_id: Set(b.branch_id),
                unit_id: Set(unit_id),
                floor_area: Set(b.floor_area.clone()),
                staff_count: Set(b.staff_count.and_then(|n| i32::try_from(n).ok())),
                security_lead: Set(b.security_lead.clone()),
                security_lead_mobile: Set(b.security_lead_mobile.clone()),
                commitment_signed_on: Set(b.commitment.as_ref().map(|c| c.signed_on)),
                commitment_signatory: Set(b.commitment.as_ref().map(|c| c.signatory.clone())),
            }
            .insert(&txn)
            .await?;
        }
        let signed: Vec<i64> = draft.branches.iter().filter(|b| b.commitment.is_some()).map(|b| b.branch_id).collect();
        let entry = Audit::new(by, "unit_profile.updated", format!("unit:{unit_id}")).with(serde_json::json!({
            "contacts": draft.contacts.iter().map(|c| c.role.code()).collect::<Vec<_>>(),
            "commitments_signed": signed,
        }));
        self.audit(&txn, entry, now).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Unit `unit_id`'s profile in the reader's scope (empty until written).
    pub async fn profile(&self, scope: Scope, unit_id: i64) -> StoreResult<UnitProfile> {
        let db = self.reader();
        unit_in(db, scope, unit_id).await?;
        let branches = branch_profile::Entity::find()
            .filter(branch_profile::Column::UnitId.eq(unit_id))
            .order_by_asc(branch_profile::Column::BranchId)
            .all(db)
            .await?
            .into_iter()
            .map(branch_of)
            .collect();
        let row = unit_profile::Entity::find_by_id(unit_id).one(db).await?;
        let updated_at = row.as_ref().map(|r| r.updated_at);
        let content = match row {
            Some(r) => ProfileDraft {
                registered_capital: r.registered_capital,
                legal_representative: r.legal_representative,
                founded_on: r.founded_on,
                business_term: r.business_term,
                business_scope: r.business_scope,
                registration_authority: r.registration_authority,
                contacts: r.contacts.0,
                branches,
            },
            None => ProfileDraft { branches, ..ProfileDraft::default() },
        };
        Ok(UnitProfile { unit_id, content, updated_at })
    }

    /// Records a credential of unit `unit_id`.
    pub async fn add_credential(
        &self,
        by: &By,
        scope: Scope,
        unit_id: i64,
        draft: CredentialDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<Credential> {
        let txn = self.db().begin().await?;
        unit_in(&txn, scope, unit_id).await?;
        let saved = credential::ActiveModel {
            unit_id: Set(unit_id),
            kind: Set(draft.kind),
            name: Set(draft.name.clone()),
            holder: Set(draft.holder.clone()),
            number: Set(draft.number.clone()),
            issuer: Set(draft.issuer.clone()),
            valid_until: Set(draft.valid_until),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let entry = Audit::new(by, "credential.added", format!("credential:{}", saved.id))
            .with(serde_json::json!({ "unit_id": unit_id, "kind": draft.kind.code(), "name": draft.name }));
        self.audit(&txn, entry, now).await?;
        txn.commit().await?;
        Ok(credential_of(saved))
    }

    /// Removes credential `id` of unit `unit_id`.
    pub async fn remove_credential(
        &self,
        by: &By,
        scope: Scope,
        (unit_id, id): (i64, i64),
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let txn = self.db().begin().await?;
        unit_in(&txn, scope, unit_id).await?;
        let found = credential::Entity::find_by_id(id)
            .filter(credential::Column::UnitId.eq(unit_id))
            .one(&txn)
            .await?
            .ok_or(StoreError::not_found("credential", id))?;
        credential::Entity::delete_by_id(id).exec(&txn).await?;
        let entry = Audit::new(by, "credential.removed", format!("credential:{id}"))
            .with(serde_json::json!({ "unit_id": unit_id, "name": found.name }));
        self.audit(&txn, entry, now).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The credentials in the reader's scope, of one unit or all, that lapse
    /// on or before `until` when it is given, soonest first.
    pub async fn credentials(
        &self,
        scope: Scope,
        unit_id: Option<i64>,
        until: Option<NaiveDate>,
    ) -> StoreResult<Vec<Credential>> {
        let mut q = credential::Entity::find();
        if let Some(u) = unit_id {
            unit_in(self.reader(), scope, u).await?;
            q = q.filter(credential::Column::UnitId.eq(u));
        } else if let Scope::Unit(u) = scope {
            q = q.filter(credential::Column::UnitId.eq(u));
        }
        if let Some(until) = until {
            q = q.filter(credential::Column::ValidUntil.lte(until));
        }
        let rows = q
            .order_by_with_nulls(credential::Column::ValidUntil, Order::Asc, NullOrdering::Last)
            .order_by_asc(credential::Column::Id)
            .all(self.reader())
            .await?;
        Ok(rows.into_iter().map(credential_of).collect())
    }
}
