//! The schema, one migration per file. A migration that has landed is never
//! edited; change the schema by adding the next one.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_initial;
mod m20261125_000001_web_sessions;
mod m20261125_000002_report_cells;
mod m20261125_000003_audit_log;
mod m20261130_000001_audit_unsealed;
mod m20261130_000002_rosters;
mod m20261130_000003_protection_periods;
mod m20261130_000004_screening;
mod m20261201_000001_audit_keyed;
mod m20261202_000001_delivery_failure;
mod m20261203_000001_callback_receipts;
mod m20261204_000001_sms_reply_codes;
mod m20261205_000001_pages_by_address;
mod m20261206_000001_page_receipts;
mod m20261207_000001_duties;
mod m20261208_000001_threat_reports;
mod m20261209_000001_unit_profiles;
mod m20261210_000001_instructions;
mod m20261211_000001_work_reports;
mod m20261212_000001_credential_notices;
mod m20261213_000001_attachments;
mod m20261214_000001_person_contact;
mod m20261215_000001_instances;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_initial::Migration),
            Box::new(m20261125_000001_web_sessions::Migration),
            Box::new(m20261125_000002_report_cells::Migration),
            Box::new(m20261125_000003_audit_log::Migration),
            Box::new(m20261130_000001_audit_unsealed::Migration),
            Box::new(m20261130_000002_rosters::Migration),
            Box::new(m20261130_000003_protection_periods::Migration),
            Box::new(m20261130_000004_screening::Migration),
            Box::new(m20261201_000001_audit_keyed::Migration),
            Box::new(m20261202_000001_delivery_failure::Migration),
            Box::new(m20261203_000001_callback_receipts::Migration),
            Box::new(m20261204_000001_sms_reply_codes::Migration),
            Box::new(m20261205_000001_pages_by_address::Migration),
            Box::new(m20261206_000001_page_receipts::Migration),
            Box::new(m20261207_000001_duties::Migration),
            Box::new(m20261208_000001_threat_reports::Migration),
            Box::new(m20261209_000001_unit_profiles::Migration),
            Box::new(m20261210_000001_instructions::Migration),
            Box::new(m20261211_000001_work_reports::Migration),
            Box::new(m20261212_000001_credential_notices::Migration),
            Box::new(m20261213_000001_attachments::Migration),
            Box::new(m20261214_000001_person_contact::Migration),
            Box::new(m20261215_000001_instances::Migration),
        ]
    }
}
