//! The units' other duties, first part: the registry of detection objects
//! (检测对象), which notices and screening tasks may name as their target,
//! and the units' special reports (专项报告) with the objects they concern
//! and their own timeline.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("enterprises")
                .col(big_pk_auto("id"))
                .col(string_uniq("name"))
                .col(string_null("credit_code"))
                .col(string("kind"))
                .col(string("businesses"))
                .col(string_null("address"))
                .col(double_null("lat"))
                .col(double_null("lon"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        for table in ["notices", "screening_tasks"] {
            m.alter_table(Table::alter().table(table).add_column(big_integer_null("enterprise_id")).to_owned()).await?;
            m.create_index(
                Index::create().name(format!("idx_{table}_enterprise")).table(table).col("enterprise_id").to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("special_reports")
                .col(big_pk_auto("id"))
                .col(big_integer("unit_id"))
                .col(string("title"))
                .col(string("status"))
                .col(string("category"))
                .col(string("severity"))
                .col(timestamp_with_time_zone_null("event_time"))
                .col(text("description"))
                .col(text("cause"))
                .col(text("impact"))
                .col(text("countermeasures"))
                .col(text("analysis"))
                .col(text("other_targets"))
                .col(big_integer_null("notice_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("submitted_at"))
                .col(timestamp_with_time_zone_null("reviewed_at"))
                .col(big_integer_null("reviewed_by"))
                .col(text_null("review_comment"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_special_reports_unit").table("special_reports").col("unit_id").to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_special_reports_notice").table("special_reports").col("notice_id").to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("special_report_targets")
                .col(big_integer("report_id"))
                .col(big_integer("enterprise_id"))
                .primary_key(Index::create().col("report_id").col("enterprise_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_special_report_targets_enterprise")
                .table("special_report_targets")
                .col("enterprise_id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("special_report_events")
                .col(big_pk_auto("id"))
                .col(big_integer("report_id"))
                .col(string("kind"))
                .col(timestamp_with_time_zone("at"))
                .col(string("actor"))
                .col(string("source"))
                .col(text_null("comment"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_special_report_events_report")
                .table("special_report_events")
                .col("report_id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["special_report_events", "special_report_targets", "special_reports"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        for table in ["notices", "screening_tasks"] {
            m.drop_index(Index::drop().name(format!("idx_{table}_enterprise")).table(table).to_owned()).await?;
            m.alter_table(Table::alter().table(table).drop_column("enterprise_id").to_owned()).await?;
        }
        m.drop_table(Table::drop().table("enterprises").to_owned()).await
    }
}
