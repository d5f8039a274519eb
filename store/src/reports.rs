//! The rows behind SLA reports: assignments dispatched in a period (read
//! through the `notified_at` indexes), optionally one unit, branch, category
//! or severity, within the reader's scope.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

use super::entities::{assignment, branch, closure_report, notice, report_breach, report_cell};
use super::report_cells::decode;
use super::report_rows::{ClosureFacts, ID_SLICE, Policies, ReportRow, facts_of, report_columns};
use super::{Store, StoreResult};
use crate::domain::access::Scope;
use crate::domain::assignment::Status;
use crate::domain::notice::{Category, Severity};
use crate::domain::period::{self, Period, Split};
use crate::domain::report::{Breach, Facts, Tally};
use crate::domain::review::ReviewStatus;

/// What a report covers.
#[derive(Debug, Clone)]
pub struct ReportFilter {
    pub period: Period,
    pub unit_id: Option<i64>,
    pub branch_id: Option<i64>,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    /// Only assignments that took this protection period's policy (read
    /// row by row: the maintained cells do not know periods).
    pub protection_period_id: Option<i64>,
    /// How many of the settled breaches to list (latest first); `None`: all.
    pub breach_limit: Option<u64>,
    /// Read every assignment row by row instead of the maintained cells
    /// (the reference the cells are checked against).
    pub row_by_row: bool,
}

impl ReportFilter {
    pub fn new(period: Period) -> Self {
        Self {
            period,
            unit_id: None,
            branch_id: None,
            category: None,
            severity: None,
            protection_period_id: None,
            breach_limit: None,
            row_by_row: false,
        }
    }
}

/// A cell of settled assignments: its month, unit, branch and tally.
#[derive(Debug, Clone)]
pub struct CellRow {
    pub month: String,
    pub unit_id: i64,
    pub branch_id: Option<i64>,
    pub tally: Tally,
}

/// What a report is built from: cells of settled assignments in the months
/// the period wholly covers, the rest one by one, and the settled breaches.
#[derive(Debug, Clone, Default)]
pub struct ReportRows {
    pub cells: Vec<CellRow>,
    pub facts: Vec<Facts>,
    /// Settled breaches in the whole months, latest first, up to the limit.
    pub settled_breaches: Vec<Breach>,
    pub unit_names: HashMap<i64, String>,
    pub branch_names: HashMap<i64, String>,
}

/// Statuses whose figures still move: listed (not negated) so the status
/// index finds the few open rows among a year of closed ones.
fn unsettled() -> Vec<Status> {
    Status::ALL.iter().copied().filter(|s| !matches!(s, Status::Closed | Status::StoodDown)).collect()
}

/// The rows of a maintained table (cells, breaches) a report keeps: its
/// months, the reader's scope and the filter, given the table's month, unit,
/// branch, category and severity columns.
fn kept<C: ColumnTrait>(
    scope: Scope,
    filter: &ReportFilter,
    months: &[String],
    [month, unit, branch, category, severity]: [C; 5],
) -> Condition {
    let mut c = Condition::all().add(month.is_in(months.iter().cloned()));
    if let Scope::Unit(u) = scope {
        c = c.add(unit.eq(u));
    }
    if let Some(u) = filter.unit_id {
        c = c.add(unit.eq(u));
    }
    if let Some(b) = filter.branch_id {
        c = c.add(branch.eq(b));
    }
    if let Some(k) = filter.category {
        c = c.add(category.eq(k));
    }
    if let Some(s) = filter.severity {
        c = c.add(severity.eq(s));
    }
    c
}

fn within(p: Period) -> Condition {
    Condition::all().add(assignment::Column::NotifiedAt.gte(p.from)).add(assignment::Column::NotifiedAt.lt(p.to))
}

impl Store {
    /// How a report reads its period: whole months from the cells (unless
    /// asked to read row by row), the rest one by one.
    fn split(&self, filter: &ReportFilter) -> Split {
        if filter.row_by_row || filter.protection_period_id.is_some() {
            Split { months: Vec::new(), whole: None, rest: vec![filter.period] }
        } else {
            period::split(&filter.period, self.tz())
        }
    }

    /// The assignments a report reads one by one: the edges of the period,
    /// and whatever is still open in its whole months.
    async fn rows_one_by_one(&self, scope: Scope, filter: &ReportFilter, split: &Split) -> StoreResult<Vec<Facts>> {
        let mut rows_wanted = Condition::any();
        for p in &split.rest {
            rows_wanted = rows_wanted.add(within(*p));
        }
        if let Some(w) = split.whole {
            let open = Condition::all().add(within(w)).add(assignment::Column::Status.is_in(unsettled()));
            rows_wanted = rows_wanted.add(open);
        }
        let mut q = assignment::Entity::find().filter(rows_wanted);
        if let Scope::Unit(u) = scope {
            q = q.filter(assignment::Column::UnitId.eq(u));
        }
        if let Some(u) = filter.unit_id {
            q = q.filter(assignment::Column::UnitId.eq(u));
        }
        if let Some(b) = filter.branch_id {
            q = q.filter(assignment::Column::BranchId.eq(b));
        }
        if let Some(p) = filter.protection_period_id {
            q = q.filter(assignment::Column::ProtectionPeriodId.eq(p));
        }
        if filter.category.is_some() || filter.severity.is_some() {
            let mut notices = notice::Entity::find().select_only().column(notice::Column::Id);
            if let Some(c) = filter.category {
                notices = notices.filter(notice::Column::Category.eq(c));
            }
            if let Some(s) = filter.severity {
                notices = notices.filter(notice::Column::Severity.eq(s));
            }
            q = q.filter(assignment::Column::NoticeId.in_subquery(notices.into_query()));
        }
        let closures: HashMap<i64, ClosureFacts> = closure_report::Entity::find()
            .select_only()
            .column(closure_report::Column::AssignmentId)
            .column(closure_report::Column::SubmittedAt)
            .column(closure_report::Column::Status)
            .filter(
                closure_report::Column::AssignmentId
                    .in_subquery(q.clone().select_only().column(assignment::Column::Id).into_query()),
            )
            .into_tuple::<(i64, Option<DateTime<Utc>>, ReviewStatus)>()
            .all(self.reader())
            .await?
            .into_iter()
            .map(|(a, at, status)| (a, (at, status)))
            .collect();
        let rows: Vec<ReportRow> = report_columns(q)
            .order_by_asc(assignment::Column::NotifiedAt)
            .order_by_asc(assignment::Column::Id)
            .into_model::<ReportRow>()
            .all(self.reader())
            .await?;
        let mut policies = Policies::default();
        let mut facts = Vec::with_capacity(rows.len());
        for a in rows {
            let policy = policies.of(&a)?;
            let closure = closures.get(&a.id);
            facts.push(facts_of(a, policy, closure)?);
        }
        Ok(facts)
    }

