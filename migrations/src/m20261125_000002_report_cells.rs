//! Maintained aggregates for SLA reports, so a year's report does not read
//! every assignment of the year.
//!
//! - `report_cells`: per local month, unit, branch (0 = the unit as a
//!   whole), category and severity, the report's tally of the *settled*
//!   assignments (closed or stood down, whose figures no longer move with
//!   the clock): its counts and every duration to the second (so medians
//!   and p90 stay exact), encoded as one blob.
//! - `report_breaches`: one row per settled breached assignment, so the
//!   breach list is read by lateness without evaluating the year.
//! - `report_meta`: which time zone the months were cut in; the service
//!   rebuilds both tables when it changes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000002_report_cells"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("report_cells")
                .col(big_pk_auto("id"))
                .col(string("month"))
                .col(big_integer("unit_id"))
                .col(big_integer("branch_id"))
                .col(string("category"))
                .col(string("severity"))
                .col(blob("tally"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_report_cells_key")
                .table("report_cells")
                .col("month")
                .col("unit_id")
                .col("branch_id")
                .col("category")
                .col("severity")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("report_breaches")
                .col(big_integer("assignment_id").primary_key())
                .col(string("month"))
                .col(big_integer("notice_id"))
                .col(big_integer("unit_id"))
                .col(big_integer_null("branch_id"))
                .col(string("category"))
                .col(string("severity"))
                .col(timestamp_with_time_zone("notified_at"))
                .col(big_integer("lateness_seconds"))
                .col(string("milestones"))
                .col(boolean("extended"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("idx_report_breaches_month", &["month", "lateness_seconds"][..]),
            ("idx_report_breaches_lateness", &["lateness_seconds"]),
        ] {
            let mut index = Index::create().name(name).table("report_breaches").to_owned();
            for c in cols {
                index.col(*c);
            }
            m.create_index(index).await?;
        }
        // A report reads the few open assignments of its months row by row:
        // found by status, not by scanning a year of closed ones.
        m.create_index(
            Index::create()
                .name("idx_assignments_status_notified")
                .table("assignments")
                .col("status")
                .col("notified_at")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create().table("report_meta").col(string("name").primary_key()).col(string("value")).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("idx_assignments_status_notified").table("assignments").to_owned()).await?;
        for t in ["report_meta", "report_breaches", "report_cells"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
