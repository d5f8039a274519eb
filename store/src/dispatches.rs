//! Where a notice goes: what issuing it reads first (the registry's name
//! for its target, its units, branches, policies and whom each pages), and
//! its assignments written with their timers, pages and events, one insert
//! per table for a whole batch of notices.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, Set,
};

use super::entities::{assignment, branch, notice, unit};
use super::pages::{self, Fanout};
use super::timeline::{self, NewEvent};
use super::timers;
use super::units::effective_policy;
use super::{Store, StoreError, StoreResult};
use crate::domain::DomainError;
use crate::domain::access::By;
use crate::domain::assignment::AssignmentState;
use crate::domain::escalation::{self, PageReason};
use crate::domain::event::{BureauEvent, EventKind};
use crate::domain::notice::NoticeDraft;
use crate::domain::policy::SlaPolicy;
use crate::domain::record::Unit;
use crate::domain::timeline::{Dispatched, EventData, Paged};

/// What a notice needs read before it is written: the target as the
/// registry names it, and where each assignment goes.
pub(super) struct Plan {
    pub(super) draft: NoticeDraft,
    pub(super) dispatches: Vec<Dispatch>,
}

/// Reads what issuing `draft` needs through `conn`: the registry's name for
/// its target, its units (all must exist) and branches, the policy each
/// answers under and whom each pages.
pub(super) async fn plan<C: ConnectionTrait>(
    conn: &C,
    mut draft: NoticeDraft,
    policy: &SlaPolicy,
    now: DateTime<Utc>,
) -> StoreResult<Plan> {
    let registered = match draft.enterprise_id {
        Some(id) => Some(super::enterprises::named(conn, "target.enterprise_id", id).await?),
        None => super::enterprises::by_name(conn, &draft.target_name).await?,
    };
    if let Some(e) = registered {
        (draft.enterprise_id, draft.target_name, draft.target_kind) = (Some(e.id), e.name, e.kind);
    }
    let units: HashMap<i64, Unit> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(draft.unit_ids.clone()))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, Unit::from(u)))
        .collect();
    let unknown: Vec<String> = draft.unit_ids.iter().filter(|id| !units.contains_key(id)).map(i64::to_string).collect();
    if !unknown.is_empty() {
        let list = unknown.join(", ");
        return Err(DomainError::field(
            "unit_ids",
            "unknown_unit",
            format!("no support unit with id {list}"),
            format!("支撑单位 {list} 不存在"),
        )
        .into());
    }
    let branches = branches_by_unit(conn, &draft.unit_ids, &draft.branch_ids).await?;
    let periods = super::protection::in_force_at(conn, now).await?;
    let mut dispatches = Vec::with_capacity(draft.unit_ids.len());
    for (unit_id, unit) in draft.unit_ids.iter().filter_map(|id| Some((*id, units.get(id)?))) {
        let (policy, period) = policy_at(Some(unit), unit_id, policy, &periods, now);
        let branch_id = branches.get(&unit_id).copied();
        dispatches.push(Dispatch {
            unit_id,
            unit_name: unit.name.clone(),
            branch_id,
            reassigned_from: None,
            policy,
            period,
            to: pages::addressees(conn, unit_id, branch_id, escalation::DISPATCH_AUDIENCE, now).await?,
        });
    }
    Ok(Plan { draft, dispatches })
}

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

/// The chosen branch of each unit, checked to belong to it (one per unit).
async fn branches_by_unit<C: ConnectionTrait>(
    conn: &C,
    unit_ids: &[i64],
    branch_ids: &[i64],
) -> StoreResult<HashMap<i64, i64>> {
    if branch_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found = branch::Entity::find().filter(branch::Column::Id.is_in(branch_ids.to_vec())).all(conn).await?;
    let mut by_unit = HashMap::new();
    for id in branch_ids {
        let Some(b) = found.iter().find(|b| b.id == *id && unit_ids.contains(&b.unit_id)) else {
            return Err(DomainError::field(
                "branch_ids",
                "unknown_branch",
                format!("branch {id} is not a branch of the chosen units"),
                format!("属地机构 {id} 不属于所选支撑单位"),
            )
            .into());
        };
        if by_unit.insert(b.unit_id, b.id).is_some() {
            return Err(DomainError::field(
                "branch_ids",
                "two_branches",
                "choose at most one branch per unit",
                "每个支撑单位最多选择一个属地机构",
            )
            .into());
        }
    }
    Ok(by_unit)
}
