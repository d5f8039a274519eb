//! `unit_profiles` table: a unit's statutory facts and contacts.

use sea_orm::entity::prelude::*;

use crate::domain::profile::Contact;
use crate::json_text::JsonText;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "unit_profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: i64,
    pub registered_capital: Option<String>,
    pub legal_representative: Option<String>,
    pub founded_on: Option<Date>,
    pub business_term: Option<String>,
    pub business_scope: Option<String>,
    pub registration_authority: Option<String>,
    pub contacts: JsonText<Vec<Contact>>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
