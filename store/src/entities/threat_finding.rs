//! `threat_findings` table: one finding of a threat report.

use sea_orm::entity::prelude::*;

use crate::domain::closure::{C2Address, FiveTuple};
use crate::domain::threat::ThreatKind;
use crate::domain::threat::indicator::SampleHash;
use crate::json_text::JsonText;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "threat_findings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub report_id: i64,
    pub unit_id: i64,
    pub kind: ThreatKind,
    pub name: String,
    pub found_at: DateTimeUtc,
    pub description: String,
    pub enterprise_id: Option<i64>,
    pub other_target: String,
    pub five_tuples: JsonText<Vec<FiveTuple>>,
    pub propagation_path: String,
    pub c2_addresses: JsonText<Vec<C2Address>>,
    pub hashes: JsonText<Vec<SampleHash>>,
    pub disposal_advice: String,
    pub stix_seed: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
