//! What a provider later reports of a sent page (delivered, read, call
//! answered) and when, beside its status; and the pages by the provider's
//! id for them, which is how a report names its page. Partial, so that a
//! page not yet sent pays nothing for it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("pages").add_column(string_null("receipt")).to_owned()).await?;
        m.alter_table(Table::alter().table("pages").add_column(timestamp_with_time_zone_null("receipt_at")).to_owned())
            .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS idx_pages_provider_message ON pages (provider_message_id) \
                 WHERE provider_message_id IS NOT NULL",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection().execute_unprepared("DROP INDEX IF EXISTS idx_pages_provider_message").await?;
        m.alter_table(Table::alter().table("pages").drop_column("receipt_at").to_owned()).await?;
        m.alter_table(Table::alter().table("pages").drop_column("receipt").to_owned()).await
    }
}
