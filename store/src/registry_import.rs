//! The registry read whole (for an export and for planning an import), and
//! an import's plan written in one transaction: every unit, branch, person
//! and channel of the file, each audited, or nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use super::audit::Audit;
use super::entities::{branch, channel, person, unit};
use super::{Store, StoreError, StoreResult};
use crate::domain::access::By;
use crate::domain::people::ChannelStatus;
use crate::domain::record::{Channel, Person};
use crate::domain::registry_sheet::{self, Change, CurrentUnit, PersonPlan, PlanCounts, Sheet, UnitPlan};
use crate::records;

/// What an import did, or would do on a dry run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub counts: PlanCounts,
    pub committed: bool,
}

impl Store {
    /// Every unit with its branches and people and their channels (removed
    /// channels left out), each in the order it was added.
    pub async fn registry(&self) -> StoreResult<Vec<CurrentUnit>> {
        registry_in(self.db()).await
    }

    /// The registry for an export, which the audit log records: it lists
    /// every contact's phone and address.
    pub async fn registry_exported(&self, by: &By, now: DateTime<Utc>) -> StoreResult<Vec<CurrentUnit>> {
        let txn = self.db().begin().await?;
        let units = registry_in(&txn).await?;
        let detail = serde_json::json!({ "units": units.len() });
        self.audit(&txn, Audit::new(by, "registry.exported", "registry".to_owned()).with(detail), now).await?;
        txn.commit().await?;
        Ok(units)
    }

