//! The numbers SMS pages carry for their reply codes (`1A`, `1S`…): one per
//! phone channel and assignment, unique on the channel while it is used.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("sms_reply_codes")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(big_integer("channel_id"))
                .col(integer("number"))
                .col(big_integer("assignment_id"))
                .col(timestamp_with_time_zone("issued_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("sms_reply_codes", "channel_id")
                        .to("channels", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("sms_reply_codes", "assignment_id")
                        .to("assignments", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("sms_reply_codes_channel_number")
                .table("sms_reply_codes")
                .col("channel_id")
                .col("number")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("sms_reply_codes_channel_assignment")
                .table("sms_reply_codes")
                .col("channel_id")
                .col("assignment_id")
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("sms_reply_codes").to_owned()).await
    }
}
