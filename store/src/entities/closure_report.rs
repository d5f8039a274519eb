//! `closure_reports` table.

use sea_orm::entity::prelude::*;

use crate::domain::closure::{C2Address, FiveTuple};
use crate::domain::review::ReviewStatus;
use crate::json_text::JsonText;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "closure_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub assignment_id: i64,
    pub status: ReviewStatus,
    pub event_time: Option<DateTimeUtc>,
    pub description: String,
    pub cause: String,
    pub impact: String,
    pub countermeasures: String,
    pub analysis: String,
    pub five_tuples: JsonText<Vec<FiveTuple>>,
    pub propagation_path: String,
    pub c2_addresses: JsonText<Vec<C2Address>>,
    pub disposal_recommendations: String,
    pub submitted_at: Option<DateTimeUtc>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub reviewed_by: Option<i64>,
    pub review_comment: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
