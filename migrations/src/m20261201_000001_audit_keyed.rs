//! The keyed audit chain: each entry carries the MAC the service wrote it
//! with (`entry_mac`), so a row inserted around the service is never sealed
//! as genuine; the head carries the MAC of its own values and the sequence
//! number from which the chain is keyed (`keyed_from`; the entries sealed
//! before it keep their plain SHA-256 chain).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("audit_log").add_column(string_null("entry_mac")).to_owned()).await?;
        m.alter_table(Table::alter().table("audit_head").add_column(big_integer("keyed_from").default(0)).to_owned())
            .await?;
        m.alter_table(Table::alter().table("audit_head").add_column(string_null("mac")).to_owned()).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("audit_head").drop_column("mac").to_owned()).await?;
        m.alter_table(Table::alter().table("audit_head").drop_column("keyed_from").to_owned()).await?;
        m.alter_table(Table::alter().table("audit_log").drop_column("entry_mac").to_owned()).await
    }
}
