//! The unit's profile as the application form has it: the statutory facts
//! and the four contacts (one row per unit), each branch's office, size,
//! staff and signed commitment (附件3), and the credentials with the days
//! they lapse.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("unit_profiles")
                .col(big_integer("unit_id").primary_key())
                .col(string_null("registered_capital"))
                .col(string_null("legal_representative"))
                .col(date_null("founded_on"))
                .col(string_null("business_term"))
                .col(text_null("business_scope"))
                .col(string_null("registration_authority"))
                .col(text("contacts"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("branch_profiles")
                .col(big_integer("branch_id").primary_key())
                .col(big_integer("unit_id"))
                .col(string_null("floor_area"))
                .col(integer_null("staff_count"))
                .col(string_null("security_lead"))
                .col(string_null("security_lead_mobile"))
                .col(date_null("commitment_signed_on"))
                .col(string_null("commitment_signatory"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_branch_profiles_unit").table("branch_profiles").col("unit_id").to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("credentials")
                .col(big_pk_auto("id"))
                .col(big_integer("unit_id"))
                .col(string("kind"))
                .col(string("name"))
                .col(string_null("holder"))
                .col(string_null("number"))
                .col(string_null("issuer"))
                .col(date_null("valid_until"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        for col in ["unit_id", "valid_until"] {
            m.create_index(
                Index::create().name(format!("idx_credentials_{col}")).table("credentials").col(col).to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["credentials", "branch_profiles", "unit_profiles"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
