//! Work reports (汇报): one per unit and month, and the follow-ups sent
//! for a month not yet reported (one row per unit, month and step, so a
//! second pass or a second instance never sends one twice).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("work_reports")
                .col(big_pk_auto("id"))
                .col(big_integer("unit_id"))
                .col(string("month"))
                .col(text("work_done"))
                .col(text("problems"))
                .col(text("next_plans"))
                .col(string("status"))
                .col(timestamp_with_time_zone_null("submitted_at"))
                .col(string_null("submitted_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_work_reports_unit_month")
                .table("work_reports")
                .col("unit_id")
                .col("month")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_work_reports_month").table("work_reports").col("month").to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("work_report_notices")
                .col(big_pk_auto("id"))
                .col(big_integer("unit_id"))
                .col(string("month"))
                .col(string("step"))
                .col(timestamp_with_time_zone("sent_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_work_report_notices_once")
                .table("work_report_notices")
                .col("unit_id")
                .col("month")
                .col("step")
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["work_report_notices", "work_reports"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
