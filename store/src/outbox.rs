//! Sending the outbox: claiming due pages under a lease, recording each
//! attempt (sent, retry with backoff, or fall over to the recipient's next
//! channel), and the failures the assignment's timeline shows.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set, Statement, TransactionTrait,
};

use super::audit_key::AuditKey;
use super::entities::{assignment, channel, page};
use super::pages::{context, insert_page};
use super::recipients::{Recipient, Target, bureau_contacts};
use super::timeline::{self, NewEvent};
use super::{Store, StoreError, StoreResult};
use crate::domain::access::By;
use crate::domain::escalation::PageReason;
use crate::domain::event::{BureauEvent, DeliveryFailure, DeliveryStatus, EventKind};
use crate::domain::page::{AfterFailure, after_failure};
use crate::domain::people::{BureauRole, ChannelKind, ChannelStatus};
use crate::domain::record::Page;
use crate::domain::timeline::{EventData, PageFailed};
use crate::records;

/// How one delivery attempt ended.
#[derive(Debug, Clone)]
pub enum Attempt {
    Sent {
        provider_id: Option<String>,
    },
    /// Try this channel again at `at`.
    Retry {
        error: String,
        at: DateTime<Utc>,
    },
    /// Not tried: the channel's rate limits let it go only at `at`. Handed
    /// back to the outbox (not counted as an attempt) rather than held
    /// under the batch's claim while it waits.
    Defer {
        at: DateTime<Utc>,
    },
    /// This channel is done with this message; a `Rejected` failure marks
    /// the channel unusable (the provider refused it for good).
    GiveUp {
        error: String,
        failure: DeliveryFailure,
    },
}

