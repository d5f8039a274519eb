//! Why a page was not delivered, as a code the reader's language can name
//! (`no_sender`, `rejected`, `unavailable`, `exhausted`), beside the
//! provider's own words in `last_error`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("pages").add_column(string_null("last_error_code")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("pages").drop_column("last_error_code").to_owned()).await
    }
}
