//! Evidence files: one row per file attached to a record (a notice, a
//! milestone, a closure, special or threat report), naming its content by
//! SHA-256 (the object in the evidence store, shared by identical files)
//! and its thumbnail's; a photo's position from its EXIF, judged against
//! the site.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("attachments")
                .col(big_pk_auto("id"))
                .col(string("subject_kind"))
                .col(big_integer("subject_id"))
                .col(string_null("milestone"))
                .col(big_integer_null("unit_id"))
                .col(string("name"))
                .col(string("kind"))
                .col(string("content_type"))
                .col(big_integer("size"))
                .col(string_len("sha256", 64))
                .col(string_len_null("thumbnail_sha256", 64))
                .col(double_null("lat"))
                .col(double_null("lon"))
                .col(double_null("distance_m"))
                .col(boolean("far_from_site").default(false))
                .col(string("uploaded_by"))
                .col(big_integer_null("user_id"))
                .col(big_integer_null("person_id"))
                .col(string("source"))
                .col(timestamp_with_time_zone("uploaded_at"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("idx_attachments_subject", &["subject_kind", "subject_id"][..]),
            ("idx_attachments_sha256", &["sha256"][..]),
            ("idx_attachments_thumbnail", &["thumbnail_sha256"][..]),
        ] {
            let mut index = Index::create().name(name).table("attachments").to_owned();
            for c in cols {
                index.col(*c);
            }
            m.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("attachments").to_owned()).await
    }
}
