//! `report_cells` table.

use sea_orm::entity::prelude::*;

use crate::domain::notice::{Category, Severity};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "report_cells")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub month: String,
    pub unit_id: i64,
    /// 0 for assignments dispatched to the unit as a whole.
    pub branch_id: i64,
    pub category: Category,
    pub severity: Severity,
    pub tally: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
