//! The page outbox: one row per (recipient, channel, message), written in the
//! same transaction as the change that caused it and sent later by the
//! outbox worker. At least once: a page is marked sent only after the
//! provider accepted it; a sender that dies leaves its lease to expire and
//! the page is sent again (with the same idempotency key).

use super::audit_key::AuditKey;
use super::rosters::{Duty, duty_of};
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};

use super::entities::{assignment, bureau_contact, channel, notice, page, person, unit, unit_channel};
use super::timeline::{self, By, NewEvent};
use super::{Store, StoreError, StoreResult};
use crate::domain::access::Scope;
use crate::domain::escalation::{Audience, PageReason};
use crate::domain::notice::{Category, Severity};
use crate::domain::people::Role;
use crate::notify::message::{self, PageContext};

pub const QUEUED: &str = "queued";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";
pub const CANCELLED: &str = "cancelled";

/// How a unit's duty group chat is named among recipients.
pub const DUTY_GROUP: &str = "值班群";

/// Which of a recipient's channels a message goes to at first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fanout {
    /// Every active channel at once (the first page of a dispatch).
    AllChannels,
    /// The first active channel; the others are fallbacks.
    FirstChannel,
}

/// What `enqueue` did.
#[derive(Debug, Clone, Default)]
pub struct Enqueued {
    pub pages: usize,
    /// Names of the people and contacts paged.
    pub recipients: Vec<String>,
    /// Names of those with no active channel: nobody could page them.
    pub unreachable: Vec<String>,
    /// The branch's roster had nobody on duty: the support lead was paged
    /// instead of the engineers.
    pub roster_gap: bool,
}

#[derive(Debug, Clone)]
struct Target {
    channel_id: Option<i64>,
    kind: String,
    address: String,
}

#[derive(Debug, Clone)]
struct Recipient {
    person_id: Option<i64>,
    contact_id: Option<i64>,
    /// A unit's duty group chat.
    group_id: Option<i64>,
    name: String,
    targets: Vec<Target>,
}

impl Recipient {
    fn key(&self) -> String {
        match (self.person_id, self.contact_id, self.group_id) {
            (Some(p), _, _) => format!("p{p}"),
            (_, Some(c), _) => format!("b{c}"),
            (_, _, Some(g)) => format!("g{g}"),
            _ => "x".into(),
        }
    }
}

/// Enqueues a page of `reason` about assignment `a` to everyone in
/// `audiences`, inside the caller's transaction. `scope_key` names the cause
/// (`dispatch`, `t{timer}`) so the same cause never pages anyone twice.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    tz: Tz,
    a: &assignment::Model,
    reason: PageReason,
    audiences: &[Audience],
    fanout: Fanout,
    scope_key: &str,
    now: DateTime<Utc>,
) -> StoreResult<Enqueued> {
    let ctx = context(conn, tz, a, reason, None, now).await?;
    let rendered = message::render(&ctx);
    let body = message::body(&ctx, &rendered).to_string();
    let mut seen = HashSet::new();
    let mut out = Enqueued::default();
    // With a roster, "the branch's engineers" means whoever is on duty now;
    // nobody on duty goes straight to the support lead.
    let duty = if audiences.contains(&Audience::Engineers) {
        duty_of(conn, a.unit_id, a.branch_id, now).await?
    } else {
        Duty::Everyone
    };
    let mut audiences = audiences.to_vec();
    if duty == Duty::Gap {
        out.roster_gap = true;
        if !audiences.contains(&Audience::SupportLead) {
            audiences.push(Audience::SupportLead);
        }
    }
    for audience in &audiences {
        for r in recipients(conn, a, *audience, duty).await? {
            if !seen.insert(r.key()) {
                continue;
            }
            if r.targets.is_empty() {
                out.unreachable.push(r.name.clone());
                continue;
            }
            let message_key = format!("a{}:{scope_key}:{}", a.id, r.key());
            let targets = match fanout {
                Fanout::AllChannels => r.targets.clone(),
                Fanout::FirstChannel => r.targets[..1].to_vec(),
            };
            for t in targets {
                insert_page(conn, Some(a.id), &r, &t, reason, &message_key, &body, now).await?;
                out.pages += 1;
            }
            out.recipients.push(r.name.clone());
        }
    }
    Ok(out)
}

