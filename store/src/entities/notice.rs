//! `notices` table.

use sea_orm::entity::prelude::*;

use crate::domain::notice::{Category, Severity, TargetKind};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub target_name: String,
    pub target_kind: TargetKind,
    pub enterprise_id: Option<i64>,
    pub site_address: String,
    pub site_lat: Option<f64>,
    pub site_lon: Option<f64>,
    pub description: String,
    pub requires_onsite: bool,
    pub issued_by: Option<i64>,
    pub issued_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
