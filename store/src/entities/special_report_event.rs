//! `special_report_events` table: a special report's own timeline.

use sea_orm::entity::prelude::*;

use crate::domain::access::Source;
use crate::domain::special_report::SpecialReportStep;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "special_report_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub report_id: i64,
    pub kind: SpecialReportStep,
    pub at: DateTimeUtc,
    pub actor: String,
    pub source: Source,
    pub comment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
