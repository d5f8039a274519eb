//! `rosters` table: a branch's duty rotation.

use sea_orm::entity::prelude::*;

use crate::json_text::JsonText;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "rosters")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub branch_id: i64,
    pub zone: String,
    /// `YYYY-MM-DD`, local to `zone`.
    pub starts_on: String,
    /// `HH:MM`, local to `zone`.
    pub handover: String,
    pub shift_days: i32,
    /// Person ids, in rotation order.
    pub members: JsonText<Vec<i64>>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
