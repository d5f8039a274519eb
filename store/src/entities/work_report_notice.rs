//! `work_report_notices` table: a follow-up sent to a unit for a month it
//! had not reported, once.

use sea_orm::entity::prelude::*;

use crate::domain::work_report::WorkReportStep;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "work_report_notices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub month: String,
    pub step: WorkReportStep,
    pub sent_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
