//! Where a notice goes: its assignments written with their timers, pages
//! and events, one insert per table for a whole batch of notices (what
//! each needs read first is planned in `planning.rs`).
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, Set};

use super::entities::{assignment, notice};
use super::pages::{self, Fanout};
use super::timeline::{self, NewEvent};
use super::timers;
use super::units::effective_policy;
use super::{Store, StoreError, StoreResult};
use crate::domain::access::By;
use crate::domain::assignment::AssignmentState;
use crate::domain::escalation::{self, PageReason};
use crate::domain::event::{BureauEvent, EventKind};
use crate::domain::policy::SlaPolicy;
use crate::domain::record::Unit;
use crate::domain::timeline::{Dispatched, EventData, Paged};

/// Where one assignment goes.
pub(super) struct Dispatch {
    pub(super) unit_id: i64,
    /// As its pages name it.
    pub(super) unit_name: String,
    pub(super) branch_id: Option<i64>,
    pub(super) reassigned_from: Option<i64>,
    /// The policy it answers under: the unit's, a protection period's on top.
    pub(super) policy: SlaPolicy,
    /// The protection period whose policy it answers under (id, name).
    pub(super) period: Option<(i64, String)>,
    /// Whom its dispatch pages.
    pub(super) to: pages::Addressees,
}

/// The policy `unit` answers under at `now`: its own, tightened by the
/// protection period in force for it, if any (whose name is returned too).
pub(super) fn policy_at(
    unit: Option<&Unit>,
    unit_id: i64,
    base: &SlaPolicy,
    periods: &[crate::domain::protection::ProtectionPeriod],
    now: DateTime<Utc>,
) -> (SlaPolicy, Option<(i64, String)>) {
    let own = unit.map_or_else(|| base.clone(), |u| effective_policy(u, base));
    match crate::domain::protection::in_force(periods, unit_id, now) {
        Some(p) => (p.policy_for(&own, base), Some((p.id, p.name.clone()))),
        None => (own, None),
    }
}

/// One assignment to write: of which notice, where, by whom and when.
pub(super) struct Dispatching<'a> {
    pub(super) notice: &'a notice::Model,
    pub(super) to: &'a Dispatch,
    pub(super) by: &'a By,
    pub(super) now: DateTime<Utc>,
}

/// Rows per insert statement at most: far below SQLite's 32,766 bound
/// parameters for the widest row (a page's).
const ROWS_PER_INSERT: usize = 256;

impl Store {
    /// Writes assignments with their timers, their dispatch pages and their
    /// `dispatched` events inside the caller's transaction: one insert per
    /// table for all of them, so notices issued together cost the writer a
    /// handful of statements. Returns the assignments in `items`' order.
    pub(super) async fn dispatch(
        &self,
        txn: &DatabaseTransaction,
        items: &[Dispatching<'_>],
    ) -> StoreResult<Vec<assignment::Model>> {
        let states: Vec<AssignmentState> = items
            .iter()
            .map(|d| AssignmentState::dispatched(d.now, d.to.policy.deadline_secs, d.notice.requires_onsite))
            .collect();
        let rows = items.iter().zip(&states).map(|(d, state)| assignment::ActiveModel {
            notice_id: Set(d.notice.id),
            unit_id: Set(d.to.unit_id),
            branch_id: Set(d.to.branch_id),
            status: Set(state.status),
            requires_onsite: Set(d.notice.requires_onsite),
            notified_at: Set(state.notified_at),
            deadline_at: Set(state.deadline_at),
            original_deadline_at: Set(state.deadline_at),
            extension_count: Set(0),
            reassigned_from: Set(d.to.reassigned_from),
            policy: Set(d.to.policy.clone().into()),
            protection_period_id: Set(d.to.period.as_ref().map(|(id, _)| *id)),
            version: Set(0),
            updated_at: Set(d.now),
            ..Default::default()
        });
        let written = insert_returning(txn, rows.collect()).await?;
        if written.len() != items.len()
            || written.iter().zip(items).any(|(a, d)| (a.notice_id, a.unit_id) != (d.notice.id, d.to.unit_id))
        {
            return Err(StoreError::Corrupt("assignments came back out of their insert's order".into()));
        }
        let (mut timer_rows, mut page_rows, mut audit_rows, mut event_rows) = (vec![], vec![], vec![], vec![]);
        for ((d, state), a) in items.iter().zip(&states).zip(&written) {
            timer_rows.extend(timers::rows(a.id, &escalation::plan(&d.to.policy, state), d.now));
            let context = pages::context_of(d.notice, &d.to.unit_name, a, PageReason::Dispatch, d.now);
            let (pages, paged) = pages::rows(
                self.page_writer(),
                a,
                &context,
                &d.to.to,
                Fanout::AllChannels,
                "dispatch",
                HashSet::new(),
                d.now,
            );
            page_rows.extend(pages);
            let (audit, event) = timeline::rows(self.audit_key(), dispatched(d, a, state, paged.paged), d.now)?;
            audit_rows.push(audit);
            event_rows.push(event);
        }
        insert(txn, timer_rows).await?;
        insert(txn, page_rows).await?;
        insert(txn, audit_rows).await?;
        insert(txn, event_rows).await?;
        Ok(written)
    }
}

/// The `dispatched` event of assignment `a`.
fn dispatched<'a>(d: &Dispatching<'a>, a: &assignment::Model, state: &AssignmentState, paged: Paged) -> NewEvent<'a> {
    NewEvent {
        assignment_id: a.id,
        notice_id: d.notice.id,
        kind: EventKind::Other(BureauEvent::Dispatched),
        at: d.now,
        by: d.by,
        note: None,
        data: Some(EventData::Dispatched(Dispatched {
            unit_id: d.to.unit_id,
            branch_id: d.to.branch_id,
            reassigned_from: d.to.reassigned_from,
            deadline_at: state.deadline_at,
            requires_onsite: d.notice.requires_onsite,
            paged,
            protection_period: d.to.period.as_ref().map(|(_, name)| name.clone()),
            protection_period_id: d.to.period.as_ref().map(|(id, _)| *id),
        })),
    }
}

/// Inserts `rows` a few hundred to a statement.
async fn insert<A: ActiveModelTrait + Send>(txn: &DatabaseTransaction, rows: Vec<A>) -> StoreResult<()> {
    let mut rows = rows.into_iter();
    while rows.len() > 0 {
        A::Entity::insert_many(rows.by_ref().take(ROWS_PER_INSERT)).exec_without_returning(txn).await?;
    }
    Ok(())
}

/// Inserts `rows` a few hundred to a statement and returns them as stored,
/// in the order `RETURNING` gives them: the insertion order on both
/// databases, which the callers check before relying on it.
pub(super) async fn insert_returning<A>(
    txn: &DatabaseTransaction,
    rows: Vec<A>,
) -> StoreResult<Vec<<A::Entity as EntityTrait>::Model>>
where
    A: ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let mut written = Vec::with_capacity(rows.len());
    let mut rows = rows.into_iter();
    while rows.len() > 0 {
        written.extend(A::Entity::insert_many(rows.by_ref().take(ROWS_PER_INSERT)).exec_with_returning(txn).await?);
    }
    Ok(written)
}
