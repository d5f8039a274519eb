//! The rows behind SLA reports: assignments dispatched in a period (read
//! through the `notified_at` indexes), optionally one unit, branch, category
//! or severity, within the reader's scope.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

use super::StoreError;
use super::assignments::{assemble, milestones};
use super::entities::{assignment, branch, closure_report, notice};
use super::{Store, StoreResult};
use crate::domain::access::Scope;
use crate::domain::closure::ClosureStatus;
use crate::domain::notice::{Category, Severity};
use crate::domain::period::Period;
use crate::domain::policy::SlaPolicy;
use crate::domain::report::Facts;

/// Ids bound per statement (SQLite allows 32,766 parameters).
const ID_SLICE: usize = 10_000;

/// The columns a report reads: not the whole row.
#[derive(Debug, FromQueryResult)]
struct ReportRow {
    id: i64,
    notice_id: i64,
    unit_id: i64,
    branch_id: Option<i64>,
    status: String,
    requires_onsite: bool,
    notified_at: DateTime<Utc>,
    deadline_at: DateTime<Utc>,
    acknowledged_at: Option<DateTime<Utc>>,
    plan_activated_at: Option<DateTime<Utc>>,
    on_site_at: Option<DateTime<Utc>>,
    hq_remote_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    stood_down_at: Option<DateTime<Utc>>,
    extension_count: i32,
    policy: String,
}

/// What a report covers.
#[derive(Debug, Clone)]
pub struct ReportFilter {
    pub period: Period,
    pub unit_id: Option<i64>,
    pub branch_id: Option<i64>,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
}

/// The facts of a report, with the names its tables show.
#[derive(Debug, Clone, Default)]
pub struct ReportRows {
    pub facts: Vec<Facts>,
    pub unit_names: HashMap<i64, String>,
    pub branch_names: HashMap<i64, String>,
}

impl Store {
    pub async fn report_rows(&self, scope: Scope, filter: &ReportFilter) -> StoreResult<ReportRows> {
        let mut q = assignment::Entity::find()
            .filter(assignment::Column::NotifiedAt.gte(filter.period.from))
            .filter(assignment::Column::NotifiedAt.lt(filter.period.to));
        if let Scope::Unit(u) = scope {
            q = q.filter(assignment::Column::UnitId.eq(u));
        }
        if let Some(u) = filter.unit_id {
            q = q.filter(assignment::Column::UnitId.eq(u));
        }
        if let Some(b) = filter.branch_id {
            q = q.filter(assignment::Column::BranchId.eq(b));
        }
        if filter.category.is_some() || filter.severity.is_some() {
            let mut notices = notice::Entity::find().select_only().column(notice::Column::Id);
            if let Some(c) = filter.category {
                notices = notices.filter(notice::Column::Category.eq(c.code()));
            }
            if let Some(s) = filter.severity {
                notices = notices.filter(notice::Column::Severity.eq(s.code()));
            }
            q = q.filter(assignment::Column::NoticeId.in_subquery(notices.into_query()));
        }
        let closures: HashMap<i64, (Option<chrono::DateTime<chrono::Utc>>, String)> = closure_report::Entity::find()
            .select_only()
            .column(closure_report::Column::AssignmentId)
            .column(closure_report::Column::SubmittedAt)
            .column(closure_report::Column::Status)
            .filter(
                closure_report::Column::AssignmentId
                    .in_subquery(q.clone().select_only().column(assignment::Column::Id).into_query()),
            )
            .into_tuple::<(i64, Option<chrono::DateTime<chrono::Utc>>, String)>()
            .all(self.reader())
            .await?
            .into_iter()
            .map(|(a, at, status)| (a, (at, status)))
            .collect();
        let rows: Vec<ReportRow> = q
            .select_only()
            .columns([
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
            .order_by_asc(assignment::Column::NotifiedAt)
            .order_by_asc(assignment::Column::Id)
            .into_model::<ReportRow>()
            .all(self.reader())
            .await?;
        // Assignments share a handful of policies: each is parsed once.
        let mut policies: HashMap<String, Arc<SlaPolicy>> = HashMap::new();
        let mut facts = Vec::with_capacity(rows.len());
        for a in rows {
            let policy = match policies.get(&a.policy) {
                Some(p) => p.clone(),
                None => {
                    let parsed: Arc<SlaPolicy> = Arc::new(
                        serde_json::from_str(&a.policy)
                            .map_err(|e| StoreError::Corrupt(format!("assignment {} policy: {e}", a.id)))?,
                    );
                    policies.insert(a.policy.clone(), parsed.clone());
                    parsed
                }
            };
            let milestones = milestones([
                a.acknowledged_at,
                a.plan_activated_at,
                a.on_site_at,
                a.hq_remote_at,
                a.resolved_at,
                a.closed_at,
            ]);
            let closure = closures.get(&a.id);
            facts.push(Facts {
                assignment_id: a.id,
                notice_id: a.notice_id,
                unit_id: a.unit_id,
                branch_id: a.branch_id,
                extended: a.extension_count > 0,
                state: assemble(
                    a.id,
                    &a.status,
                    a.requires_onsite,
                    (a.notified_at, a.deadline_at),
                    milestones,
                    a.stood_down_at,
                )?,
                policy,
                // A returned report counts as filed once it is resubmitted.
                closure_submitted_at: closure
                    .filter(|(_, s)| s == ClosureStatus::Submitted.code() || s == ClosureStatus::Accepted.code())
                    .and_then(|(at, _)| *at),
                closure_accepted: closure.is_some_and(|(_, s)| s == ClosureStatus::Accepted.code()),
            });
        }
        let unit_ids: Vec<i64> = facts.iter().map(|a| a.unit_id).collect();
        let branch_ids: Vec<i64> = facts.iter().filter_map(|a| a.branch_id).collect();
        let branch_names = branch::Entity::find()
            .select_only()
            .column(branch::Column::Id)
            .column(branch::Column::Name)
            .filter(branch::Column::Id.is_in(dedup(branch_ids)))
            .into_tuple::<(i64, String)>()
            .all(self.reader())
            .await?
            .into_iter()
            .collect();
        Ok(ReportRows { facts, unit_names: self.unit_names(&dedup(unit_ids)).await?, branch_names })
    }
}

impl Store {
    /// Titles of the given notices (the breach list names them), read in
    /// slices: a year's breach list has more ids than a statement may bind.
    pub async fn notice_titles(&self, ids: &[i64]) -> StoreResult<HashMap<i64, String>> {
        let mut titles = HashMap::new();
        for slice in dedup(ids.to_vec()).chunks(ID_SLICE) {
            let rows = notice::Entity::find()
                .select_only()
                .column(notice::Column::Id)
                .column(notice::Column::Title)
                .filter(notice::Column::Id.is_in(slice.iter().copied()))
                .into_tuple::<(i64, String)>()
                .all(self.reader())
                .await?;
            titles.extend(rows);
        }
        Ok(titles)
    }
}

fn dedup(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids.dedup();
    ids
}
