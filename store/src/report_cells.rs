//! The maintained aggregates behind SLA reports (the `report_cells`
//! migration says what they hold). A settled assignment's part is written in
//! the transaction that settles it and moved again when its closure report
//! changes; `rebuild_report_cells` recomputes everything from the
//! assignments (when the zone the months are cut in changes, or after
//! history was written around the store).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

use super::entities::{assignment, closure_report, notice, report_breach, report_cell, report_meta};
use super::report_rows::{ClosureFacts, Policies, ReportRow, facts_of};
use super::{Store, StoreError, StoreResult};
use crate::domain::assignment::Status;
use crate::domain::notice::{Category, Severity};
use crate::domain::report::{self, Breach, Tally};
use crate::domain::review::ReviewStatus;

/// Bumped whenever the tally's encoding or meaning changes: the cells are
/// then rebuilt at start-up.
const FORMAT: &str = "2";

/// Settled assignments read per statement while rebuilding.
const REBUILD_CHUNK: u64 = 10_000;

/// Rows per INSERT while rebuilding (under SQLite's bound-variable limit).
const INSERT_CHUNK: usize = 500;

/// Where a settled assignment's figures are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct CellKey {
    month: String,
    unit_id: i64,
    /// 0 for the unit as a whole.
    branch_id: i64,
    category: Category,
    severity: Severity,
}

/// A settled assignment's part of the aggregates.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Settled {
    key: CellKey,
    tally: Tally,
    breach: Option<Breach>,
}

/// The local month (`YYYY-MM`) an instant falls in.
pub fn month_of(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m").to_string()
}

pub(super) fn decode(id: i64, bytes: &[u8]) -> StoreResult<Tally> {
    postcard::from_bytes(bytes).map_err(|e| StoreError::Corrupt(format!("report cell {id}: {e}")))
}

fn encode(tally: &Tally) -> StoreResult<Vec<u8>> {
    postcard::to_allocvec(tally).map_err(|e| StoreError::Corrupt(format!("report cell: {e}")))
}

fn is_settled(status: Status) -> bool {
    matches!(status, Status::Closed | Status::StoodDown)
}

/// The settled part of an assignment, `None` while it is still open.
fn settled_part(
    row: ReportRow,
    policies: &mut Policies,
    (category, severity): (Category, Severity),
    closure: Option<&ClosureFacts>,
    tz: Tz,
) -> StoreResult<Option<Settled>> {
    if !is_settled(row.status) {
        return Ok(None);
    }
    let policy = policies.of(&row)?;
    let facts = facts_of(row, policy, closure)?;
    let (tally, breach) = report::settled_contribution(&facts);
    let key = CellKey {
        month: month_of(facts.state.notified_at, tz),
        unit_id: facts.unit_id,
        branch_id: facts.branch_id.unwrap_or(0),
        category,
        severity,
    };
    Ok(Some(Settled { key, tally, breach }))
}

/// The settled part of `a` as the transaction sees it, with its closure
/// report as given (`None`: as stored).
pub(super) async fn settled_of(
    txn: &DatabaseTransaction,
    a: &assignment::Model,
    closure: Option<Option<ClosureFacts>>,
    tz: Tz,
) -> StoreResult<Option<Settled>> {
    if !is_settled(a.status) {
        return Ok(None);
    }
    let kind = notice::Entity::find_by_id(a.notice_id)
        .select_only()
        .columns([notice::Column::Category, notice::Column::Severity])
        .into_tuple::<(Category, Severity)>()
        .one(txn)
        .await?
        .ok_or(StoreError::not_found("notice", a.notice_id))?;
    let closure = match closure {
        Some(given) => given,
        None => {
            closure_report::Entity::find()
                .select_only()
                .columns([closure_report::Column::SubmittedAt, closure_report::Column::Status])
                .filter(closure_report::Column::AssignmentId.eq(a.id))
                .into_tuple::<ClosureFacts>()
                .one(txn)
                .await?
        }
    };
    settled_part(ReportRow::from(a), &mut Policies::default(), kind, closure.as_ref(), tz)
}

