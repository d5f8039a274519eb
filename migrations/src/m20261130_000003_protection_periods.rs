//! Major-event protection periods (重保期): a named window, the units on
//! watch (a JSON array of unit ids, empty for every unit) and the policy
//! offsets that apply to notices issued inside it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("protection_periods")
                .col(big_pk_auto("id"))
                .col(string("name"))
                .col(timestamp_with_time_zone("starts_at"))
                .col(timestamp_with_time_zone("ends_at"))
                .col(text("unit_ids"))
                .col(text("policy_override"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_protection_periods_ends").table("protection_periods").col("ends_at").to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("protection_periods").to_owned()).await
    }
}
