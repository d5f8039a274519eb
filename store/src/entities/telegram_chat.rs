//! `telegram_chats` table.

use sea_orm::entity::prelude::*;

use crate::domain::labels::Lang;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "telegram_chats")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub chat_id: String,
    pub person_id: Option<i64>,
    pub lang: Lang,
    pub awaiting_location_for: Option<i64>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
