//! `timeline_events` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "timeline_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub assignment_id: i64,
    pub notice_id: i64,
    pub kind: String,
    pub at: DateTimeUtc,
    pub recorded_at: DateTimeUtc,
    pub source: String,
    pub actor: String,
    pub user_id: Option<i64>,
    pub person_id: Option<i64>,
    pub note: Option<String>,
    pub data: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
