//! Whom a page reaches: a unit's people in a role with their active channels
//! in fallback order (read once per page, or once for a batch of dispatches,
//! whatever its audiences), its duty group chats, and the bureau's contacts.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, IntoCondition};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DynIden, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
};

use super::StoreResult;
use super::duty::Duty;
use super::entities::{bureau_contact, channel, person, unit_channel};
use crate::domain::escalation::{Audience, Whom};
use crate::domain::people::{BureauRole, ChannelKind, ChannelStatus, Role};

/// How a unit's duty group chat is named among recipients.
pub const DUTY_GROUP: &str = "值班群";

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
pub(super) fn person_key(id: i64) -> String {
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

/// A person of the unit as an audience sees them.
struct Member {
    role: Role,
    branch_id: Option<i64>,
    recipient: Recipient,
}

/// A unit's active people with their active channels, and its active duty
/// group chats: everything a page's unit audiences choose from (a unit
/// with neither has the default, empty staff).
#[derive(Default)]
pub(super) struct Staff {
    members: Vec<Member>,
    groups: Vec<Recipient>,
}

impl Staff {
    /// The staff of each of `unit_ids`, read only when some audience is the
    /// unit's (its group chats only when the engineers are): two queries
    /// however many units.
    pub(super) async fn of_units<C: ConnectionTrait>(
        conn: &C,
        unit_ids: &[i64],
        audiences: &[Audience],
    ) -> StoreResult<HashMap<i64, Self>> {
        let mut staff: HashMap<i64, Self> = HashMap::new();
        if unit_ids.is_empty() || !audiences.iter().any(|a| matches!(a.whom(), Whom::Unit(_))) {
            return Ok(staff);
        }
        let active = |_: DynIden, channels: DynIden| {
            Expr::col((channels, channel::Column::Status)).eq(ChannelStatus::Active).into_condition()
        };
        let rows = person::Entity::find()
            .filter(person::Column::UnitId.is_in(unit_ids.to_vec()))
            .filter(person::Column::Active.eq(true))
            .join(JoinType::LeftJoin, person::Relation::Channel.def().on_condition(active))
            .select_also(channel::Entity)
            .order_by_asc(person::Column::Id)
            .order_by_asc(channel::Column::Priority)
            .all(conn)
            .await?;
        for (p, c) in rows {
            let members = &mut staff.entry(p.unit_id).or_default().members;
            if members.last().is_none_or(|m| m.recipient.person_id != Some(p.id)) {
                let recipient = Recipient {
                    person_id: Some(p.id),
                    contact_id: None,
                    group_id: None,
                    name: p.name,
                    targets: vec![],
                };
                members.push(Member { role: p.role, branch_id: p.branch_id, recipient });
            }
            if let (Some(c), Some(m)) = (c, members.last_mut()) {
                m.recipient.targets.push(Target { channel_id: Some(c.id), kind: c.kind, address: c.address });
            }
        }
        if audiences.contains(&Audience::Engineers) {
            let groups = unit_channel::Entity::find()
                .filter(unit_channel::Column::UnitId.is_in(unit_ids.to_vec()))
                .filter(unit_channel::Column::Status.eq(ChannelStatus::Active))
                .order_by_asc(unit_channel::Column::Id)
                .all(conn)
                .await?;
            for g in groups {
                staff.entry(g.unit_id).or_default().groups.push(Recipient {
                    person_id: None,
                    contact_id: None,
                    group_id: Some(g.id),
                    name: DUTY_GROUP.to_owned(),
                    targets: vec![Target { channel_id: None, kind: g.kind, address: g.address }],
                });
            }
        }
        Ok(staff)
    }

    /// Who of the unit is paged as `role` under `duty`, for an assignment
    /// at `branch` (all branches when none).
    pub(super) fn paged(&self, role: Role, duty: Duty, branch: Option<i64>) -> Vec<Recipient> {
        let chosen = |m: &Member| match (role, duty) {
            // The person on duty, whatever their role or branch in the unit.
            (Role::Engineer, Duty::Person(on_duty)) => m.recipient.person_id == Some(on_duty),
            // Nobody on duty: no engineer is paged (the duty group still is).
            (Role::Engineer, Duty::Gap) => false,
            (Role::Engineer, Duty::Everyone) => m.role == role && branch.is_none_or(|b| m.branch_id == Some(b)),
            _ => m.role == role,
        };
        let mut out: Vec<Recipient> = self.members.iter().filter(|m| chosen(m)).map(|m| m.recipient.clone()).collect();
        if role == Role::Engineer {
            // The unit's duty group sees what its engineers are paged with.
            out.extend(self.groups.iter().cloned());
        }
        out
    }
}

/// The bureau's active contacts in `role`.
pub(super) async fn bureau_contacts<C: ConnectionTrait>(conn: &C, role: BureauRole) -> StoreResult<Vec<Recipient>> {
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
