//! `units` table.

use sea_orm::entity::prelude::*;

use crate::domain::policy::PolicyOverride;
use crate::json_text::JsonText;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "units")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub credit_code: Option<String>,
    pub hq_address: Option<String>,
    pub policy_override: Option<JsonText<PolicyOverride>>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
