//! `audit_log` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Absent until sealed.
    pub seq: Option<i64>,
    pub at: DateTimeUtc,
    pub source: String,
    pub actor: String,
    pub user_id: Option<i64>,
    pub person_id: Option<i64>,
    pub address: Option<String>,
    pub action: String,
    pub subject: String,
    pub data: Option<String>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
    /// The service's MAC over the entry as written; a row without a valid
    /// one was not written by onsite and is never sealed.
    pub entry_mac: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
