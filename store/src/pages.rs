//! The page outbox: one row per (recipient, channel, message), written in the
//! same transaction as the change that caused it and sent later by the
//! outbox worker (`outbox.rs`). At least once: a page is marked sent only after the
//! provider accepted it; a sender that dies leaves its lease to expire and
//! the page is sent again (with the same idempotency key).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};

use super::duty::{Duty, Post, distinct, duties};
use super::entities::{assignment, channel, notice, page, person, unit};
use super::recipients::{Recipient, Staff, Target, bureau_contacts, person_key};
use super::{Store, StoreError, StoreResult};
use crate::domain::access::Scope;
use crate::domain::escalation::{Audience, PageReason, Whom};
use crate::domain::event::DeliveryStatus;
use crate::domain::page::{PageBody, PageContext, PageWriter};
use crate::domain::people::ChannelStatus;
use crate::domain::record::Page;
use crate::domain::timeline::Paged;
use crate::records;

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
    /// Whom, as the timeline records it.
    pub paged: Paged,
}

/// Whom a page goes to, each audience's recipients in order: read before
/// the page is written (a dispatch reads it before its transaction begins,
/// off SQLite's one writer).
#[derive(Default)]
pub struct Addressees {
    /// Nobody was on duty: the support lead was added.
    roster_gap: bool,
    recipients: Vec<Recipient>,
}

/// Whom `audiences` of an assignment of `unit_id` at `branch_id` mean at
/// `now`. With a roster, "the branch's engineers" means whoever is on duty;
/// nobody on duty goes straight to the support lead.
pub async fn addressees<C: ConnectionTrait>(
    conn: &C,
    unit_id: i64,
    branch_id: Option<i64>,
    audiences: &[Audience],
    now: DateTime<Utc>,
) -> StoreResult<Addressees> {
    let mut one = addressees_of(conn, &[Post { unit_id, branch_id, at: now }], audiences).await?;
    one.pop().ok_or_else(|| StoreError::Corrupt("a page's addressees came back missing".into()))
}

/// Whom `audiences` mean for each of `posts`, in their order, read together:
/// the duties, the units' staff and the bureau's contacts once for all.
pub(super) async fn addressees_of<C: ConnectionTrait>(
    conn: &C,
    posts: &[Post],
    audiences: &[Audience],
) -> StoreResult<Vec<Addressees>> {
    let duties = if audiences.contains(&Audience::Engineers) {
        duties(conn, posts).await?
    } else {
        vec![Duty::Everyone; posts.len()]
    };
    let with_lead = {
        let mut with_lead = audiences.to_vec();
        if !with_lead.contains(&Audience::SupportLead) {
            with_lead.push(Audience::SupportLead);
        }
        with_lead
    };
    let read = if duties.contains(&Duty::Gap) { &with_lead[..] } else { audiences };
    let staff = Staff::of_units(conn, &distinct(posts.iter().map(|p| p.unit_id)), read).await?;
    let mut contacts = HashMap::new();
    for audience in read {
        if let Whom::Bureau(role) = audience.whom() {
            contacts.insert(role, bureau_contacts(conn, role).await?);
        }
    }
    let nobody = Staff::default();
    Ok(posts
        .iter()
        .zip(duties)
        .map(|(post, duty)| {
            let staff = staff.get(&post.unit_id).unwrap_or(&nobody);
            // Nobody on duty: the support lead is added.
            let roster_gap = duty == Duty::Gap;
            let recipients = (if roster_gap { &with_lead[..] } else { audiences })
                .iter()
                .flat_map(|audience| match audience.whom() {
                    Whom::Unit(role) => staff.paged(role, duty, post.branch_id),
                    Whom::Bureau(role) => contacts.get(&role).cloned().unwrap_or_default(),
                })
                .collect();
            Addressees { roster_gap, recipients }
        })
        .collect())
}

/// Enqueues a page saying `context` about assignment `a` to `to`, inside
/// the caller's transaction, in one insert. `scope_key` names the cause
/// (`dispatch`, `t{timer}`) so the same cause never pages anyone twice.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    writer: &dyn PageWriter,
    a: &assignment::Model,
    context: &PageContext,
    to: Addressees,
    fanout: Fanout,
    scope_key: &str,
    now: DateTime<Utc>,
) -> StoreResult<Enqueued> {
    let mut seen = HashSet::new();
    if context.reason != PageReason::Dispatch {
        // Whoever declined it is not paged about it again.
        seen.extend(super::timeline::declined_by(conn, a.id).await?.into_iter().map(person_key));
    }
    let (rows, out) = rows(writer, a, context, &to, fanout, scope_key, seen, now);
    if !rows.is_empty() {
        page::Entity::insert_many(rows).exec_without_returning(conn).await?;
    }
    Ok(out)
}

/// The rows `enqueue` writes, skipping the recipients whose key is in
/// `seen` (for writers that insert many assignments' pages in one
/// statement).
#[allow(clippy::too_many_arguments)]
pub(super) fn rows(
    writer: &dyn PageWriter,
    a: &assignment::Model,
    context: &PageContext,
    to: &Addressees,
    fanout: Fanout,
    scope_key: &str,
    mut seen: HashSet<String>,
    now: DateTime<Utc>,
) -> (Vec<page::ActiveModel>, Enqueued) {
    let reason = context.reason;
    let body = writer.page(context);
    let mut out = Enqueued::default();
    out.paged.roster_gap = to.roster_gap;
    let mut rows = Vec::new();
    for r in &to.recipients {
        if !seen.insert(r.key()) {
            continue;
        }
        if r.targets.is_empty() {
            out.paged.unreachable.push(r.name.clone());
            continue;
        }
        let message_key = format!("a{}:{scope_key}:{}", a.id, r.key());
        let targets = match fanout {
            Fanout::AllChannels => &r.targets[..],
            Fanout::FirstChannel => &r.targets[..1],
        };
        rows.extend(targets.iter().map(|t| new_page(Some(a.id), r, t, reason, &message_key, &body, now)));
        out.paged.paged.push(r.name.clone());
    }
    out.pages = rows.len();
    (rows, out)
}

