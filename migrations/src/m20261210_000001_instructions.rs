//! Instructions (工作指示) and each unit's receipt of one: who was told,
//! who confirmed and when, the follow-ups sent, and when the next is due
//! (indexed: the engine's scan).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("instructions")
                .col(big_pk_auto("id"))
                .col(string("title"))
                .col(text("body"))
                .col(boolean("all_units"))
                .col(timestamp_with_time_zone("confirm_by"))
                .col(timestamp_with_time_zone("issued_at"))
                .col(string("issued_by"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("instruction_receipts")
                .col(big_pk_auto("id"))
                .col(big_integer("instruction_id"))
                .col(big_integer("unit_id"))
                .col(text("delivered_to"))
                .col(timestamp_with_time_zone_null("confirmed_at"))
                .col(string_null("confirmed_by"))
                .col(string_null("confirmed_via"))
                .col(timestamp_with_time_zone_null("reminded_at"))
                .col(timestamp_with_time_zone_null("escalated_at"))
                .col(timestamp_with_time_zone_null("next_due_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_instruction_receipts_unit")
                .table("instruction_receipts")
                .col("instruction_id")
                .col("unit_id")
                .unique()
                .to_owned(),
        )
        .await?;
        for col in ["unit_id", "next_due_at"] {
            m.create_index(
                Index::create()
                    .name(format!("idx_instruction_receipts_{col}"))
                    .table("instruction_receipts")
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["instruction_receipts", "instructions"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