/// Moves an assignment's part from `before` to `after` (either absent when
/// the assignment is open), inside the transaction that changed it.
pub(super) async fn restate(
    txn: &DatabaseTransaction,
    before: Option<Settled>,
    after: Option<Settled>,
) -> StoreResult<()> {
    if before == after {
        return Ok(());
    }
    if let Some(b) = &before {
        update_cell(txn, &b.key, |t| t.remove(&b.tally)).await?;
        if let Some(breach) = &b.breach {
            report_breach::Entity::delete_by_id(breach.assignment_id).exec(txn).await?;
        }
    }
    if let Some(a) = &after {
        update_cell(txn, &a.key, |t| t.merge(&a.tally)).await?;
        if let Some(breach) = &a.breach {
            report_breach::Entity::insert(breach_row(&a.key, breach)).exec(txn).await?;
        }
    }
    Ok(())
}

fn key_filter(key: &CellKey) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(report_cell::Column::Month.eq(&key.month))
        .add(report_cell::Column::UnitId.eq(key.unit_id))
        .add(report_cell::Column::BranchId.eq(key.branch_id))
        .add(report_cell::Column::Category.eq(key.category))
        .add(report_cell::Column::Severity.eq(key.severity))
}

fn cell_row(key: &CellKey, tally: &Tally) -> StoreResult<report_cell::ActiveModel> {
    Ok(report_cell::ActiveModel {
        month: Set(key.month.clone()),
        unit_id: Set(key.unit_id),
        branch_id: Set(key.branch_id),
        category: Set(key.category),
        severity: Set(key.severity),
        tally: Set(encode(tally)?),
        ..Default::default()
    })
}

fn breach_row(key: &CellKey, b: &Breach) -> report_breach::ActiveModel {
    report_breach::ActiveModel {
        assignment_id: Set(b.assignment_id),
        month: Set(key.month.clone()),
        notice_id: Set(b.notice_id),
        unit_id: Set(b.unit_id),
        branch_id: Set(b.branch_id),
        category: Set(key.category),
        severity: Set(key.severity),
        notified_at: Set(b.notified_at),
        lateness_seconds: Set(b.lateness_seconds),
        milestones: Set(b.milestones.clone().into()),
        extended: Set(b.extended),
    }
}