/// Enqueues a message about no assignment (a duty hand-over) to a person's
/// first active channel; the others are fallbacks. Returns how many pages
/// were written: none when the person has no active channel.
pub(super) async fn enqueue_to_person<C: ConnectionTrait>(
    conn: &C,
    p: &person::Model,
    reason: PageReason,
    message_key: &str,
    body: &PageBody,
    now: DateTime<Utc>,
) -> StoreResult<usize> {
    let first = channel::Entity::find()
        .filter(channel::Column::PersonId.eq(p.id))
        .filter(channel::Column::Status.eq(ChannelStatus::Active))
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
pub(super) async fn insert_page<C: ConnectionTrait>(
    conn: &C,
    assignment_id: Option<i64>,
    r: &Recipient,
    t: &Target,
    reason: PageReason,
    message_key: &str,
    body: &PageBody,
    now: DateTime<Utc>,
) -> StoreResult<page::Model> {
    Ok(new_page(assignment_id, r, t, reason, message_key, body, now).insert(conn).await?)
}

/// A queued page's row, due now.
fn new_page(
    assignment_id: Option<i64>,
    r: &Recipient,
    t: &Target,
    reason: PageReason,
    message_key: &str,
    body: &PageBody,
    now: DateTime<Utc>,
) -> page::ActiveModel {
    let channel_part = t.channel_id.map_or_else(|| "direct".to_owned(), |c| format!("c{c}"));
    page::ActiveModel {
        assignment_id: Set(assignment_id),
        person_id: Set(r.person_id),
        bureau_contact_id: Set(r.contact_id),
        unit_channel_id: Set(r.group_id),
        channel_id: Set(t.channel_id),
        channel_kind: Set(t.kind),
        address: Set(t.address.clone()),
        recipient: Set(r.name.clone()),
        reason: Set(reason),
        message_key: Set(message_key.to_owned()),
        body: Set(body.clone().into()),
        idempotency_key: Set(format!("{message_key}:{channel_part}")),
        status: Set(DeliveryStatus::Queued),
        attempts: Set(0),
        next_attempt_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// What a page about `a` says, its notice and unit read in `conn`.
pub(super) async fn context<C: ConnectionTrait>(
    conn: &C,
    a: &assignment::Model,
    reason: PageReason,
    failed_recipient: Option<String>,
    now: DateTime<Utc>,
) -> StoreResult<PageContext> {
    let n =
        notice::Entity::find_by_id(a.notice_id).one(conn).await?.ok_or(StoreError::not_found("notice", a.notice_id))?;
    let u = unit::Entity::find_by_id(a.unit_id).one(conn).await?.ok_or(StoreError::not_found("unit", a.unit_id))?;
    let mut context = context_of(&n, &u.name, a, reason, now);
    context.failed_recipient = failed_recipient;
    Ok(context)
}

/// What a page about `a` of notice `n` to unit `unit_name` says.
pub(super) fn context_of(
    n: &notice::Model,
    unit_name: &str,
    a: &assignment::Model,
    reason: PageReason,
    now: DateTime<Utc>,
) -> PageContext {
    PageContext {
        reason,
        assignment_id: a.id,
        notice_id: n.id,
        title: n.title.clone(),
        category: n.category,
        severity: n.severity,
        target_name: n.target_name.clone(),
        site_address: n.site_address.clone(),
        unit_name: unit_name.to_owned(),
        notified_at: a.notified_at,
        deadline_at: a.deadline_at,
        promised_secs: a.policy.deadline_secs,
        now,
        failed_recipient: None,
    }
}

impl Store {
    /// Every page about an assignment, oldest first.
    pub async fn pages(&self, scope: Scope, assignment_id: i64) -> StoreResult<Vec<Page>> {
        self.assignment(scope, assignment_id).await?;
        let rows = page::Entity::find()
            .filter(page::Column::AssignmentId.eq(assignment_id))
            .order_by_asc(page::Column::Id)
            .all(self.db())
            .await?;
        Ok(records::all(rows))
    }

    /// The latest pages to people, newest first, within `scope` (a unit's
    /// reader sees its own people's): what the demo inbox shows.
    pub async fn latest_pages(&self, scope: Scope, limit: u64) -> StoreResult<Vec<Page>> {
        let mut q = page::Entity::find().filter(page::Column::PersonId.is_not_null());
        if let Scope::Unit(u) = scope {
            let people =
                person::Entity::find().select_only().column(person::Column::Id).filter(person::Column::UnitId.eq(u));
            q = q.filter(page::Column::PersonId.in_subquery(people.into_query()));
        }
        let rows = q.order_by_desc(page::Column::Id).limit(limit).all(self.reader()).await?;
        Ok(records::all(rows))
    }
}

/// Cancels pages not yet sent for an assignment (it was stood down).
pub async fn cancel_queued<C: ConnectionTrait>(conn: &C, assignment_id: i64, now: DateTime<Utc>) -> StoreResult<u64> {
    let res = page::Entity::update_many()
        .set(page::ActiveModel { status: Set(DeliveryStatus::Cancelled), updated_at: Set(now), ..Default::default() })
        .filter(page::Column::AssignmentId.eq(assignment_id))
        .filter(page::Column::Status.eq(DeliveryStatus::Queued))
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}
