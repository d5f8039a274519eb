//! `review_events` table: each reviewed report's own timeline (special and
//! threat reports), told apart by `subject`.

use sea_orm::entity::prelude::*;

use crate::domain::access::Source;
use crate::domain::review::{ReviewStep, Reviewed};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "review_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub subject: Reviewed,
    pub report_id: i64,
    pub kind: ReviewStep,
    pub at: DateTimeUtc,
    pub actor: String,
    pub source: Source,
    pub comment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
