//! `credentials` table: a unit's qualifications and staff certificates.

use sea_orm::entity::prelude::*;

use crate::domain::profile::credential::CredentialKind;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "credentials")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub kind: CredentialKind,
    pub name: String,
    pub holder: Option<String>,
    pub number: Option<String>,
    pub issuer: Option<String>,
    pub valid_until: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
