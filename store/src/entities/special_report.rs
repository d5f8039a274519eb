//! `special_reports` table: the units' special reports (专项报告).

use sea_orm::entity::prelude::*;

use crate::domain::notice::{Category, Severity};
use crate::domain::review::ReviewStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "special_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub title: String,
    pub status: ReviewStatus,
    pub category: Category,
    pub severity: Severity,
    pub event_time: Option<DateTimeUtc>,
    pub description: String,
    pub cause: String,
    pub impact: String,
    pub countermeasures: String,
    pub analysis: String,
    pub other_targets: String,
    pub notice_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub submitted_at: Option<DateTimeUtc>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub reviewed_by: Option<i64>,
    pub review_comment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
