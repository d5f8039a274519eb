//! What a provider later reports of a sent page (delivered, read, call
//! answered) and when, beside its status; and the voice and Feishu app
//! pages by the provider's id, which is how their reports name a page (a
//! call's id, a message read). One partial index per kind, which a query's
//! `channel_kind = ?` matches on SQLite too (`IN (…)` would not): with every
//! page that has a provider's id in one index, the first page on PostgreSQL
//! read slower in the benchmark (BENCHMARKS.md, session 14).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The pages whose provider's id a report names, by channel kind.
const INDEXES: [(&str, &str); 2] = [("idx_pages_voice_call", "voice"), ("idx_pages_feishu_message", "feishu_app")];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("pages").add_column(string_null("receipt")).to_owned()).await?;
        m.alter_table(Table::alter().table("pages").add_column(timestamp_with_time_zone_null("receipt_at")).to_owned())
            .await?;
        for (name, kind) in INDEXES {
            let sql = format!(
                "CREATE INDEX IF NOT EXISTS {name} ON pages (provider_message_id) WHERE channel_kind = '{kind}'"
            );
            m.get_connection().execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            m.get_connection().execute_unprepared(&format!("DROP INDEX IF EXISTS {name}")).await?;
        }
        m.alter_table(Table::alter().table("pages").drop_column("receipt_at").to_owned()).await?;
        m.alter_table(Table::alter().table("pages").drop_column("receipt").to_owned()).await
    }
}
