//! What a unit was told about its credentials: once per credential and
//! step (lapsing soon, lapsed), so a second pass or instance never repeats it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("credential_notices")
                .col(big_pk_auto("id"))
                .col(big_integer("credential_id"))
                .col(string("step"))
                .col(timestamp_with_time_zone("sent_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_credential_notices_once")
                .table("credential_notices")
                .col("credential_id")
                .col("step")
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("credential_notices").to_owned()).await
    }
}
