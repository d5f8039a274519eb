//! The assignment aggregate: milestones, notes, extensions, stand-downs
//! and declines.
//! Each change is one transaction: the new state (guarded by a version
//! number, so a concurrent change is retried against fresh state), the
//! milestone row and the timeline event commit together or not at all.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};

use super::audit_key::AuditKey;
use super::entities::{assignment, milestone, notice};
use super::pages;
use super::report_cells;
use super::timeline::{self, NewEvent};
use super::timers;
use super::{Store, StoreError, StoreResult};
use crate::domain::access::By;
use crate::domain::access::Scope;
use crate::domain::assignment::{Milestone, Status};
use crate::domain::escalation::{self, TimerKind};
use crate::domain::event::{BureauEvent, EventKind};
use crate::domain::geo::Coordinates;
use crate::domain::record::{Assignment, TimelineEvent};
use crate::domain::timeline::{EventData, Extended, Located};

pub use crate::domain::change::Change;

/// The assignment after a change, and the timeline event that records it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub assignment: Assignment,
    pub event: TimelineEvent,
    /// How far from the site a report with a location was made, in metres.
    pub distance_m: Option<f64>,
}

const ATTEMPTS: usize = 5;

impl Store {
    pub async fn assignment(&self, scope: Scope, id: i64) -> StoreResult<Assignment> {
        assignment::Entity::find_by_id(id)
            .one(self.db())
            .await?
            .filter(|a| scope.allows_unit(a.unit_id))
            .map(Assignment::from)
            .ok_or(StoreError::not_found("assignment", id))
    }

    /// A unit's open assignments with their notice titles, oldest first.
    pub async fn open_assignments(&self, unit_id: i64) -> StoreResult<Vec<(Assignment, String)>> {
        let open = Status::open();
        let assignments = assignment::Entity::find()
            .filter(assignment::Column::UnitId.eq(unit_id))
            .filter(assignment::Column::Status.is_in(open))
            .order_by_asc(assignment::Column::NotifiedAt)
            .all(self.db())
            .await?;
        let ids: Vec<i64> = assignments.iter().map(|a| a.notice_id).collect();
        let titles: HashMap<i64, String> = notice::Entity::find()
            .filter(notice::Column::Id.is_in(ids))
            .all(self.db())
            .await?
            .into_iter()
            .map(|n| (n.id, n.title))
            .collect();
        Ok(assignments
            .into_iter()
            .map(|a| {
                let title = titles.get(&a.notice_id).cloned().unwrap_or_default();
                (a.into(), title)
            })
            .collect())
    }

    /// Applies `change` to assignment `id` as `by`, within `scope`.
    #[tracing::instrument(skip_all, fields(assignment_id = id))]
    pub async fn change_assignment(
        &self,
        by: &By,
        scope: Scope,
        id: i64,
        change: Change,
        now: DateTime<Utc>,
    ) -> StoreResult<Recorded> {
        for _ in 0..ATTEMPTS {
            let txn = self.db().begin().await?;
            let current = assignment::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .filter(|a| scope.allows_unit(a.unit_id))
                .ok_or(StoreError::not_found("assignment", id))?;
            match apply(&txn, by, &current, &change, now, self.tz(), self.audit_key()).await? {
                Some(recorded) => {
                    Store::notify_peers(&txn).await?;
                    txn.commit().await?;
                    self.wake();
                    return Ok(recorded);
                }
                None => txn.rollback().await?,
            }
        }
        Err(StoreError::Concurrent { entity: "assignment" })
    }
}

