//! Instructions (工作指示): issued with a receipt per unit and the first
//! messages to each unit's liaisons in one transaction; confirmed once per
//! unit; read back in the reader's scope. Their follow-ups are
//! `instruction_follow_ups`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};

use super::audit::Audit;
use super::entities::{channel, instruction, instruction_receipt, person, unit};
use super::pages::enqueue_to_person;
use super::{Store, StoreError, StoreResult};
use crate::domain::DomainError;
use crate::domain::access::{By, Scope};
use crate::domain::instruction::{Addressees, FollowUp, Instruction, InstructionDraft, Receipt};
use crate::domain::page::InstructionContext;
use crate::domain::people::{ChannelStatus, Role};

/// Whether an instruction was confirmed by this call or before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    pub receipt: Receipt,
    pub instruction: Instruction,
    /// False when the unit had confirmed it already (nothing changed).
    pub now: bool,
}

/// The active people of `role` in `unit_id` with a channel to reach them on.
pub(super) async fn reachable<C: ConnectionTrait>(
    conn: &C,
    unit_id: i64,
    role: Role,
) -> StoreResult<Vec<person::Model>> {
    let people = person::Entity::find()
        .filter(person::Column::UnitId.eq(unit_id))
        .filter(person::Column::Role.eq(role))
        .filter(person::Column::Active.eq(true))
        .order_by_asc(person::Column::Id)
        .all(conn)
        .await?;
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    let with_channel: Vec<i64> = channel::Entity::find()
        .select_only()
        .column(channel::Column::PersonId)
        .filter(channel::Column::PersonId.is_in(ids))
        .filter(channel::Column::Status.eq(ChannelStatus::Active))
        .into_tuple::<Option<i64>>()
        .all(conn)
        .await?
        .into_iter()
        .flatten()
        .collect();
    Ok(people.into_iter().filter(|p| with_channel.contains(&p.id)).collect())
}

/// Writes one message of an instruction to each of `people`, keyed by the
/// receipt, the step and the person so it is never written twice.
pub(super) async fn tell<C: ConnectionTrait>(
    store: &Store,
    conn: &C,
    ctx: &mut InstructionContext,
    people: &[person::Model],
    now: DateTime<Utc>,
) -> StoreResult<usize> {
    let step = ctx.step.map_or("deliver", |s| s.code());
    let mut pages = 0;
    for p in people {
        ctx.person_name.clone_from(&p.name);
        let body = store.page_writer().instruction(ctx);
        let key = format!("instruction:r{}:{step}:p{}", ctx.receipt_id, p.id);
        pages += enqueue_to_person(conn, p, ctx.reason(), &key, &body, now).await?;
    }
    Ok(pages)
}

pub(super) fn receipt_of(r: instruction_receipt::Model, unit_name: String) -> Receipt {
    Receipt {
        id: r.id,
        instruction_id: r.instruction_id,
        unit_id: r.unit_id,
        unit_name,
        delivered_to: r.delivered_to.into_inner(),
        confirmed_at: r.confirmed_at,
        confirmed_by: r.confirmed_by,
        confirmed_via: r.confirmed_via,
        reminded_at: r.reminded_at,
        escalated_at: r.escalated_at,
    }
}

fn instruction_of(i: instruction::Model, units: u32, confirmed: u32) -> Instruction {
    Instruction {
        id: i.id,
        title: i.title,
        body: i.body,
        all_units: i.all_units,
        confirm_by: i.confirm_by,
        issued_at: i.issued_at,
        issued_by: i.issued_by,
        units,
        confirmed,
    }
}

async fn unit_names<C: ConnectionTrait>(conn: &C) -> StoreResult<HashMap<i64, String>> {
    Ok(unit::Entity::find().all(conn).await?.into_iter().map(|u| (u.id, u.name)).collect())
}

