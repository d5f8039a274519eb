//! `report_breaches` table.

use sea_orm::entity::prelude::*;

use crate::code_list::CodeList;
use crate::domain::assignment::Milestone;
use crate::domain::notice::{Category, Severity};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "report_breaches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub assignment_id: i64,
    pub month: String,
    pub notice_id: i64,
    pub unit_id: i64,
    pub branch_id: Option<i64>,
    pub category: Category,
    pub severity: Severity,
    pub notified_at: DateTimeUtc,
    pub lateness_seconds: i64,
    /// The milestones missed, stored as their codes, comma-separated.
    pub milestones: CodeList<Milestone>,
    pub extended: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
