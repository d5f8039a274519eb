//! `instruction_receipts` table: one unit's receipt of an instruction;
//! `next_due_at` is when the engine follows it up (none once confirmed or
//! escalated).

use sea_orm::entity::prelude::*;

use crate::domain::access::Source;
use crate::json_text::JsonText;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "instruction_receipts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub instruction_id: i64,
    pub unit_id: i64,
    pub delivered_to: JsonText<Vec<String>>,
    pub confirmed_at: Option<DateTimeUtc>,
    pub confirmed_by: Option<String>,
    pub confirmed_via: Option<Source>,
    pub reminded_at: Option<DateTimeUtc>,
    pub escalated_at: Option<DateTimeUtc>,
    pub next_due_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
