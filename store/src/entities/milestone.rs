//! `milestones` table.

use sea_orm::entity::prelude::*;

use crate::domain::access::Source;
use crate::domain::assignment::Milestone;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "milestones")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub assignment_id: i64,
    pub kind: Milestone,
    pub reached_at: DateTimeUtc,
    pub recorded_at: DateTimeUtc,
    pub source: Source,
    pub actor: String,
    pub user_id: Option<i64>,
    pub person_id: Option<i64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub distance_m: Option<f64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
