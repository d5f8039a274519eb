//! The callbacks a chat app or a phone gateway has delivered, by door and
//! the vendor's own key of the event, so a retried callback is answered
//! without being applied twice.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("callback_receipts")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(string("door"))
                .col(string("event_key"))
                .col(timestamp_with_time_zone("received_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("callback_receipts_door_key")
                .table("callback_receipts")
                .col("door")
                .col("event_key")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("callback_receipts_received_at")
                .table("callback_receipts")
                .col("received_at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("callback_receipts").to_owned()).await
    }
}
