//! `enterprises` table: the registry of detection objects.

use sea_orm::entity::prelude::*;

use crate::code_list::CodeList;
use crate::domain::enterprise::Business;
use crate::domain::notice::TargetKind;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "enterprises")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub credit_code: Option<String>,
    pub kind: TargetKind,
    pub businesses: CodeList<Business>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