/// Enqueues a message about no assignment (a duty hand-over) to a person's
/// first active channel; the others are fallbacks. Returns how many pages
/// were written: none when the person has no active channel.
pub(super) async fn enqueue_to_person<C: ConnectionTrait>(
    conn: &C,
    p: &person::Model,
    reason: PageReason,
    message_key: &str,
    body: &str,
    now: DateTime<Utc>,
) -> StoreResult<usize> {
    let first = channel::Entity::find()
        .filter(channel::Column::PersonId.eq(p.id))
        .filter(channel::Column::Status.eq("active"))
        .order_by_asc(channel::Column::Priority)
        .one(conn)
        .await?;
    let Some(c) = first else { return Ok(0) };
    let r =
        Recipient { person_id: Some(p.id), contact_id: None, group_id: None, name: p.name.clone(), targets: vec![] };
    let t = Target { channel_id: Some(c.id), kind: c.kind, address: c.address };
    insert_page(conn, None, &r, &t, reason, message_key, body, now).await?;
    Ok(1)
}

#[allow(clippy::too_many_arguments)]
async fn insert_page<C: ConnectionTrait>(
    conn: &C,
    assignment_id: Option<i64>,
    r: &Recipient,
    t: &Target,
    reason: PageReason,
    message_key: &str,
    body: &str,
    now: DateTime<Utc>,
) -> StoreResult<page::Model> {
    let channel_part = t.channel_id.map_or_else(|| "direct".to_owned(), |c| format!("c{c}"));
    Ok(page::ActiveModel {
        assignment_id: Set(assignment_id),
        person_id: Set(r.person_id),
        bureau_contact_id: Set(r.contact_id),
        unit_channel_id: Set(r.group_id),
        channel_id: Set(t.channel_id),
        channel_kind: Set(t.kind.clone()),
        address: Set(t.address.clone()),
        recipient: Set(r.name.clone()),
        reason: Set(reason.code().to_owned()),
        message_key: Set(message_key.to_owned()),
        body: Set(body.to_owned()),
        idempotency_key: Set(format!("{message_key}:{channel_part}")),
        status: Set(QUEUED.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

async fn context<C: ConnectionTrait>(
    conn: &C,
    tz: Tz,
    a: &assignment::Model,
    reason: PageReason,
    failed_recipient: Option<String>,
    now: DateTime<Utc>,
) -> StoreResult<PageContext> {
    let n =
        notice::Entity::find_by_id(a.notice_id).one(conn).await?.ok_or(StoreError::not_found("notice", a.notice_id))?;
    let u = unit::Entity::find_by_id(a.unit_id).one(conn).await?.ok_or(StoreError::not_found("unit", a.unit_id))?;
    Ok(PageContext {
        reason,
        assignment_id: a.id,
        notice_id: n.id,
        title: n.title,
        category: Category::from_code(&n.category).unwrap_or(Category::Other),
        severity: Severity::from_code(&n.severity).unwrap_or(Severity::IV),
        target_name: n.target_name,
        site_address: n.site_address,
        unit_name: u.name,
        notified_at: a.notified_at,
        deadline_at: a.deadline_at,
        now,
        tz,
        failed_recipient,
    })
}

/// The people (or bureau contacts) an audience means for this assignment,
/// each with their active channels in fallback order.
async fn recipients<C: ConnectionTrait>(
    conn: &C,
    a: &assignment::Model,
    audience: Audience,
    duty: Duty,
) -> StoreResult<Vec<Recipient>> {
    let role = match audience {
        Audience::Engineers => Some(Role::Engineer),
        Audience::Liaison => Some(Role::Liaison),
        Audience::SupportLead => Some(Role::SupportLead),
        Audience::EmergencyLead => Some(Role::EmergencyLead),
        Audience::HqEngineers => Some(Role::HqEngineer),
        Audience::BureauDuty | Audience::Managers => None,
    };
    if let Some(role) = role {
        let mut q = person::Entity::find()
            .filter(person::Column::UnitId.eq(a.unit_id))
            .filter(person::Column::Active.eq(true))
            .order_by_asc(person::Column::Id);
        q = match (role, duty) {
            // The person on duty, whatever their role or branch in the unit.
            (Role::Engineer, Duty::Person(on_duty)) => q.filter(person::Column::Id.eq(on_duty)),
            (Role::Engineer, Duty::Gap) => q.filter(person::Column::Id.eq(-1)),
            (Role::Engineer, Duty::Everyone) => match a.branch_id {
                Some(branch) => {
                    q.filter(person::Column::Role.eq(role.code())).filter(person::Column::BranchId.eq(branch))
                }
                None => q.filter(person::Column::Role.eq(role.code())),
            },
            _ => q.filter(person::Column::Role.eq(role.code())),
        };
        let mut out = Vec::new();
        for p in q.all(conn).await? {
            let targets = channel::Entity::find()
                .filter(channel::Column::PersonId.eq(p.id))
                .filter(channel::Column::Status.eq("active"))
                .order_by_asc(channel::Column::Priority)
                .all(conn)
                .await?
                .into_iter()
                .map(|c| Target { channel_id: Some(c.id), kind: c.kind, address: c.address })
                .collect();
            out.push(Recipient { person_id: Some(p.id), contact_id: None, group_id: None, name: p.name, targets });
        }
        if role == Role::Engineer {
            // The unit's duty group sees what its engineers are paged with.
            let groups = unit_channel::Entity::find()
                .filter(unit_channel::Column::UnitId.eq(a.unit_id))
                .filter(unit_channel::Column::Status.eq("active"))
                .order_by_asc(unit_channel::Column::Id)
                .all(conn)
                .await?;
            out.extend(groups.into_iter().map(|g| Recipient {
                person_id: None,
                contact_id: None,
                group_id: Some(g.id),
                name: DUTY_GROUP.to_owned(),
                targets: vec![Target { channel_id: None, kind: g.kind, address: g.address }],
            }));
        }
        return Ok(out);
    }
    let role = if audience == Audience::BureauDuty { "duty_officer" } else { "manager" };
    let contacts = bureau_contact::Entity::find()
        .filter(bureau_contact::Column::Role.eq(role))
        .filter(bureau_contact::Column::Active.eq(true))
        .order_by_asc(bureau_contact::Column::Id)
        .all(conn)
        .await?;
    Ok(contacts
        .into_iter()
        .map(|c| Recipient {
            person_id: None,
            contact_id: Some(c.id),
            group_id: None,
            name: c.name,
            targets: vec![Target { channel_id: None, kind: c.kind, address: c.address }],
        })
        .collect())
}

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
    /// This channel is done with this message; `broken` marks the channel
    /// unusable (the provider refused it for good).
    GiveUp {
        error: String,
        broken: bool,
    },
}

impl Store {
    /// When the next queued page is due, or a lease runs out.
    pub async fn next_page_due(&self) -> StoreResult<Option<DateTime<Utc>>> {
        let queued = page::Entity::find()
            .filter(page::Column::Status.eq(QUEUED))
            .order_by_asc(page::Column::NextAttemptAt)
            .one(self.db())
            .await?
            .map(|p| p.next_attempt_at);
        let leased = page::Entity::find()
            .filter(page::Column::Status.eq(SENDING))
            .order_by_asc(page::Column::LeaseUntil)
            .one(self.db())
            .await?
            .and_then(|p| p.lease_until);
        Ok(match (queued, leased) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    /// Takes up to `limit` due pages for sending, in one transaction: queued
    /// and due, or left `sending` by a sender whose lease ran out. The claim
    /// commits before the send, so a crash mid-send leaves the pages to be
    /// retried. Each kind is its own query on the (status, …) index: one
    /// query with an OR between them scanned every page ever sent.
    #[tracing::instrument(skip_all)]
    pub async fn claim_pages(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: u64,
    ) -> StoreResult<Vec<page::Model>> {
        let txn = self.db().begin().await?;
        let due = |status: &str, column: page::Column| {
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
        let mut pages = due(SENDING, page::Column::LeaseUntil).all(&txn).await?;
        if (pages.len() as u64) < limit {
            pages.extend(due(QUEUED, page::Column::NextAttemptAt).limit(limit - pages.len() as u64).all(&txn).await?);
        }
        if pages.is_empty() {
            txn.commit().await?;
            return Ok(pages);
        }
        let until = now + lease;
        page::Entity::update_many()
            .col_expr(page::Column::Status, Expr::value(SENDING))
            .col_expr(page::Column::Attempts, sea_orm::sea_query::ExprTrait::add(Expr::col(page::Column::Attempts), 1))
            .col_expr(page::Column::LeaseUntil, Expr::value(until))
            .col_expr(page::Column::UpdatedAt, Expr::value(now))
            .filter(page::Column::Id.is_in(pages.iter().map(|p| p.id)))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        for p in &mut pages {
            p.status = SENDING.to_owned();
            p.attempts += 1;
            p.lease_until = Some(until);
            p.updated_at = now;
        }
        Ok(pages)
    }

    /// Records how the attempts on a batch of claimed pages ended, in one
    /// transaction (one commit per batch, not per page). For each page,
    /// whether it was recorded: not if its claim was lost (the lease ran out
    /// and another sender took it). If the transaction fails, every page of
    /// the batch stays claimed and is retried when its lease runs out.
    #[tracing::instrument(skip_all, fields(pages = outcomes.len()))]
    pub async fn record_attempts(
        &self,
        outcomes: &[(&page::Model, Attempt)],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<bool>> {
        let txn = self.db().begin().await?;
        let mut recorded = Vec::with_capacity(outcomes.len());
        let mut woke = false;
        for (claimed, attempt) in outcomes {
            let mut update = page::ActiveModel { updated_at: Set(now), lease_until: Set(None), ..Default::default() };
            match attempt {
                Attempt::Sent { provider_id } => {
                    update.status = Set(SENT.to_owned());
                    update.sent_at = Set(Some(now));
                    update.provider_message_id = Set(provider_id.clone());
                    update.last_error = Set(None);
                }
                Attempt::Retry { error, at } => {
                    update.status = Set(QUEUED.to_owned());
                    update.next_attempt_at = Set(*at);
                    update.last_error = Set(Some(error.clone()));
                }
                Attempt::GiveUp { error, .. } => {
                    update.status = Set(FAILED.to_owned());
                    update.last_error = Set(Some(error.clone()));
                }
            }
            let res = page::Entity::update_many()
                .set(update)
                .filter(page::Column::Id.eq(claimed.id))
                .filter(page::Column::Status.eq(SENDING))
                .filter(page::Column::Attempts.eq(claimed.attempts))
                .exec(&txn)
                .await?;
            recorded.push(res.rows_affected > 0);
            if res.rows_affected > 0
                && let Attempt::GiveUp { error, broken } = attempt
            {
                woke |= self.fall_over(&txn, claimed, error, *broken, now).await?;
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
    async fn fall_over<C: ConnectionTrait>(
        &self,
        conn: &C,
        failed: &page::Model,
        error: &str,
        broken: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        if broken && let Some(channel_id) = failed.channel_id {
            channel::ActiveModel {
                id: Set(channel_id),
                status: Set("broken".into()),
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
                .filter(channel::Column::Status.eq("active"))
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
        let reason = PageReason::from_code(&failed.reason).unwrap_or(PageReason::Dispatch);
        if let Some(c) = next {
            let r = Recipient {
                person_id: failed.person_id,
                contact_id: None,
                group_id: None,
                name: failed.recipient.clone(),
                targets: vec![],
            };
            let t = Target { channel_id: Some(c.id), kind: c.kind.clone(), address: c.address.clone() };
            let p =
                insert_page(conn, failed.assignment_id, &r, &t, reason, &failed.message_key, &failed.body, now).await?;
            if let Some(a) = &assignment {
                page_event(conn, self.audit_key(), a, failed, error, Some(&p.channel_kind), now).await?;
            }
            return Ok(true);
        }
        let delivered_or_pending =
            siblings.iter().any(|p| p.id != failed.id && matches!(p.status.as_str(), SENT | QUEUED | SENDING));
        if delivered_or_pending {
            return Ok(false);
        }
        let Some(a) = assignment else { return Ok(false) };
        page_event(conn, self.audit_key(), &a, failed, error, None, now).await?;
        if failed.person_id.is_none() || reason == PageReason::DeliveryFailed {
            // The bureau's own contact could not be reached: nobody left to tell.
            return Ok(false);
        }
        let ctx = context(conn, self.tz(), &a, PageReason::DeliveryFailed, Some(failed.recipient.clone()), now).await?;
        let rendered = message::render(&ctx);
        let body = message::body(&ctx, &rendered).to_string();
        let mut enqueued = 0;
        for r in recipients(conn, &a, Audience::BureauDuty, Duty::Everyone).await? {
            let key = format!("a{}:failed{}:{}", a.id, failed.id, r.key());
            for t in &r.targets {
                insert_page(conn, Some(a.id), &r, t, PageReason::DeliveryFailed, &key, &body, now).await?;
                enqueued += 1;
            }
        }
        Ok(enqueued > 0)
    }

    /// Pages waiting to be sent (queued or being sent).
    pub async fn queued_page_count(&self) -> StoreResult<u64> {
        Ok(page::Entity::find().filter(page::Column::Status.is_in([QUEUED, SENDING])).count(self.db()).await?)
    }

    /// Every page about an assignment, oldest first.
    pub async fn pages(&self, scope: Scope, assignment_id: i64) -> StoreResult<Vec<page::Model>> {
        self.assignment(scope, assignment_id).await?;
        Ok(page::Entity::find()
            .filter(page::Column::AssignmentId.eq(assignment_id))
            .order_by_asc(page::Column::Id)
            .all(self.db())
            .await?)
    }
}

/// A page that failed on its timeline: `page_fallback` when the recipient's
/// next channel was tried, `page_failed` when none was left.
async fn page_event<C: ConnectionTrait>(
    conn: &C,
    key: &AuditKey,
    a: &assignment::Model,
    failed: &page::Model,
    error: &str,
    fell_over_to: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let kind = if fell_over_to.is_some() { "page_fallback" } else { "page_failed" };
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
            data: Some(serde_json::json!({
                "page_id": failed.id,
                "recipient": failed.recipient,
                "channel": failed.channel_kind,
                "error": error,
                "fell_over_to": fell_over_to,
            })),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Cancels pages not yet sent for an assignment (it was stood down).
pub async fn cancel_queued<C: ConnectionTrait>(conn: &C, assignment_id: i64, now: DateTime<Utc>) -> StoreResult<u64> {
    let res = page::Entity::update_many()
        .set(page::ActiveModel { status: Set(CANCELLED.to_owned()), updated_at: Set(now), ..Default::default() })
        .filter(page::Column::AssignmentId.eq(assignment_id))
        .filter(page::Column::Status.eq(QUEUED))
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}
