//! `work_reports` table: a unit's report for a month (`YYYY-MM`).

use sea_orm::entity::prelude::*;

use crate::domain::work_report::WorkReportStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "work_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub month: String,
    pub work_done: String,
    pub problems: String,
    pub next_plans: String,
    pub status: WorkReportStatus,
    pub submitted_at: Option<DateTimeUtc>,
    pub submitted_by: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
