//! Voice pages by number and time: how many calls rang one number lately
//! (the voice channel's per-number limit) is read at every call. Partial,
//! so that no other page pays for it on insert and update.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS idx_pages_voice_sent ON pages (address, sent_at) \
                 WHERE channel_kind = 'voice'",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection().execute_unprepared("DROP INDEX IF EXISTS idx_pages_voice_sent").await.map(|_| ())
    }
}
