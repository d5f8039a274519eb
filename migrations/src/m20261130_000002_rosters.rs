//! Duty rosters: one rotation per branch (`rosters`: the zone its hand-over
//! time is read in, the local date of the first shift, the hand-over time,
//! the shift length in days, and the members in order as a JSON array of
//! person ids) and its overrides (`roster_overrides`: someone else on duty
//! from one instant until another, with why).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("rosters")
                .col(big_pk_auto("id"))
                .col(big_integer("branch_id").unique_key())
                .col(string("zone"))
                .col(string("starts_on"))
                .col(string("handover"))
                .col(integer("shift_days"))
                .col(text("members"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(ForeignKey::create().from("rosters", "branch_id").to("branches", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("roster_overrides")
                .col(big_pk_auto("id"))
                .col(big_integer("roster_id"))
                .col(big_integer("person_id"))
                .col(timestamp_with_time_zone("from_at"))
                .col(timestamp_with_time_zone("until_at"))
                .col(string("reason"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("roster_overrides", "roster_id").to("rosters", "id"))
                .foreign_key(ForeignKey::create().from("roster_overrides", "person_id").to("people", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_roster_overrides_roster_until")
                .table("roster_overrides")
                .col("roster_id")
                .col("until_at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("roster_overrides").to_owned()).await?;
        m.drop_table(Table::drop().table("rosters").to_owned()).await
    }
}
