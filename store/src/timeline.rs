//! The append-only timeline of each assignment: everything that happened, when,
//! by whom and through which door (web, api, bot, system).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::audit_key::AuditKey;
use super::entities::{audit_entry, timeline_event};
use super::json_text::JsonText;
use super::{Store, StoreError, StoreResult};
use crate::domain::access::{By, Scope};
use crate::domain::event::{BureauEvent, EventKind};
use crate::domain::record::TimelineEvent;
use crate::domain::timeline::EventData;
use crate::records;

/// One event to append.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub assignment_id: i64,
    pub notice_id: i64,
    pub kind: EventKind,
    /// When it happened (a milestone may be reported after the fact).
    pub at: DateTime<Utc>,
    pub by: &'a By,
    pub note: Option<String>,
    pub data: Option<EventData>,
}

/// The people who declined an assignment ("page someone else"): its
/// escalation pages them no more.
pub async fn declined_by<C: ConnectionTrait>(conn: &C, assignment_id: i64) -> StoreResult<Vec<i64>> {
    let declined = EventKind::Other(BureauEvent::Declined);
    let events = timeline_event::Entity::find()
        .filter(timeline_event::Column::AssignmentId.eq(assignment_id))
        .filter(timeline_event::Column::Kind.eq(declined))
        .all(conn)
        .await?;
    Ok(events.into_iter().filter_map(|e| e.person_id).collect())
}

/// Appends an event inside the caller's transaction.
pub async fn append<C: ConnectionTrait>(
    conn: &C,
    key: &AuditKey,
    event: NewEvent<'_>,
    now: DateTime<Utc>,
) -> StoreResult<timeline_event::Model> {
    let (audit, event) = rows(key, event, now)?;
    audit_entry::Entity::insert(audit).exec_without_returning(conn).await?;
    Ok(event.insert(conn).await?)
}

/// An event's row and its audit entry's (for writers that insert many
/// events in one statement).
pub(super) fn rows(
    key: &AuditKey,
    event: NewEvent<'_>,
    now: DateTime<Utc>,
) -> StoreResult<(audit_entry::ActiveModel, timeline_event::ActiveModel)> {
    let mut audit = super::audit::Audit::new(
        event.by,
        format!("assignment.{}", event.kind),
        format!("assignment:{}", event.assignment_id),
    );
    let detail: Vec<(&str, serde_json::Value)> = [
        ("at", Some(serde_json::json!(event.at))),
        ("note", event.note.clone().map(Into::into)),
        (
            "data",
            event
                .data
                .as_ref()
                .map(serde_json::to_value)
                .transpose()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        ),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    audit = audit.with(serde_json::Value::Object(detail.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()));
    let audit = super::audit::row(key, audit, now);
    let event = timeline_event::ActiveModel {
        assignment_id: Set(event.assignment_id),
        notice_id: Set(event.notice_id),
        kind: Set(event.kind),
        at: Set(event.at),
        recorded_at: Set(now),
        source: Set(event.by.source),
        actor: Set(event.by.label.clone()),
        user_id: Set(event.by.user_id),
        person_id: Set(event.by.person_id),
        note: Set(event.note),
        data: Set(event.data.map(JsonText)),
        ..Default::default()
    };
    Ok((audit, event))
}

impl Store {
    /// Every event of an assignment, oldest first (in recording order).
    pub async fn timeline(&self, scope: Scope, assignment_id: i64) -> StoreResult<Vec<TimelineEvent>> {
        self.assignment(scope, assignment_id).await?;
        let rows = timeline_event::Entity::find()
            .filter(timeline_event::Column::AssignmentId.eq(assignment_id))
            .order_by_asc(timeline_event::Column::Id)
            .all(self.db())
            .await?;
        Ok(records::all(rows))
    }
}