impl Store {
    /// When the next queued page is due, or a lease runs out.
    pub async fn next_page_due(&self) -> StoreResult<Option<DateTime<Utc>>> {
        let queued = page::Entity::find()
            .filter(page::Column::Status.eq(DeliveryStatus::Queued))
            .order_by_asc(page::Column::NextAttemptAt)
            .one(self.db())
            .await?
            .map(|p| p.next_attempt_at);
        let leased = page::Entity::find()
            .filter(page::Column::Status.eq(DeliveryStatus::Sending))
            .order_by_asc(page::Column::LeaseUntil)
            .one(self.db())
            .await?
            .and_then(|p| p.lease_until)
            .map(|expired| self.leases.seen_at(expired));
        Ok(match (queued, leased) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    /// Takes up to `limit` due pages for sending, in one transaction: queued
    /// and due, or left `sending` by a sender whose lease ran out (looked for
    /// at most once a `leases::EVERY`, or at once after `release_dead_claims`
    /// handed pages back). The claim commits before the send, so a crash
    /// mid-send leaves the pages to be retried. Each kind is its own query on
    /// the (status, …) index: one query with an OR between them scanned every
    /// page ever sent.
    #[tracing::instrument(skip_all)]
    pub async fn claim_pages(&self, now: DateTime<Utc>, lease: chrono::Duration, limit: u64) -> StoreResult<Vec<Page>> {
        let txn = self.db().begin().await?;
        let due = |status: DeliveryStatus, column: page::Column| {
            let mut q = page::Entity::find()
                .filter(page::Column::Status.eq(status))
                .filter(column.lte(now))
                .order_by_asc(column)
                .order_by_asc(page::Column::Id)
                .limit(limit);
            if self.backend() == DbBackend::Postgres {
                q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
            }
            q
        };
        let mut pages = Vec::new();
        if self.leases.due(now) {
            pages = readable(&txn, due(DeliveryStatus::Sending, page::Column::LeaseUntil), now).await?;
        }
        if (pages.len() as u64) < limit {
            let queued = due(DeliveryStatus::Queued, page::Column::NextAttemptAt).limit(limit - pages.len() as u64);
            pages.extend(readable(&txn, queued, now).await?);
        }
        if pages.is_empty() {
            txn.commit().await?;
            return Ok(Vec::new());
        }
        let until = now + lease;
        page::Entity::update_many()
            .col_expr(page::Column::Status, Expr::value(DeliveryStatus::Sending))
            .col_expr(page::Column::Attempts, sea_orm::sea_query::ExprTrait::add(Expr::col(page::Column::Attempts), 1))
            .col_expr(page::Column::LeaseUntil, Expr::value(until))
            .col_expr(page::Column::ClaimedBy, Expr::value(self.instance()))
            .col_expr(page::Column::UpdatedAt, Expr::value(now))
            .filter(page::Column::Id.is_in(pages.iter().map(|p| p.id)))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        for p in &mut pages {
            p.status = DeliveryStatus::Sending;
            p.attempts += 1;
            p.lease_until = Some(until);
            p.updated_at = now;
        }
        Ok(records::all(pages))
    }

    /// Records how the attempts on a batch of claimed pages ended, in one
    /// transaction (one commit per batch, not per page). For each page,
    /// whether it was recorded: not if its claim was lost (the lease ran out
    /// and another sender took it). If the transaction fails, every page of
    /// the batch stays claimed and is retried when its lease runs out.
    #[tracing::instrument(skip_all, fields(pages = outcomes.len()))]
    pub async fn record_attempts(&self, outcomes: &[(&Page, Attempt)], now: DateTime<Utc>) -> StoreResult<Vec<bool>> {
        let txn = self.db().begin().await?;
        let sent: Vec<_> = outcomes
            .iter()
            .filter_map(|(p, a)| match a {
                Attempt::Sent { provider_id } => Some((p.id, p.attempts, provider_id.clone())),
                _ => None,
            })
            .collect();
        let sent = record_sent(&txn, sent, now).await?;
        let mut recorded = Vec::with_capacity(outcomes.len());
        let mut woke = false;
        for (claimed, attempt) in outcomes {
            if let Attempt::Sent { .. } = attempt {
                recorded.push(sent.contains(&claimed.id));
                continue;
            }
            let mut update = page::ActiveModel {
                updated_at: Set(now),
                lease_until: Set(None),
                claimed_by: Set(None),
                ..Default::default()
            };
            match attempt {
                Attempt::Sent { .. } => {}
                Attempt::Retry { error, at } => {
                    update.status = Set(DeliveryStatus::Queued);
                    update.next_attempt_at = Set(*at);
                    update.last_error = Set(Some(error.clone()));
                    update.last_error_code = Set(Some(DeliveryFailure::Unavailable));
                }
                Attempt::Defer { at } => {
                    update.status = Set(DeliveryStatus::Queued);
                    update.next_attempt_at = Set(*at);
                    update.attempts = Set(claimed.attempts - 1);
                }
                Attempt::GiveUp { error, failure } => {
                    update.status = Set(DeliveryStatus::Failed);
                    update.last_error = Set(Some(error.clone()));
                    update.last_error_code = Set(Some(*failure));
                }
            }
            let res = page::Entity::update_many()
                .set(update)
                .filter(page::Column::Id.eq(claimed.id))
                .filter(page::Column::Status.eq(DeliveryStatus::Sending))
                .filter(page::Column::Attempts.eq(claimed.attempts))
                .exec(&txn)
                .await?;
            recorded.push(res.rows_affected > 0);
            if res.rows_affected > 0
                && let Attempt::GiveUp { error, failure } = attempt
            {
                woke |= self.fall_over(&txn, claimed, error, *failure, now).await?;
            }
        }
        if woke {
            Store::notify_peers(&txn).await?;
        }
        txn.commit().await?;
        if woke {
            self.wake();
        }
        Ok(recorded)
    }

    /// After a channel gave up on a message: the recipient's next channel,
    /// or, when none is left and nothing reached them, a page to the bureau.
    /// Returns whether new pages were enqueued.
    pub(super) async fn fall_over<C: ConnectionTrait>(
        &self,
        conn: &C,
        failed: &Page,
        error: &str,
        failure: DeliveryFailure,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        if failure == DeliveryFailure::Rejected
            && let Some(channel_id) = failed.channel_id
        {
            channel::ActiveModel {
                id: Set(channel_id),
                status: Set(ChannelStatus::Broken),
                status_reason: Set(Some(error.to_owned())),
                ..Default::default()
            }
            .update(conn)
            .await?;
        }
        let siblings = page::Entity::find().filter(page::Column::MessageKey.eq(&failed.message_key)).all(conn).await?;
        let mut next = None;
        if let Some(person_id) = failed.person_id {
            let used: HashSet<Option<i64>> = siblings.iter().map(|p| p.channel_id).collect();
            next = channel::Entity::find()
                .filter(channel::Column::PersonId.eq(person_id))
                .filter(channel::Column::Status.eq(ChannelStatus::Active))
                .order_by_asc(channel::Column::Priority)
                .all(conn)
                .await?
                .into_iter()
                .find(|c| !used.contains(&Some(c.id)));
        }
        let assignment = match failed.assignment_id {
            Some(id) => assignment::Entity::find_by_id(id).one(conn).await?,
            None => None,
        };
        let reason = failed.reason;
        let covered = siblings.iter().any(|p| {
            p.id != failed.id
                && matches!(p.status, DeliveryStatus::Sent | DeliveryStatus::Queued | DeliveryStatus::Sending)
        });
        let tell_bureau = match after_failure(next, covered, failed.person_id.is_some(), reason) {
            AfterFailure::NextChannel(c) => {
                let r = Recipient {
                    person_id: failed.person_id,
                    contact_id: None,
                    group_id: None,
                    name: failed.recipient.clone(),
                    targets: vec![],
                };
                let t = Target { channel_id: Some(c.id), kind: c.kind, address: c.address.clone() };
                let p = insert_page(conn, failed.assignment_id, &r, &t, reason, &failed.message_key, &failed.body, now)
                    .await?;
                if let Some(a) = &assignment {
                    page_event(conn, self.audit_key(), a, failed, (error, failure), Some(p.channel_kind), now).await?;
                }
                return Ok(true);
            }
            AfterFailure::Covered => return Ok(false),
            AfterFailure::Unreached { tell_bureau } => tell_bureau,
        };
        let Some(a) = assignment else { return Ok(false) };
        page_event(conn, self.audit_key(), &a, failed, (error, failure), None, now).await?;
        if !tell_bureau {
            return Ok(false);
        }
        let ctx = context(conn, &a, PageReason::DeliveryFailed, Some(failed.recipient.clone()), now).await?;
        let body = self.page_writer().page(&ctx);
        let mut enqueued = 0;
        for r in bureau_contacts(conn, BureauRole::DutyOfficer).await? {
            let key = format!("a{}:failed{}:{}", a.id, failed.id, r.key());
            for t in &r.targets {
                insert_page(conn, Some(a.id), &r, t, PageReason::DeliveryFailed, &key, &body, now).await?;
                enqueued += 1;
            }
        }
        Ok(enqueued > 0)
    }

    /// How many voice calls went out to `number` since `since`.
    pub async fn calls_since(&self, number: &str, since: DateTime<Utc>) -> StoreResult<u64> {
        Ok(page::Entity::find()
            .filter(page::Column::Address.eq(number))
            .filter(page::Column::SentAt.gte(since))
            .filter(page::Column::ChannelKind.eq(ChannelKind::Voice))
            .filter(page::Column::Status.eq(DeliveryStatus::Sent))
            .count(self.db())
            .await?)
    }

    /// Pages waiting to be sent (queued or being sent).
    pub async fn queued_page_count(&self) -> StoreResult<u64> {
        Ok(page::Entity::find()
            .filter(page::Column::Status.is_in([DeliveryStatus::Queued, DeliveryStatus::Sending]))
            .count(self.db())
            .await?)
    }

    /// When the longest-waiting page still to send fell due (a retry
    /// waiting out its backoff is not yet due): how far the outbox is behind.
    pub async fn oldest_due_page(&self, now: DateTime<Utc>) -> StoreResult<Option<DateTime<Utc>>> {
        let oldest = page::Entity::find()
            .filter(page::Column::Status.is_in([DeliveryStatus::Queued, DeliveryStatus::Sending]))
            .filter(page::Column::NextAttemptAt.lte(now))
            .order_by_asc(page::Column::NextAttemptAt)
            .one(self.db())
            .await?;
        Ok(oldest.map(|p| p.next_attempt_at))
    }
}

/// The pages `due` selects. A row that does not decode (a manual edit, a
/// bug) must not hold up every page behind it: it is set aside as failed,
/// with why, and the rest go out.
async fn readable(
    txn: &DatabaseTransaction,
    due: Select<page::Entity>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<page::Model>> {
    match due.clone().all(txn).await.map_err(StoreError::from) {
        Err(StoreError::Corrupt(_)) => {}
        other => return other,
    }
    let ids: Vec<i64> = due.select_only().column(page::Column::Id).into_tuple().all(txn).await?;
    let mut pages = Vec::with_capacity(ids.len());
    for id in ids {
        match page::Entity::find_by_id(id).one(txn).await.map_err(StoreError::from) {
            Ok(found) => pages.extend(found),
            Err(StoreError::Corrupt(why)) => {
                tracing::error!(page = id, error = %why, "a stored page cannot be read; set aside as failed");
                page::Entity::update_many()
                    .col_expr(page::Column::Status, Expr::value(DeliveryStatus::Failed))
                    .col_expr(page::Column::LastError, Expr::value(format!("stored page cannot be read: {why}")))
                    .col_expr(page::Column::UpdatedAt, Expr::value(now))
                    .filter(page::Column::Id.eq(id))
                    .exec(txn)
                    .await?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(pages)
}

/// A page that failed on its timeline: `page_fallback` when the recipient's
/// next channel was tried, `page_failed` when none was left.
async fn page_event<C: ConnectionTrait>(
    conn: &C,
    key: &AuditKey,
    a: &assignment::Model,
    failed: &Page,
    (error, failure): (&str, DeliveryFailure),
    fell_over_to: Option<ChannelKind>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let kind =
        EventKind::Other(if fell_over_to.is_some() { BureauEvent::PageFallback } else { BureauEvent::PageFailed });
    timeline::append(
        conn,
        key,
        NewEvent {
            assignment_id: a.id,
            notice_id: a.notice_id,
            kind,
            at: now,
            by: &By::system(),
            note: None,
            data: Some(EventData::PageFailed(PageFailed {
                page_id: failed.id,
                recipient: failed.recipient.clone(),
                channel: failed.channel_kind,
                error: error.to_owned(),
                failure: Some(failure),
                fell_over_to,
            })),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Records the pages of a batch the providers accepted, `(id, attempts,
/// provider's id)` each, in one statement (one per page held the one SQLite
/// writer a round trip each); the ids whose claim still held.
async fn record_sent(
    txn: &DatabaseTransaction,
    sent: Vec<(i64, i32, Option<String>)>,
    now: DateTime<Utc>,
) -> StoreResult<HashSet<i64>> {
    if sent.is_empty() {
        return Ok(HashSet::new());
    }
    let backend = txn.get_database_backend();
    let postgres = backend == DbBackend::Postgres;
    let mut values: Vec<sea_orm::Value> = vec![DeliveryStatus::Sent.into(), now.into(), now.into()];
    let mut rows = Vec::with_capacity(sent.len());
    for (id, attempts, provider_id) in sent {
        let n = values.len();
        rows.push(if postgres {
            format!("(${}::bigint, ${}::integer, ${}::text)", n + 1, n + 2, n + 3)
        } else {
            "(?, ?, ?)".to_owned()
        });
        values.extend([id.into(), attempts.into(), provider_id.into()]);
    }
    let mark = |n: usize| if postgres { format!("${n}") } else { "?".to_owned() };
    let sending = mark(values.len() + 1);
    values.push(DeliveryStatus::Sending.into());
    // VALUES columns are named column1… on both databases.
    let sql = format!(
        "UPDATE pages SET status = {}, sent_at = {}, updated_at = {}, lease_until = NULL, claimed_by = NULL, \
         last_error = NULL, last_error_code = NULL, provider_message_id = v.column3 \
         FROM (VALUES {}) AS v \
         WHERE pages.id = v.column1 AND pages.status = {sending} AND pages.attempts = v.column2 \
         RETURNING pages.id",
        mark(1),
        mark(2),
        mark(3),
        rows.join(", ")
    );
    let done = txn.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    done.iter().map(|r| r.try_get::<i64>("", "id").map_err(Into::into)).collect()
}
