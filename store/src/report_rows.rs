//! An assignment as the reports read it: only the columns they need, its
//! policy snapshot decoded once per distinct policy, and the facts the
//! report's figures are computed from. Shared by the live reports and the
//! settled month cells.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::{FromQueryResult, QuerySelect, Select};

use super::entities::assignment;
use super::{StoreError, StoreResult};
use crate::domain::assignment::Status;
use crate::domain::policy::SlaPolicy;
use crate::domain::report::Facts;
use crate::domain::review::ReviewStatus;

/// Ids bound per statement (SQLite allows 32,766 parameters).
pub(super) const ID_SLICE: usize = 10_000;

/// The columns a report reads: not the whole row.
#[derive(Debug, FromQueryResult)]
pub(super) struct ReportRow {
    pub(super) id: i64,
    pub(super) notice_id: i64,
    pub(super) unit_id: i64,
    pub(super) branch_id: Option<i64>,
    pub(super) status: Status,
    pub(super) requires_onsite: bool,
    pub(super) notified_at: DateTime<Utc>,
    pub(super) deadline_at: DateTime<Utc>,
    pub(super) acknowledged_at: Option<DateTime<Utc>>,
    pub(super) plan_activated_at: Option<DateTime<Utc>>,
    pub(super) on_site_at: Option<DateTime<Utc>>,
    pub(super) hq_remote_at: Option<DateTime<Utc>>,
    pub(super) resolved_at: Option<DateTime<Utc>>,
    pub(super) closed_at: Option<DateTime<Utc>>,
    pub(super) stood_down_at: Option<DateTime<Utc>>,
    pub(super) extension_count: i32,
    /// Kept as text: a report decodes each distinct policy once.
    pub(super) policy: String,
}

/// A closure report as a report reads it: when it was (last) submitted and its status.
pub(super) type ClosureFacts = (Option<DateTime<Utc>>, ReviewStatus);

impl From<&assignment::Model> for ReportRow {
    fn from(a: &assignment::Model) -> Self {
        Self {
            id: a.id,
            notice_id: a.notice_id,
            unit_id: a.unit_id,
            branch_id: a.branch_id,
            status: a.status,
            requires_onsite: a.requires_onsite,
            notified_at: a.notified_at,
            deadline_at: a.deadline_at,
            acknowledged_at: a.acknowledged_at,
            plan_activated_at: a.plan_activated_at,
            on_site_at: a.on_site_at,
            hq_remote_at: a.hq_remote_at,
            resolved_at: a.resolved_at,
            closed_at: a.closed_at,
            stood_down_at: a.stood_down_at,
            extension_count: a.extension_count,
            policy: a.policy.to_text(),
        }
    }
}

/// Policies parsed once each: a year's assignments share a handful.
#[derive(Default)]
pub(super) struct Policies(HashMap<String, Arc<SlaPolicy>>);

impl Policies {
    pub(super) fn of(&mut self, a: &ReportRow) -> StoreResult<Arc<SlaPolicy>> {
        if let Some(p) = self.0.get(&a.policy) {
            return Ok(p.clone());
        }
        let parsed: Arc<SlaPolicy> = Arc::new(
            serde_json::from_str(&a.policy)
                .map_err(|e| StoreError::Corrupt(format!("assignment {} policy: {e}", a.id)))?,
        );
        self.0.insert(a.policy.clone(), parsed.clone());
        Ok(parsed)
    }
}

/// One assignment's facts from its report columns and its closure report.
pub(super) fn facts_of(a: ReportRow, policy: Arc<SlaPolicy>, closure: Option<&ClosureFacts>) -> StoreResult<Facts> {
    let state = assignment::state_of!(a);
    Ok(Facts {
        assignment_id: a.id,
        notice_id: a.notice_id,
        unit_id: a.unit_id,
        branch_id: a.branch_id,
        extended: a.extension_count > 0,
        state,
        policy,
        // A returned report counts as filed once it is resubmitted.
        closure_submitted_at: closure
            .filter(|(_, s)| matches!(s, ReviewStatus::Submitted | ReviewStatus::Accepted))
            .and_then(|(at, _)| *at),
        closure_accepted: closure.is_some_and(|(_, s)| *s == ReviewStatus::Accepted),
    })
}

/// The report's columns of an assignment query.
pub(super) fn report_columns(q: Select<assignment::Entity>) -> Select<assignment::Entity> {
    q.select_only().columns([
        assignment::Column::Id,
        assignment::Column::NoticeId,
        assignment::Column::UnitId,
        assignment::Column::BranchId,
        assignment::Column::Status,
        assignment::Column::RequiresOnsite,
        assignment::Column::NotifiedAt,
        assignment::Column::DeadlineAt,
        assignment::Column::AcknowledgedAt,
        assignment::Column::PlanActivatedAt,
        assignment::Column::OnSiteAt,
        assignment::Column::HqRemoteAt,
        assignment::Column::ResolvedAt,
        assignment::Column::ClosedAt,
        assignment::Column::StoodDownAt,
        assignment::Column::ExtensionCount,
        assignment::Column::Policy,
    ])
}
