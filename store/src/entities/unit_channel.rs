//! `unit_channels` table.

use sea_orm::entity::prelude::*;

use crate::domain::people::ChannelKind;
use crate::domain::people::ChannelStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "unit_channels")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub kind: ChannelKind,
    pub address: String,
    pub status: ChannelStatus,
    pub status_reason: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
