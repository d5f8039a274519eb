//! `protection_periods` table: major-event protection windows.

use sea_orm::entity::prelude::*;

use crate::domain::policy::PolicyOverride;
use crate::json_text::JsonText;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "protection_periods")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// Empty for every unit.
    pub unit_ids: JsonText<Vec<i64>>,
    pub policy_override: JsonText<PolicyOverride>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
