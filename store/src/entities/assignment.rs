//! `assignments` table.

use sea_orm::entity::prelude::*;

use crate::domain::assignment::{AssignmentState, Status};
use crate::domain::policy::SlaPolicy;
use crate::json_text::JsonText;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "assignments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub notice_id: i64,
    pub unit_id: i64,
    pub branch_id: Option<i64>,
    pub status: Status,
    pub requires_onsite: bool,
    pub notified_at: DateTimeUtc,
    pub deadline_at: DateTimeUtc,
    pub original_deadline_at: DateTimeUtc,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub plan_activated_at: Option<DateTimeUtc>,
    pub on_site_at: Option<DateTimeUtc>,
    pub hq_remote_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub stood_down_at: Option<DateTimeUtc>,
    pub stand_down_reason: Option<String>,
    pub extension_count: i32,
    pub breached_at: Option<DateTimeUtc>,
    pub reassigned_from: Option<i64>,
    /// The policy copied onto it at dispatch.
    pub policy: JsonText<SlaPolicy>,
    /// The protection period whose policy it took at dispatch.
    pub protection_period_id: Option<i64>,
    pub version: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The part of an assignment the state machine reads, from any row that
/// carries the table's state columns under their own names (the whole row,
/// or the report's narrower `ReportRow`).
macro_rules! state_of {
    ($row:expr) => {
        $crate::domain::assignment::AssignmentState {
            status: $row.status,
            requires_onsite: $row.requires_onsite,
            notified_at: $row.notified_at,
            deadline_at: $row.deadline_at,
            milestones: $crate::domain::assignment::Milestones {
                acknowledged_at: $row.acknowledged_at,
                plan_activated_at: $row.plan_activated_at,
                on_site_at: $row.on_site_at,
                hq_remote_at: $row.hq_remote_at,
                resolved_at: $row.resolved_at,
                closed_at: $row.closed_at,
            },
            stood_down_at: $row.stood_down_at,
        }
    };
}
pub(crate) use state_of;

impl Model {
    /// The part of the row the state machine reads.
    pub fn state(&self) -> AssignmentState {
        state_of!(self)
    }
}
