//! Pages by address and time: how many calls rang one number lately (the
//! voice channel's per-number limit) is read at every call.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("idx_pages_address_sent")
                .table("pages")
                .col("address")
                .col("sent_at")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("idx_pages_address_sent").table("pages").to_owned()).await
    }
}
