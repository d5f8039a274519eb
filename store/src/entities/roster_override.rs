//! `roster_overrides` table: someone else on duty for a stretch.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "roster_overrides")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub roster_id: i64,
    pub person_id: i64,
    pub from_at: DateTimeUtc,
    pub until_at: DateTimeUtc,
    pub reason: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