    /// Plans `sheet` against the registry and, when `commit`, writes the
    /// plan in the same transaction; a dry run writes nothing.
    #[tracing::instrument(skip_all, fields(commit))]
    pub async fn import_registry(
        &self,
        by: &By,
        sheet: &Sheet,
        commit: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<Imported> {
        let txn = self.db().begin().await?;
        let current = registry_in(&txn).await?;
        let plan = registry_sheet::plan(sheet, &current)?;
        let counts = plan.counts();
        if !commit || plan.is_empty() {
            return Ok(Imported { counts, committed: false });
        }
        for u in &plan.units {
            let known = current.iter().find(|c| Some(c.unit.id) == u.id);
            self.write_unit(&txn, by, u, known, now).await?;
        }
        let detail = serde_json::to_value(counts).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.audit(&txn, Audit::new(by, "registry.imported", "registry".to_owned()).with(detail), now).await?;
        txn.commit().await?;
        Ok(Imported { counts, committed: true })
    }

    async fn write_unit(
        &self,
        txn: &DatabaseTransaction,
        by: &By,
        u: &UnitPlan,
        known: Option<&CurrentUnit>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let row = unit::ActiveModel {
            name: Set(u.draft.name.clone()),
            credit_code: Set(u.draft.credit_code.clone()),
            hq_address: Set(u.draft.hq_address.clone()),
            ..Default::default()
        };
        let unit_id = match (u.id, u.change) {
            (Some(id), Change::Same) => id,
            (Some(id), _) => {
                unit::ActiveModel { id: Set(id), ..row }.update(txn).await?;
                self.audit(txn, Audit::new(by, "unit.updated", format!("unit:{id}")), now).await?;
                id
            }
            (None, _) => {
                let saved =
                    unit::ActiveModel { policy_override: Set(None), created_at: Set(now), ..row }.insert(txn).await?;
                let entry = Audit::new(by, "unit.created", format!("unit:{}", saved.id));
                self.audit(txn, entry.with(serde_json::json!({ "name": saved.name })), now).await?;
                saved.id
            }
        };
        let mut branch_ids: HashMap<String, i64> =
            known.map(|k| k.branches.iter().map(|b| (b.name.clone(), b.id)).collect()).unwrap_or_default();
        for b in &u.branches {
            let row = branch::ActiveModel {
                name: Set(b.draft.name.clone()),
                district: Set(b.draft.district.clone()),
                address: Set(b.draft.address.clone()),
                lat: Set(b.draft.location.map(|c| c.lat)),
                lon: Set(b.draft.location.map(|c| c.lon)),
                ..Default::default()
            };
            match (b.id, b.change) {
                (Some(_), Change::Same) => {}
                (Some(id), _) => {
                    branch::ActiveModel { id: Set(id), ..row }.update(txn).await?;
                    self.audit(txn, Audit::new(by, "branch.updated", format!("branch:{id}")), now).await?;
                }
                (None, _) => {
                    let saved =
                        branch::ActiveModel { unit_id: Set(unit_id), created_at: Set(now), ..row }.insert(txn).await?;
                    let entry = Audit::new(by, "branch.created", format!("branch:{}", saved.id));
                    self.audit(txn, entry.with(serde_json::json!({ "unit_id": unit_id, "name": saved.name })), now)
                        .await?;
                    branch_ids.insert(saved.name, saved.id);
                }
            }
        }
        for p in &u.people {
            let branch_id = match &p.branch {
                Some(name) => Some(*branch_ids.get(name).ok_or_else(|| {
                    StoreError::Corrupt(format!("the import's plan names branch {name}, which it did not write"))
                })?),
                None => None,
            };
            self.write_person(txn, by, unit_id, branch_id, p, now).await?;
        }
        Ok(())
    }

    async fn write_person(
        &self,
        txn: &DatabaseTransaction,
        by: &By,
        unit_id: i64,
        branch_id: Option<i64>,
        p: &PersonPlan,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let d = &p.draft;
        let row = person::ActiveModel {
            branch_id: Set(branch_id),
            phone: Set(d.phone.clone()),
            title: Set(d.details.title.clone()),
            office_phone: Set(d.details.office_phone.clone()),
            email: Set(d.details.email.clone()),
            ..Default::default()
        };
        let person_id = match (p.id, p.change) {
            (Some(id), Change::Same) => id,
            (Some(id), _) => {
                person::ActiveModel { id: Set(id), ..row }.update(txn).await?;
                self.audit(txn, Audit::new(by, "person.updated", format!("person:{id}")), now).await?;
                id
            }
            (None, _) => {
                let saved = person::ActiveModel {
                    unit_id: Set(unit_id),
                    name: Set(d.name.clone()),
                    role: Set(d.role),
                    active: Set(true),
                    created_at: Set(now),
                    ..row
                }
                .insert(txn)
                .await?;
                let detail = serde_json::json!({ "unit_id": unit_id, "name": saved.name, "role": saved.role });
                self.audit(txn, Audit::new(by, "person.created", format!("person:{}", saved.id)).with(detail), now)
                    .await?;
                saved.id
            }
        };
        let held = channel::Entity::find().filter(channel::Column::PersonId.eq(person_id)).count(txn).await?;
        for (i, c) in p.channels.iter().enumerate() {
            let priority = i32::try_from(held + i as u64).unwrap_or(i32::MAX - 1) + 1;
            let saved = channel::ActiveModel {
                person_id: Set(person_id),
                kind: Set(c.kind),
                address: Set(c.address.clone()),
                priority: Set(priority),
                status: Set(ChannelStatus::Active),
                status_reason: Set(None),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            let detail = serde_json::json!({ "person_id": person_id, "kind": saved.kind });
            self.audit(txn, Audit::new(by, "channel.created", format!("channel:{}", saved.id)).with(detail), now)
                .await?;
        }
        Ok(())
    }
}

async fn registry_in<C: ConnectionTrait>(conn: &C) -> StoreResult<Vec<CurrentUnit>> {
    let units = unit::Entity::find().order_by_asc(unit::Column::Id).all(conn).await?;
    let branches = branch::Entity::find().order_by_asc(branch::Column::Id).all(conn).await?;
    let people: Vec<Person> = records::all(person::Entity::find().order_by_asc(person::Column::Id).all(conn).await?);
    let mut channels: HashMap<i64, Vec<Channel>> = HashMap::new();
    let rows = channel::Entity::find()
        .filter(channel::Column::Status.ne(ChannelStatus::Removed))
        .order_by_asc(channel::Column::Priority)
        .order_by_asc(channel::Column::Id)
        .all(conn)
        .await?;
    for c in rows {
        channels.entry(c.person_id).or_default().push(c.into());
    }
    let mut out: Vec<CurrentUnit> =
        units.into_iter().map(|u| CurrentUnit { unit: u.into(), branches: Vec::new(), people: Vec::new() }).collect();
    let index: HashMap<i64, usize> = out.iter().enumerate().map(|(i, u)| (u.unit.id, i)).collect();
    for b in branches {
        if let Some(&i) = index.get(&b.unit_id) {
            out[i].branches.push(b.into());
        }
    }
    for p in people {
        if let Some(&i) = index.get(&p.unit_id) {
            let held = channels.remove(&p.id).unwrap_or_default();
            out[i].people.push((p, held));
        }
    }
    Ok(out)
}
