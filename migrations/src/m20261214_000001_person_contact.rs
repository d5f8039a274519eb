//! A person's contact details as the application form's contact table keeps
//! them (部门及职务, 办公电话, 邮箱), so the registry goes in and out of the
//! bureau's spreadsheet without losing a column.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 3] = ["title", "office_phone", "email"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS {
            m.alter_table(Table::alter().table("people").add_column(string_null(column)).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS {
            m.alter_table(Table::alter().table("people").drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
