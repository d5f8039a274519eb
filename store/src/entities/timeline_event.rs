//! `timeline_events` table.

use sea_orm::entity::prelude::*;

use crate::domain::access::Source;
use crate::domain::event::EventKind;
use crate::domain::timeline::EventData;
use crate::json_text::JsonText;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "timeline_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub assignment_id: i64,
    pub notice_id: i64,
    pub kind: EventKind,
    pub at: DateTimeUtc,
    pub recorded_at: DateTimeUtc,
    pub source: Source,
    pub actor: String,
    pub user_id: Option<i64>,
    pub person_id: Option<i64>,
    pub note: Option<String>,
    pub data: Option<JsonText<EventData>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
