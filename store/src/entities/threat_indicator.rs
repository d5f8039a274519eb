//! `threat_indicators` table: each finding's indicators in canonical form,
//! indexed by value to find the same one reported by another unit.

use sea_orm::entity::prelude::*;

use crate::domain::threat::indicator::IndicatorKind;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "threat_indicators")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub finding_id: i64,
    pub report_id: i64,
    pub unit_id: i64,
    pub kind: IndicatorKind,
    pub value: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
