//! Protection periods, continued: each assignment remembers the period whose
//! policy it took (so reports can be filtered by period), and the
//! pre-event screening checklist (an enterprise to screen remotely or to
//! spot-check on site, assigned to a unit, with its result).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table("assignments").add_column(big_integer_null("protection_period_id")).to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_assignments_protection_period")
                .table("assignments")
                .col("protection_period_id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("screening_tasks")
                .col(big_pk_auto("id"))
                .col(big_integer("protection_period_id"))
                .col(big_integer("unit_id"))
                .col(string("enterprise"))
                .col(string("target"))
                .col(string("kind"))
                .col(timestamp_with_time_zone_null("due_at"))
                .col(string("status"))
                .col(string_null("outcome"))
                .col(text_null("findings"))
                .col(timestamp_with_time_zone_null("done_at"))
                .col(string_null("done_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_screening_tasks_period_unit")
                .table("screening_tasks")
                .col("protection_period_id")
                .col("unit_id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("screening_tasks").to_owned()).await?;
        m.drop_index(Index::drop().name("idx_assignments_protection_period").table("assignments").to_owned()).await?;
        m.alter_table(Table::alter().table("assignments").drop_column("protection_period_id").to_owned()).await
    }
}