/// Applies one change inside `txn`; `None` when another writer got there first.
pub(super) async fn apply(
    txn: &DatabaseTransaction,
    by: &By,
    current: &assignment::Model,
    change: &Change,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
    key: &AuditKey,
) -> StoreResult<Option<Recorded>> {
    let state = current.state();
    let policy = &current.policy;
    let mut update = assignment::ActiveModel { updated_at: Set(now), ..Default::default() };
    let mut distance = None;
    let (kind, at, note, data) = match change {
        Change::Milestone { milestone: m, at, note, location, flag_beyond_m } => {
            let at = at.unwrap_or(now);
            let next = state.reach(*m, at, now)?;
            timers::cancel(txn, current.id, &escalation::cancelled_by(&state, &next, policy), now).await?;
            update.status = Set(next.status);
            set_milestone(&mut update, *m, at);
            let distance_m = match location {
                Some(here) => {
                    site_of(txn, current.notice_id).await?.map(|site| (here.distance_m(site) * 10.0).round() / 10.0)
                }
                None => None,
            };
            milestone::ActiveModel {
                assignment_id: Set(current.id),
                kind: Set(*m),
                reached_at: Set(at),
                recorded_at: Set(now),
                source: Set(by.source),
                actor: Set(by.label.clone()),
                user_id: Set(by.user_id),
                person_id: Set(by.person_id),
                lat: Set(location.map(|l| l.lat)),
                lon: Set(location.map(|l| l.lon)),
                distance_m: Set(distance_m),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            distance = distance_m;
            let far = matches!((distance_m, flag_beyond_m), (Some(d), Some(r)) if d > *r);
            let data =
                location.map(|location| EventData::Located(Located { location, distance_m, far_from_site: far }));
            (EventKind::Milestone(*m), at, note.clone(), data)
        }
        Change::Note { note } => (EventKind::Other(BureauEvent::Note), now, Some(note.clone()), None),
        Change::Extend { deadline_at, reason } => {
            let (next, reason) = state.extend(*deadline_at, reason)?;
            update.deadline_at = Set(next.deadline_at);
            update.extension_count = Set(current.extension_count + 1);
            if next.deadline_at > now {
                // The clock runs again to the new deadline; a breach may recur.
                update.breached_at = Set(None);
            }
            let moved = [TimerKind::Reminder, TimerKind::Warning, TimerKind::Breach];
            timers::cancel(txn, current.id, &moved, now).await?;
            timers::schedule(txn, current.id, &escalation::deadline_timers(policy, &next, now), now).await?;
            let data = EventData::Extended(Extended { from: state.deadline_at, to: next.deadline_at });
            (EventKind::Other(BureauEvent::Extended), now, Some(reason), Some(data))
        }
        Change::StandDown { reason } => {
            let (next, reason) = state.stand_down(reason, now)?;
            timers::cancel(txn, current.id, &escalation::cancelled_by(&state, &next, policy), now).await?;
            pages::cancel_queued(txn, current.id, now).await?;
            update.status = Set(next.status);
            update.stood_down_at = Set(next.stood_down_at);
            update.stand_down_reason = Set(Some(reason.clone()));
            (EventKind::Other(BureauEvent::StoodDown), now, Some(reason), None)
        }
        Change::Decline { note } => {
            state.decline()?;
            timers::bring_forward(txn, current.id, &escalation::BROUGHT_FORWARD_BY_DECLINE, now).await?;
            (EventKind::Other(BureauEvent::Declined), now, note.clone(), None)
        }
    };
    if !matches!(change, Change::Note { .. }) {
        update.version = Set(current.version + 1);
        let res = assignment::Entity::update_many()
            .set(update)
            .filter(assignment::Column::Id.eq(current.id))
            .filter(assignment::Column::Version.eq(current.version))
            .exec(txn)
            .await?;
        if res.rows_affected == 0 {
            return Ok(None);
        }
    }
    let event = timeline::append(
        txn,
        key,
        NewEvent { assignment_id: current.id, notice_id: current.notice_id, kind, at, by, note, data },
        now,
    )
    .await?;
    let assignment = assignment::Entity::find_by_id(current.id)
        .one(txn)
        .await?
        .ok_or(StoreError::not_found("assignment", current.id))?;
    // Closing or standing down settles the figures: into the report cells
    // in this same transaction.
    let before = report_cells::settled_of(txn, current, None, tz).await?;
    let after = report_cells::settled_of(txn, &assignment, None, tz).await?;
    report_cells::restate(txn, before, after).await?;
    Ok(Some(Recorded { assignment: assignment.into(), event: event.into(), distance_m: distance }))
}

fn set_milestone(update: &mut assignment::ActiveModel, m: Milestone, at: DateTime<Utc>) {
    let at = Set(Some(at));
    match m {
        Milestone::Acknowledged => update.acknowledged_at = at,
        Milestone::PlanActivated => update.plan_activated_at = at,
        Milestone::OnSite => update.on_site_at = at,
        Milestone::HqRemote => update.hq_remote_at = at,
        Milestone::Resolved => update.resolved_at = at,
        Milestone::Closed => update.closed_at = at,
    }
}

async fn site_of(txn: &DatabaseTransaction, notice_id: i64) -> StoreResult<Option<Coordinates>> {
    let n = notice::Entity::find_by_id(notice_id).one(txn).await?;
    Ok(n.and_then(|n| match (n.site_lat, n.site_lon) {
        (Some(lat), Some(lon)) => Some(Coordinates { lat, lon }),
        _ => None,
    }))
}
