//! Durable timers: rows with a `due_at`. Scheduled and cancelled inside the
//! transactions of the changes that cause them; fired one per transaction,
//! claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL so that several
//! instances never fire the same timer (SQLite has a single writer).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};

use super::entities::{assignment, timer};
use super::pages::{self, Fanout};
use super::timeline::{self, NewEvent};
use super::{Store, StoreError, StoreResult};
use crate::domain::access::By;
use crate::domain::escalation::{Firing, PlannedTimer, TimerKind, TimerStatus, on_fire};
use crate::domain::event::EventKind;
use crate::domain::record::Timer;
use crate::domain::timeline::{EventData, TimerFired};
use crate::records;

/// Inserts planned timers inside the caller's transaction.
pub async fn schedule<C: ConnectionTrait>(
    conn: &C,
    assignment_id: i64,
    planned: &[PlannedTimer],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    if planned.is_empty() {
        return Ok(());
    }
    let rows = planned.iter().map(|t| timer::ActiveModel {
        assignment_id: Set(assignment_id),
        kind: Set(t.kind),
        due_at: Set(t.due_at),
        status: Set(TimerStatus::Pending),
        created_at: Set(now),
        ..Default::default()
    });
    timer::Entity::insert_many(rows).exec(conn).await?;
    Ok(())
}

/// Cancels the pending timers of these kinds inside the caller's transaction.
pub async fn cancel<C: ConnectionTrait>(
    conn: &C,
    assignment_id: i64,
    kinds: &[TimerKind],
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    if kinds.is_empty() {
        return Ok(0);
    }
    let res = timer::Entity::update_many()
        .set(timer::ActiveModel { status: Set(TimerStatus::Cancelled), fired_at: Set(Some(now)), ..Default::default() })
        .filter(timer::Column::AssignmentId.eq(assignment_id))
        .filter(timer::Column::Status.eq(TimerStatus::Pending))
        .filter(timer::Column::Kind.is_in(kinds.iter().copied()))
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}

/// One timer the engine handled.
#[derive(Debug, Clone)]
pub struct FiredTimer {
    pub timer: Timer,
    /// How late it fired, in milliseconds.
    pub late_ms: i64,
    /// Pages it enqueued (0 when it retired).
    pub pages: usize,
    pub breach: bool,
}

impl Store {
    /// The earliest pending timer, to sleep until.
    pub async fn next_timer_due(&self) -> StoreResult<Option<DateTime<Utc>>> {
        Ok(timer::Entity::find()
            .filter(timer::Column::Status.eq(TimerStatus::Pending))
            .order_by_asc(timer::Column::DueAt)
            .one(self.db())
            .await?
            .map(|t| t.due_at))
    }

    pub async fn pending_timer_count(&self) -> StoreResult<u64> {
        Ok(timer::Entity::find().filter(timer::Column::Status.eq(TimerStatus::Pending)).count(self.db()).await?)
    }

    /// Every timer of an assignment, in due order.
    pub async fn timers(&self, assignment_id: i64) -> StoreResult<Vec<Timer>> {
        Ok(timer::Entity::find()
            .filter(timer::Column::AssignmentId.eq(assignment_id))
            .order_by_asc(timer::Column::DueAt)
            .order_by_asc(timer::Column::Id)
            .all(self.db())
            .await
            .map(records::all)?)
    }

    /// Claims and applies the earliest due timer in one transaction: its
    /// effect on the timeline, the pages it enqueues, the breach it records.
    /// `None` when nothing is due (or every due timer is held by a peer).
    #[tracing::instrument(skip_all, fields(instance))]
    pub async fn fire_next_timer(&self, instance: &str, now: DateTime<Utc>) -> StoreResult<Option<FiredTimer>> {
        let txn = self.db().begin().await?;
        let mut q = timer::Entity::find()
            .filter(timer::Column::Status.eq(TimerStatus::Pending))
            .filter(timer::Column::DueAt.lte(now))
            .order_by_asc(timer::Column::DueAt)
            .order_by_asc(timer::Column::Id)
            .limit(1);
        if self.backend() == DbBackend::Postgres {
            q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let Some(due) = q.one(&txn).await? else {
            txn.commit().await?;
            return Ok(None);
        };
        let mut aq = assignment::Entity::find_by_id(due.assignment_id);
        if self.backend() == DbBackend::Postgres {
            aq = aq.lock(LockType::Update);
        }
        let a = aq.one(&txn).await?.ok_or(StoreError::not_found("assignment", due.assignment_id))?;
        let kind = due.kind;
        let state = a.state();
        let policy = &a.policy;
        let late_ms = (now - due.due_at).num_milliseconds().max(0);
        let (status, outcome, page_count, breach) = match on_fire(kind, &state, policy, now) {
            Firing::Retire { why } => (TimerStatus::Retired, why.to_owned(), 0, false),
            Firing::Page { audiences, reason, breach } => {
                let enqueued = pages::enqueue(
                    &txn,
                    self.page_writer(),
                    &a,
                    reason,
                    &audiences,
                    Fanout::FirstChannel,
                    &format!("t{}", due.id),
                    now,
                )
                .await?;
                if breach && a.breached_at.is_none() {
                    // The breach happened at the deadline, however late the engine noticed.
                    assignment::ActiveModel { id: Set(a.id), breached_at: Set(Some(due.due_at)), ..Default::default() }
                        .update(&txn)
                        .await?;
                }
                timeline::append(
                    &txn,
                    self.audit_key(),
                    NewEvent {
                        assignment_id: a.id,
                        notice_id: a.notice_id,
                        kind: EventKind::Timer(kind),
                        at: due.due_at,
                        by: &By::system(),
                        note: None,
                        data: Some(EventData::TimerFired(TimerFired {
                            late_ms,
                            audiences: audiences.clone(),
                            paged: enqueued.paged,
                        })),
                    },
                    now,
                )
                .await?;
                (TimerStatus::Fired, format!("paged {}", enqueued.pages), enqueued.pages, breach)
            }
        };
        let mut t: timer::ActiveModel = due.clone().into();
        t.status = Set(status.to_owned());
        t.fired_at = Set(Some(now));
        t.late_ms = Set(Some(late_ms));
        t.fired_by = Set(Some(instance.to_owned()));
        t.outcome = Set(Some(outcome));
        let timer = t.update(&txn).await?;
        // New pages wake the senders; a breach changes what boards show.
        let changed = page_count > 0 || breach;
        if changed {
            Store::notify_peers(&txn).await?;
        }
        txn.commit().await?;
        if changed {
            self.wake();
        }
        Ok(Some(FiredTimer { timer: timer.into(), late_ms, pages: page_count, breach }))
    }
}
