//! `attachments` table: an evidence file on a record, its content named by SHA-256.

use sea_orm::entity::prelude::*;

use crate::domain::access::Source;
use crate::domain::assignment::Milestone;
use crate::domain::attachment::{FileKind, SubjectKind};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub subject_kind: SubjectKind,
    pub subject_id: i64,
    pub milestone: Option<Milestone>,
    pub unit_id: Option<i64>,
    pub name: String,
    pub kind: FileKind,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub thumbnail_sha256: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub distance_m: Option<f64>,
    pub far_from_site: bool,
    pub uploaded_by: String,
    pub user_id: Option<i64>,
    pub person_id: Option<i64>,
    pub source: Source,
    pub uploaded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