/// Reads, changes and writes one cell. The row is made to exist and then
/// locked, so two settlements in one cell on PostgreSQL cannot lose one
/// another's update (SQLite has one writer anyway).
async fn update_cell(txn: &DatabaseTransaction, key: &CellKey, change: impl FnOnce(&mut Tally)) -> StoreResult<()> {
    report_cell::Entity::insert_many([cell_row(key, &Tally::default())?])
        .on_conflict_do_nothing_on([
            report_cell::Column::Month,
            report_cell::Column::UnitId,
            report_cell::Column::BranchId,
            report_cell::Column::Category,
            report_cell::Column::Severity,
        ])
        .exec(txn)
        .await?;
    let row = report_cell::Entity::find()
        .filter(key_filter(key))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("report cell {key:?} vanished")))?;
    let mut tally = decode(row.id, &row.tally)?;
    change(&mut tally);
    if tally.is_empty() {
        report_cell::Entity::delete_by_id(row.id).exec(txn).await?;
    } else {
        report_cell::Entity::update(report_cell::ActiveModel {
            id: Set(row.id),
            tally: Set(encode(&tally)?),
            ..Default::default()
        })
        .exec(txn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Rebuilds the aggregates if they were cut in another zone or format
    /// (the first start after an upgrade, or after the zone changed).
    pub async fn ensure_report_cells(&self) -> StoreResult<()> {
        let meta: HashMap<String, String> =
            report_meta::Entity::find().all(self.db()).await?.into_iter().map(|m| (m.name, m.value)).collect();
        let tz = self.tz().name();
        if meta.get("tz").map(String::as_str) == Some(tz) && meta.get("format").map(String::as_str) == Some(FORMAT) {
            return Ok(());
        }
        let started = std::time::Instant::now();
        let settled = self.rebuild_report_cells().await?;
        tracing::info!(settled, tz, elapsed_ms = started.elapsed().as_millis() as u64, "report aggregates rebuilt");
        Ok(())
    }

    /// Recomputes every cell and the breach list from the settled
    /// assignments, in one transaction. Returns how many were settled.
    pub async fn rebuild_report_cells(&self) -> StoreResult<u64> {
        let tz = self.tz();
        let txn = self.db().begin().await?;
        report_cell::Entity::delete_many().exec(&txn).await?;
        report_breach::Entity::delete_many().exec(&txn).await?;
        let mut cells: HashMap<CellKey, Tally> = HashMap::new();
        let mut policies = Policies::default();
        let mut after = 0i64;
        let mut settled = 0u64;
        loop {
            let rows: Vec<ReportRow> = super::report_rows::report_columns(assignment::Entity::find())
                .filter(assignment::Column::Id.gt(after))
                .filter(assignment::Column::Status.is_in([Status::Closed, Status::StoodDown]))
                .order_by_asc(assignment::Column::Id)
                .limit(REBUILD_CHUNK)
                .into_model::<ReportRow>()
                .all(&txn)
                .await?;
            let Some(last) = rows.last().map(|r| r.id) else { break };
            let first = rows[0].id;
            let closures: HashMap<i64, ClosureFacts> = closure_report::Entity::find()
                .select_only()
                .columns([
                    closure_report::Column::AssignmentId,
                    closure_report::Column::SubmittedAt,
                    closure_report::Column::Status,
                ])
                .filter(closure_report::Column::AssignmentId.between(first, last))
                .into_tuple::<(i64, Option<DateTime<Utc>>, ReviewStatus)>()
                .all(&txn)
                .await?
                .into_iter()
                .map(|(a, at, status)| (a, (at, status)))
                .collect();
            let notice_ids: Vec<i64> = rows.iter().map(|r| r.notice_id).collect();
            let kinds = notice_kinds(&txn, &notice_ids).await?;
            let mut breaches = Vec::new();
            for row in rows {
                let kind = kinds.get(&row.notice_id).cloned().ok_or(StoreError::not_found("notice", row.notice_id))?;
                let closure = closures.get(&row.id);
                if let Some(part) = settled_part(row, &mut policies, kind, closure, tz)? {
                    settled += 1;
                    if let Some(b) = &part.breach {
                        breaches.push(breach_row(&part.key, b));
                    }
                    cells.entry(part.key).or_default().merge(&part.tally);
                }
            }
            for chunk in breaches.chunks(INSERT_CHUNK) {
                report_breach::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
            }
            after = last;
        }
        let rows = cells.iter().map(|(k, t)| cell_row(k, t)).collect::<StoreResult<Vec<_>>>()?;
        for chunk in rows.chunks(INSERT_CHUNK) {
            report_cell::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
        }
        for (name, value) in [("tz", tz.name()), ("format", FORMAT)] {
            report_meta::Entity::insert(report_meta::ActiveModel { name: Set(name.into()), value: Set(value.into()) })
                .on_conflict(
                    OnConflict::column(report_meta::Column::Name).update_column(report_meta::Column::Value).to_owned(),
                )
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(settled)
    }
}

/// Category and severity of the given notices.
async fn notice_kinds<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> StoreResult<HashMap<i64, (Category, Severity)>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut kinds = HashMap::with_capacity(ids.len());
    for slice in ids.chunks(super::report_rows::ID_SLICE) {
        let rows = notice::Entity::find()
            .select_only()
            .columns([notice::Column::Id, notice::Column::Category, notice::Column::Severity])
            .filter(notice::Column::Id.is_in(slice.iter().copied()))
            .into_tuple::<(i64, Category, Severity)>()
            .all(conn)
            .await?;
        kinds.extend(rows.into_iter().map(|(id, c, s)| (id, (c, s))));
    }
    Ok(kinds)
}
