//! The units' threat reports (威胁信息报告): batches of findings, each with
//! its indicators indexed by value so the same one reported by two units is
//! found; and one timeline table for every reviewed report (the special
//! reports' steps move into it).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("threat_reports")
                .col(big_pk_auto("id"))
                .col(big_integer("unit_id"))
                .col(string("title"))
                .col(string("status"))
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
            Index::create().name("idx_threat_reports_unit").table("threat_reports").col("unit_id").to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("threat_findings")
                .col(big_pk_auto("id"))
                .col(big_integer("report_id"))
                .col(big_integer("unit_id"))
                .col(string("kind"))
                .col(string("name"))
                .col(timestamp_with_time_zone("found_at"))
                .col(text("description"))
                .col(big_integer_null("enterprise_id"))
                .col(text("other_target"))
                .col(text("five_tuples"))
                .col(text("propagation_path"))
                .col(text("c2_addresses"))
                .col(text("hashes"))
                .col(text("disposal_advice"))
                .col(string("stix_seed"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        for col in ["report_id", "found_at", "enterprise_id"] {
            m.create_index(
                Index::create().name(format!("idx_threat_findings_{col}")).table("threat_findings").col(col).to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("threat_indicators")
                .col(big_pk_auto("id"))
                .col(big_integer("finding_id"))
                .col(big_integer("report_id"))
                .col(big_integer("unit_id"))
                .col(string("kind"))
                .col(string("value"))
                .to_owned(),
        )
        .await?;
        for col in ["value", "finding_id"] {
            m.create_index(
                Index::create()
                    .name(format!("idx_threat_indicators_{col}"))
                    .table("threat_indicators")
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_index(Index::drop().name("idx_special_report_events_report").table("special_report_events").to_owned())
            .await?;
        m.rename_table(Table::rename().table("special_report_events", "review_events").to_owned()).await?;
        m.alter_table(
            Table::alter().table("review_events").add_column(string("subject").default("special_report")).to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_review_events_subject_report")
                .table("review_events")
                .col("subject")
                .col("report_id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("idx_review_events_subject_report").table("review_events").to_owned()).await?;
        m.alter_table(Table::alter().table("review_events").drop_column("subject").to_owned()).await?;
        m.rename_table(Table::rename().table("review_events", "special_report_events").to_owned()).await?;
        m.create_index(
            Index::create()
                .name("idx_special_report_events_report")
                .table("special_report_events")
                .col("report_id")
                .to_owned(),
        )
        .await?;
        for table in ["threat_indicators", "threat_findings", "threat_reports"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
