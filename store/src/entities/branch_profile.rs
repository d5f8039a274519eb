//! `branch_profiles` table: a branch's line of the application form.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "branch_profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub branch_id: i64,
    pub unit_id: i64,
    pub floor_area: Option<String>,
    pub staff_count: Option<i32>,
    pub security_lead: Option<String>,
    pub security_lead_mobile: Option<String>,
    pub commitment_signed_on: Option<Date>,
    pub commitment_signatory: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
