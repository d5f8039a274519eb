//! The page outbox: one row per (recipient, channel, message), written in the
//! same transaction as the change that caused it and sent later by the
//! outbox worker (`outbox.rs`). At least once: a page is marked sent only after the
//! provider accepted it; a sender that dies leaves its lease to expire and
//! the page is sent again (with the same idempotency key).

use super::rosters::{Duty, duty_of};
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};

use super::entities::{assignment, bureau_contact, channel, notice, page, person, unit, unit_channel};
use super::{Store, StoreError, StoreResult};
use crate::domain::access::Scope;
use crate::domain::escalation::{Audience, PageReason};
use crate::domain::event::DeliveryStatus;
use crate::domain::page::{PageBody, PageContext, PageWriter};
use crate::domain::people::{BureauRole, ChannelKind, ChannelStatus, Role};
use crate::domain::record::Page;
use crate::domain::timeline::Paged;
use crate::records;

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
    /// Whom, as the timeline records it.
    pub paged: Paged,
}

#[derive(Debug, Clone)]
pub(super) struct Target {
    pub(super) channel_id: Option<i64>,
    pub(super) kind: ChannelKind,
    pub(super) address: String,
}

#[derive(Debug, Clone)]
pub(super) struct Recipient {
    pub(super) person_id: Option<i64>,
    pub(super) contact_id: Option<i64>,
    /// A unit's duty group chat.
    pub(super) group_id: Option<i64>,
    pub(super) name: String,
    pub(super) targets: Vec<Target>,
}

/// A person's key among a page's recipients.
fn person_key(id: i64) -> String {
    format!("p{id}")
}

impl Recipient {
    pub(super) fn key(&self) -> String {
        match (self.person_id, self.contact_id, self.group_id) {
            (Some(p), _, _) => person_key(p),
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
    writer: &dyn PageWriter,
    a: &assignment::Model,
    reason: PageReason,
    audiences: &[Audience],
    fanout: Fanout,
    scope_key: &str,
    now: DateTime<Utc>,
) -> StoreResult<Enqueued> {
    let body = writer.page(&context(conn, a, reason, None, now).await?);
    let mut seen = HashSet::new();
    if reason != PageReason::Dispatch {
        // Whoever declined it is not paged about it again.
        seen.extend(super::timeline::declined_by(conn, a.id).await?.into_iter().map(person_key));
    }
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
        out.paged.roster_gap = true;
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
                out.paged.unreachable.push(r.name.clone());
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
            out.paged.paged.push(r.name.clone());
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
    let channel_part = t.channel_id.map_or_else(|| "direct".to_owned(), |c| format!("c{c}"));
    Ok(page::ActiveModel {
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
    .insert(conn)
    .await?)
}

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
    Ok(PageContext {
        reason,
        assignment_id: a.id,
        notice_id: n.id,
        title: n.title,
        category: n.category,
        severity: n.severity,
        target_name: n.target_name,
        site_address: n.site_address,
        unit_name: u.name,
        notified_at: a.notified_at,
        deadline_at: a.deadline_at,
        promised_secs: a.policy.deadline_secs,
        now,
        failed_recipient,
    })
}

/// The people (or bureau contacts) an audience means for this assignment,
/// each with their active channels in fallback order.
pub(super) async fn recipients<C: ConnectionTrait>(
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
        let q = person::Entity::find()
            .filter(person::Column::UnitId.eq(a.unit_id))
            .filter(person::Column::Active.eq(true))
            .order_by_asc(person::Column::Id);
        let q = match (role, duty) {
            // The person on duty, whatever their role or branch in the unit.
            (Role::Engineer, Duty::Person(on_duty)) => Some(q.filter(person::Column::Id.eq(on_duty))),
            // Nobody on duty: no engineer is paged (the duty group still is).
            (Role::Engineer, Duty::Gap) => None,
            (Role::Engineer, Duty::Everyone) => match a.branch_id {
                Some(branch) => {
                    Some(q.filter(person::Column::Role.eq(role)).filter(person::Column::BranchId.eq(branch)))
                }
                None => Some(q.filter(person::Column::Role.eq(role))),
            },
            _ => Some(q.filter(person::Column::Role.eq(role))),
        };
        let people = match q {
            Some(q) => q.all(conn).await?,
            None => Vec::new(),
        };
        let mut out = Vec::new();
        for p in people {
            let targets = channel::Entity::find()
                .filter(channel::Column::PersonId.eq(p.id))
                .filter(channel::Column::Status.eq(ChannelStatus::Active))
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
                .filter(unit_channel::Column::Status.eq(ChannelStatus::Active))
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
    let role = if audience == Audience::BureauDuty { BureauRole::DutyOfficer } else { BureauRole::Manager };
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
