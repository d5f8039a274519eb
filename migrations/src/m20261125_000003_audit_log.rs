//! The audit log: every state change and administrative action, who, what,
//! when and from where. A change's transaction only inserts its entry; a
//! sealer then gives entries their place (`seq`) and chains them by hash
//! (each hash covers the entry and the previous hash). `audit_head` holds
//! the last sequence number and hash: sealers lock it, so the chain never
//! forks, and it shows when rows at the end were deleted. Writers never
//! wait on it, so one chain does not serialise every transaction.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000003_audit_log"
    }
}

/// The hash the first row chains to.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("audit_log")
                .col(big_pk_auto("id"))
                .col(big_integer_null("seq"))
                .col(timestamp_with_time_zone("at"))
                .col(string("source"))
                .col(string("actor"))
                .col(big_integer_null("user_id"))
                .col(big_integer_null("person_id"))
                .col(string_null("address"))
                .col(string("action"))
                .col(string("subject"))
                .col(text_null("data"))
                .col(string_null("prev_hash"))
                .col(string_null("hash"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_audit_log_seq").table("audit_log").col("seq").unique().to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("audit_head")
                .col(big_integer("id").primary_key())
                .col(big_integer("seq"))
                .col(string("hash"))
                .to_owned(),
        )
        .await?;
        let head = Query::insert()
            .into_table("audit_head")
            .columns(["id", "seq", "hash"])
            .values_panic([1.into(), 0.into(), GENESIS.into()])
            .to_owned();
        m.exec_stmt(head).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("audit_head").to_owned()).await?;
        m.drop_table(Table::drop().table("audit_log").to_owned()).await
    }
}
