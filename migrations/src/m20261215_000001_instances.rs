//! Several instances on one database: a page being sent names the instance
//! that claimed it (so a survivor can take a dead instance's pages back at
//! once instead of waiting out the lease), and the rate limits every
//! instance must keep together (Telegram's, each address's) are logged in
//! one table.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("pages").add_column(big_integer_null("claimed_by")).to_owned()).await?;
        m.create_table(
            Table::create()
                .table("rate_limits")
                .col(string("key").primary_key())
                .col(text("uses"))
                .col(timestamp_with_time_zone("last_used_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("rate_limits_last_used_at").table("rate_limits").col("last_used_at").to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("rate_limits").to_owned()).await?;
        m.alter_table(Table::alter().table("pages").drop_column("claimed_by").to_owned()).await
    }
}
