//! `timers` table.

use sea_orm::entity::prelude::*;

use crate::domain::escalation::TimerKind;
use crate::domain::escalation::TimerStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "timers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub assignment_id: i64,
    pub kind: TimerKind,
    pub due_at: DateTimeUtc,
    pub status: TimerStatus,
    pub fired_at: Option<DateTimeUtc>,
    pub late_ms: Option<i64>,
    pub fired_by: Option<String>,
    pub outcome: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
