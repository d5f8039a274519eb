//! `people` table.

use sea_orm::entity::prelude::*;

use crate::domain::access::{Caller, PersonCaller, Source};
use crate::domain::people::Role;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "people")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub branch_id: Option<i64>,
    pub name: String,
    pub phone: Option<String>,
    pub role: Role,
    pub title: Option<String>,
    pub office_phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Joined when a page's recipients are read with their channels.
    #[sea_orm(has_many = "super::channel::Entity")]
    Channel,
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// This person acting from one of their channels, through `source`.
    pub fn caller(&self, source: Source) -> Caller {
        Caller::Person(PersonCaller { person_id: self.id, name: self.name.clone(), unit_id: self.unit_id, source })
    }
}
