//! The entries still waiting for the sealer, found without walking the
//! sealed log: a partial index on `id` of the rows whose `seq` is null. The
//! sealer asks for the oldest of them every few seconds; without it that
//! question scanned every entry ever sealed.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("CREATE INDEX idx_audit_log_unsealed ON audit_log (id) WHERE seq IS NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("idx_audit_log_unsealed").table("audit_log").to_owned()).await
    }
}