impl Store {
    /// Issues an instruction: a receipt for every unit it is for, and the
    /// message to each unit's liaisons (its support leads when it has no
    /// liaison to reach), in one transaction.
    pub async fn issue_instruction(
        &self,
        by: &By,
        draft: InstructionDraft,
        follow_up: FollowUp,
        now: DateTime<Utc>,
    ) -> StoreResult<Instruction> {
        let txn = self.db().begin().await?;
        let names = unit_names(&txn).await?;
        let unit_ids: Vec<i64> = match &draft.addressees {
            Addressees::All => {
                let mut all: Vec<i64> = names.keys().copied().collect();
                all.sort_unstable();
                all
            }
            Addressees::Units(ids) => {
                if let Some(missing) = ids.iter().find(|id| !names.contains_key(id)) {
                    return Err(DomainError::field(
                        "unit_ids",
                        "unknown_unit",
                        format!("unit {missing} does not exist"),
                        format!("单位 {missing} 不存在"),
                    )
                    .into());
                }
                ids.clone()
            }
        };
        if unit_ids.is_empty() {
            return Err(
                DomainError::field("unit_ids", "no_units", "there is no unit to pass it to", "尚无支撑单位").into()
            );
        }
        let i = instruction::ActiveModel {
            title: Set(draft.title.clone()),
            body: Set(draft.body.clone()),
            all_units: Set(draft.addressees == Addressees::All),
            confirm_by: Set(draft.confirm_by),
            issued_at: Set(now),
            issued_by: Set(by.label.clone()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let first = follow_up.next(now, draft.confirm_by, &[]).map(|d| d.at);
        let mut pages = 0;
        for unit_id in &unit_ids {
            let mut told = reachable(&txn, *unit_id, Role::Liaison).await?;
            if told.is_empty() {
                told = reachable(&txn, *unit_id, Role::SupportLead).await?;
            }
            let r = instruction_receipt::ActiveModel {
                instruction_id: Set(i.id),
                unit_id: Set(*unit_id),
                delivered_to: Set(told.iter().map(|p| p.name.clone()).collect::<Vec<_>>().into()),
                next_due_at: Set(first),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            let mut ctx = InstructionContext {
                step: None,
                receipt_id: r.id,
                instruction_id: i.id,
                title: i.title.clone(),
                body: i.body.clone(),
                unit_name: names[unit_id].clone(),
                person_name: String::new(),
                unconfirmed_by: vec![],
                issued_at: now,
                confirm_by: i.confirm_by,
            };
            pages += tell(self, &txn, &mut ctx, &told, now).await?;
        }
        let entry = Audit::new(by, "instruction.issued", format!("instruction:{}", i.id)).with(serde_json::json!({
            "title": i.title,
            "units": unit_ids,
            "confirm_by": i.confirm_by,
        }));
        self.audit(&txn, entry, now).await?;
        if pages > 0 {
            Store::notify_peers(&txn).await?;
        }
        txn.commit().await?;
        self.wake();
        let units = u32::try_from(unit_ids.len()).unwrap_or(u32::MAX);
        Ok(instruction_of(i, units, 0))
    }

    /// Records that the unit read the instruction of receipt `receipt_id`
    /// (in `scope`); a second confirmation changes nothing and says who
    /// confirmed first.
    pub async fn confirm_instruction(
        &self,
        by: &By,
        scope: Scope,
        receipt_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Confirmed> {
        let txn = self.db().begin().await?;
        let r = instruction_receipt::Entity::find_by_id(receipt_id)
            .one(&txn)
            .await?
            .filter(|r| scope.allows_unit(r.unit_id))
            .ok_or(StoreError::not_found("instruction_receipt", receipt_id))?;
        let done = instruction_receipt::Entity::update_many()
            .col_expr(instruction_receipt::Column::ConfirmedAt, Expr::value(now))
            .col_expr(instruction_receipt::Column::ConfirmedBy, Expr::value(by.label.clone()))
            .col_expr(instruction_receipt::Column::ConfirmedVia, Expr::value(by.source.code()))
            .col_expr(instruction_receipt::Column::NextDueAt, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(instruction_receipt::Column::Id.eq(r.id))
            .filter(instruction_receipt::Column::ConfirmedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if done {
            let entry = Audit::new(by, "instruction.confirmed", format!("instruction:{}", r.instruction_id))
                .with(serde_json::json!({ "unit_id": r.unit_id, "receipt_id": r.id }));
            self.audit(&txn, entry, now).await?;
        }
        txn.commit().await?;
        let (instruction, receipts) = self.instruction(Scope::Unit(r.unit_id), r.instruction_id).await?;
        let receipt = receipts.into_iter().next().ok_or(StoreError::not_found("instruction_receipt", receipt_id))?;
        Ok(Confirmed { receipt, instruction, now: done })
    }

    /// The receipt of instruction `id` for `unit_id`.
    pub async fn instruction_receipt_id(&self, id: i64, unit_id: i64) -> StoreResult<i64> {
        instruction_receipt::Entity::find()
            .filter(instruction_receipt::Column::InstructionId.eq(id))
            .filter(instruction_receipt::Column::UnitId.eq(unit_id))
            .one(self.reader())
            .await?
            .map(|r| r.id)
            .ok_or(StoreError::not_found("instruction", id))
    }

    /// The instruction a receipt belongs to, and the unit it is for: what
    /// a signed link names.
    pub async fn instruction_of_receipt(&self, receipt_id: i64) -> StoreResult<(i64, i64)> {
        instruction_receipt::Entity::find_by_id(receipt_id)
            .one(self.reader())
            .await?
            .map(|r| (r.instruction_id, r.unit_id))
            .ok_or(StoreError::not_found("instruction_receipt", receipt_id))
    }

    /// The instructions in `scope`, newest first: every one for the whole
    /// province, a unit's own for a unit (counted for it alone).
    pub async fn instructions(&self, scope: Scope) -> StoreResult<Vec<Instruction>> {
        let mut q = instruction_receipt::Entity::find();
        if let Scope::Unit(u) = scope {
            q = q.filter(instruction_receipt::Column::UnitId.eq(u));
        }
        let mut counts: HashMap<i64, (u32, u32)> = HashMap::new();
        for r in q.all(self.reader()).await? {
            let c = counts.entry(r.instruction_id).or_default();
            c.0 += 1;
            c.1 += u32::from(r.confirmed_at.is_some());
        }
        let ids: Vec<i64> = counts.keys().copied().collect();
        Ok(instruction::Entity::find()
            .filter(instruction::Column::Id.is_in(ids))
            .order_by_desc(instruction::Column::IssuedAt)
            .order_by_desc(instruction::Column::Id)
            .all(self.reader())
            .await?
            .into_iter()
            .map(|i| {
                let (units, confirmed) = counts[&i.id];
                instruction_of(i, units, confirmed)
            })
            .collect())
    }

    /// Instruction `id` with its receipts in `scope` (a unit sees its own),
    /// in unit order; not found when none is in scope.
    pub async fn instruction(&self, scope: Scope, id: i64) -> StoreResult<(Instruction, Vec<Receipt>)> {
        let mut q = instruction_receipt::Entity::find().filter(instruction_receipt::Column::InstructionId.eq(id));
        if let Scope::Unit(u) = scope {
            q = q.filter(instruction_receipt::Column::UnitId.eq(u));
        }
        let rows = q.order_by_asc(instruction_receipt::Column::UnitId).all(self.reader()).await?;
        let i = instruction::Entity::find_by_id(id)
            .one(self.reader())
            .await?
            .filter(|_| !rows.is_empty())
            .ok_or(StoreError::not_found("instruction", id))?;
        let names = unit_names(self.reader()).await?;
        let confirmed = u32::try_from(rows.iter().filter(|r| r.confirmed_at.is_some()).count()).unwrap_or(u32::MAX);
        let units = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        let receipts = rows
            .into_iter()
            .map(|r| {
                let name = names.get(&r.unit_id).cloned().unwrap_or_default();
                receipt_of(r, name)
            })
            .collect();
        Ok((instruction_of(i, units, confirmed), receipts))
    }
}
