//! Durable timers: rows with a `due_at`. Scheduled and cancelled inside the
//! transactions of the changes that cause them; fired one per transaction,
//! claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL so that several
//! instances never fire the same timer (SQLite has a single writer).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use super::entities::{assignment, timer};
use super::pages::{self, Fanout};
use super::timeline::{self, NewEvent};
use super::{Store, StoreError, StoreResult};
use crate::domain::access::By;
use crate::domain::assignment::AssignmentState;
use crate::domain::escalation::{Audience, PageReason, PlannedTimer, TimerKind, TimerStatus};
use crate::domain::event::EventKind;
use crate::domain::policy::SlaPolicy;
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
    timer::Entity::insert_many(rows(assignment_id, planned, now)).exec_without_returning(conn).await?;
    Ok(())
}

/// The rows of planned timers (for writers that insert many assignments'
/// timers in one statement).
pub(super) fn rows(
    assignment_id: i64,
    planned: &[PlannedTimer],
    now: DateTime<Utc>,
) -> impl Iterator<Item = timer::ActiveModel> + '_ {
    planned.iter().map(move |t| timer::ActiveModel {
        assignment_id: Set(assignment_id),
        kind: Set(t.kind),
        due_at: Set(t.due_at),
        status: Set(TimerStatus::Pending),
        created_at: Set(now),
        ..Default::default()
    })
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

/// Makes the earliest pending timer of these kinds due now, inside the
/// caller's transaction; which kind it was, if any was pending.
pub async fn bring_forward<C: ConnectionTrait>(
    conn: &C,
    assignment_id: i64,
    kinds: &[TimerKind],
    now: DateTime<Utc>,
) -> StoreResult<Option<TimerKind>> {
    let Some(next) = timer::Entity::find()
        .filter(timer::Column::AssignmentId.eq(assignment_id))
        .filter(timer::Column::Status.eq(TimerStatus::Pending))
        .filter(timer::Column::Kind.is_in(kinds.iter().copied()))
        .order_by_asc(timer::Column::DueAt)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let kind = next.kind;
    if next.due_at > now {
        timer::ActiveModel { id: Set(next.id), due_at: Set(now), ..Default::default() }.update(conn).await?;
    }
    Ok(Some(kind))
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

    /// Claims the earliest due timer and locks its assignment, in a
    /// transaction the claim holds until it is written. `None` when nothing
    /// is due (or every due timer is held by a peer).
    #[tracing::instrument(skip_all)]
    pub async fn claim_due_timer(&self, now: DateTime<Utc>) -> StoreResult<Option<TimerClaim>> {
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
        Ok(Some(TimerClaim { store: self.clone(), txn, due, assignment: a }))
    }
}

/// A due timer claimed for firing, its assignment locked. The engine asks
/// the domain what it does (`escalation::on_fire` over `state` and
/// `policy`), then `retire` or `page` writes that and commits.
pub struct TimerClaim {
    store: Store,
    txn: DatabaseTransaction,
    due: timer::Model,
    assignment: assignment::Model,
}

impl TimerClaim {
    pub fn kind(&self) -> TimerKind {
        self.due.kind
    }

    /// The assignment's state as it is now.
    pub fn state(&self) -> AssignmentState {
        self.assignment.state()
    }

    /// The policy the assignment was dispatched under.
    pub fn policy(&self) -> &SlaPolicy {
        &self.assignment.policy
    }

    /// How late it fires, in milliseconds.
    fn late_ms(&self, now: DateTime<Utc>) -> i64 {
        (now - self.due.due_at).num_milliseconds().max(0)
    }

    /// Nothing left to do (the milestone it waited for came): marked retired.
    pub async fn retire(self, why: &str, instance: &str, now: DateTime<Utc>) -> StoreResult<FiredTimer> {
        let late_ms = self.late_ms(now);
        self.finish(TimerStatus::Retired, why.to_owned(), late_ms, 0, false, instance, now).await
    }

    /// Pages `audiences` for `reason`, records the breach at the deadline if
    /// it is one, and puts the firing on the timeline.
    pub async fn page(
        self,
        audiences: &[Audience],
        reason: PageReason,
        breach: bool,
        instance: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<FiredTimer> {
        let (a, due, late_ms) = (&self.assignment, &self.due, self.late_ms(now));
        let context = pages::context(&self.txn, a, reason, None, now).await?;
        let to = pages::addressees(&self.txn, a.unit_id, a.branch_id, audiences, now).await?;
        let enqueued = pages::enqueue(
            &self.txn,
            self.store.page_writer(),
            a,
            &context,
            to,
            Fanout::FirstChannel,
            &format!("t{}", due.id),
            now,
        )
        .await?;
        if breach && a.breached_at.is_none() {
            // The breach happened at the deadline, however late the engine noticed.
            assignment::ActiveModel { id: Set(a.id), breached_at: Set(Some(due.due_at)), ..Default::default() }
                .update(&self.txn)
                .await?;
        }
        let data = TimerFired { late_ms, audiences: audiences.to_vec(), paged: enqueued.paged };
        let event = NewEvent {
            assignment_id: a.id,
            notice_id: a.notice_id,
            kind: EventKind::Timer(due.kind),
            at: due.due_at,
            by: &By::system(),
            note: None,
            data: Some(EventData::TimerFired(data)),
        };
        timeline::append(&self.txn, self.store.audit_key(), event, now).await?;
        let outcome = format!("paged {}", enqueued.pages);
        self.finish(TimerStatus::Fired, outcome, late_ms, enqueued.pages, breach, instance, now).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn finish(
        self,
        status: TimerStatus,
        outcome: String,
        late_ms: i64,
        pages: usize,
        breach: bool,
        instance: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<FiredTimer> {
        let mut t: timer::ActiveModel = self.due.into();
        t.status = Set(status);
        t.fired_at = Set(Some(now));
        t.late_ms = Set(Some(late_ms));
        t.fired_by = Set(Some(instance.to_owned()));
        t.outcome = Set(Some(outcome));
        let timer = t.update(&self.txn).await?;
        // New pages wake the senders; a breach changes what boards show.
        let changed = pages > 0 || breach;
        if changed {
            Store::notify_peers(&self.txn).await?;
        }
        self.txn.commit().await?;
        if changed {
            self.store.wake();
        }
        Ok(FiredTimer { timer: timer.into(), late_ms, pages, breach })
    }
}
