//! `screening_tasks` table: the pre-event screening checklist of a
//! protection period.

use sea_orm::entity::prelude::*;

use crate::domain::screening::TaskStatus;
use crate::domain::screening::{ScreeningKind, ScreeningOutcome};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "screening_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub protection_period_id: i64,
    pub unit_id: i64,
    pub enterprise: String,
    pub target: String,
    pub enterprise_id: Option<i64>,
    pub kind: ScreeningKind,
    pub due_at: Option<DateTimeUtc>,
    pub status: TaskStatus,
    pub outcome: Option<ScreeningOutcome>,
    pub findings: Option<String>,
    pub done_at: Option<DateTimeUtc>,
    pub done_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