    /// The breach list's sources: the facts judged at the time of asking
    /// and the whole months whose settled breaches are paged through
    /// `settled_breaches_after`.
    pub async fn breach_sources(&self, scope: Scope, filter: &ReportFilter) -> StoreResult<(Vec<Facts>, Vec<String>)> {
        let split = self.split(filter);
        let facts = self.rows_one_by_one(scope, filter, &split).await?;
        Ok((facts, split.months))
    }

    pub async fn report_rows(&self, scope: Scope, filter: &ReportFilter) -> StoreResult<ReportRows> {
        let split = self.split(filter);
        let facts = self.rows_one_by_one(scope, filter, &split).await?;
        let (cells, settled_breaches) = if split.months.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let cells = self.report_cells(scope, filter, &split.months).await?;
            (cells, self.settled_breaches_after(scope, filter, &split.months, None, filter.breach_limit).await?)
        };
        let unit_ids = facts.iter().map(|a| a.unit_id).chain(cells.iter().map(|c| c.unit_id));
        let branch_ids = facts.iter().filter_map(|a| a.branch_id).chain(cells.iter().filter_map(|c| c.branch_id));
        let unit_ids = dedup(unit_ids.collect());
        let branch_names = self.branch_names(&dedup(branch_ids.collect())).await?;
        Ok(ReportRows { cells, facts, settled_breaches, unit_names: self.unit_names(&unit_ids).await?, branch_names })
    }

    pub async fn branch_names(&self, ids: &[i64]) -> StoreResult<HashMap<i64, String>> {
        Ok(branch::Entity::find()
            .select_only()
            .column(branch::Column::Id)
            .column(branch::Column::Name)
            .filter(branch::Column::Id.is_in(ids.to_vec()))
            .into_tuple::<(i64, String)>()
            .all(self.reader())
            .await?
            .into_iter()
            .collect())
    }

    async fn report_cells(&self, scope: Scope, filter: &ReportFilter, months: &[String]) -> StoreResult<Vec<CellRow>> {
        use report_cell::Column as C;
        let q = report_cell::Entity::find()
            .select_only()
            .columns([C::Id, C::Month, C::UnitId, C::BranchId, C::Tally])
            .filter(kept(scope, filter, months, [C::Month, C::UnitId, C::BranchId, C::Category, C::Severity]));
        q.into_tuple::<(i64, String, i64, i64, Vec<u8>)>()
            .all(self.reader())
            .await?
            .into_iter()
            .map(|(id, month, unit_id, branch_id, tally)| {
                Ok(CellRow {
                    month,
                    unit_id,
                    branch_id: (branch_id != 0).then_some(branch_id),
                    tally: decode(id, &tally)?,
                })
            })
            .collect()
    }

    /// Settled breaches in `months`, latest first, from just after `after`
    /// (lateness, assignment) on: the breach list a page at a time.
    pub async fn settled_breaches_after(
        &self,
        scope: Scope,
        filter: &ReportFilter,
        months: &[String],
        after: Option<(i64, i64)>,
        limit: Option<u64>,
    ) -> StoreResult<Vec<Breach>> {
        use report_breach::Column as C;
        let mut q = report_breach::Entity::find().filter(kept(
            scope,
            filter,
            months,
            [C::Month, C::UnitId, C::BranchId, C::Category, C::Severity],
        ));
        if let Some((lateness, id)) = after {
            q = q.filter(
                Condition::any()
                    .add(C::LatenessSeconds.lt(lateness))
                    .add(Condition::all().add(C::LatenessSeconds.eq(lateness)).add(C::AssignmentId.gt(id))),
            );
        }
        q = q.order_by_desc(C::LatenessSeconds).order_by_asc(C::AssignmentId);
        if let Some(n) = limit {
            q = q.limit(n);
        }
        q.all(self.reader())
            .await?
            .into_iter()
            .map(|b| {
                Ok(Breach {
                    assignment_id: b.assignment_id,
                    notice_id: b.notice_id,
                    unit_id: b.unit_id,
                    branch_id: b.branch_id,
                    notified_at: b.notified_at,
                    milestones: b.milestones.into_inner(),
                    lateness_seconds: b.lateness_seconds,
                    extended: b.extended,
                })
            })
            .collect()
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
