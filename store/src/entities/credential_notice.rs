//! `credential_notices` table: a unit told once that a credential lapses
//! soon, and once that it lapsed.

use sea_orm::entity::prelude::*;

use crate::domain::profile::credential::CredentialStep;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "credential_notices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub credential_id: i64,
    pub step: CredentialStep,
    pub sent_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
