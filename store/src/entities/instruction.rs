//! `instructions` table: what the bureau passed on, to whom, and by when
//! each unit must confirm reading it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "instructions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub body: String,
    pub all_units: bool,
    pub confirm_by: DateTimeUtc,
    pub issued_at: DateTimeUtc,
    pub issued_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
