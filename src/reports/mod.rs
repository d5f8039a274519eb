//! Reports: the SLA breach report as the API, the pages and the exports show
//! it (names, local times), its CSV and XLSX forms, and its charts. The
//! numbers come from `domain::report`; this layer only names and formats them.

pub mod charts;
pub mod closure;
pub mod csv;
pub mod duty;
pub mod duty_figures;
pub mod exhibits;
pub mod house_style;
pub mod registry_sheet;
pub mod review;
pub mod special_reports;
pub mod stix;
pub mod threats;
pub mod work_reports;
pub mod xlsx;

use std::collections::BTreeMap;

use axum::body::Bytes;
use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::domain::DomainError;
use crate::domain::access::Actor;
use crate::domain::assignment::Milestone;
use crate::domain::notice::{Category, Severity};
use crate::domain::period;
use crate::domain::period::Period;
use crate::domain::report::duties::{DutyFigures, DutyReport};
use crate::domain::report::{self, Breach, Figures, SlaReport};
use crate::store::StoreError;
use crate::store::report_cells::month_of;
use crate::store::reports::{ReportFilter, ReportRows};

pub(crate) fn local(at: DateTime<Utc>, tz: Tz) -> DateTime<FixedOffset> {
    at.with_timezone(&tz).fixed_offset()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodView {
    /// The first instant counted.
    pub from: DateTime<FixedOffset>,
    /// The first instant no longer counted.
    pub to: DateTime<FixedOffset>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitFigures {
    pub unit_id: i64,
    pub unit_name: String,
    pub figures: Figures,
    /// The unit's other duties in the period, whatever the notice filters.
    pub duties: DutyFigures,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BranchFigures {
    pub unit_id: i64,
    pub unit_name: String,
    /// Absent for assignments dispatched to the unit as a whole.
    pub branch_id: Option<i64>,
    pub branch_name: Option<String>,
    pub figures: Figures,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BreachView {
    pub assignment_id: i64,
    pub notice_id: i64,
    pub title: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub branch_name: Option<String>,
    pub notified_at: DateTime<FixedOffset>,
    pub milestones: Vec<Milestone>,
    pub lateness_seconds: i64,
    pub extended: bool,
}

impl BreachView {
    pub fn new(b: Breach, title: String, unit_name: String, branch_name: Option<String>, tz: Tz) -> Self {
        Self {
            assignment_id: b.assignment_id,
            notice_id: b.notice_id,
            title,
            unit_id: b.unit_id,
            unit_name,
            branch_name,
            notified_at: local(b.notified_at, tz),
            milestones: b.milestones,
            lateness_seconds: b.lateness_seconds,
            extended: b.extended,
        }
    }
}

/// How many counted assignments reached the site how soon after T0.
#[derive(Debug, Serialize, ToSchema)]
pub struct Distribution {
    pub bucket_minutes: i64,
    /// One count per bucket from T0; the last bucket holds everything later.
    pub counts: Vec<u64>,
}

/// Breaches by the month (local calendar) their assignment was dispatched.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    pub breaches: u64,
}

/// The SLA breach report.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaReportView {
    pub period: PeriodView,
    pub generated_at: DateTime<FixedOffset>,
    pub totals: Figures,
    pub on_site_distribution: Distribution,
    pub breaches_by_month: Vec<MonthCount>,
    /// Every unit with assignments or duties in the period.
    pub by_unit: Vec<UnitFigures>,
    pub by_branch: Vec<BranchFigures>,
    /// The other duties of every unit in the report.
    pub duties: DutyFigures,
    /// Every breached assignment in the report (the list may hold fewer).
    pub breaches_total: u64,
    /// The latest breaches first, at most `breaches_limit` of them.
    pub breaches: Vec<BreachView>,
}

impl SlaReportView {
    pub fn new(
        report: SlaReport,
        duties: DutyReport,
        rows: &ReportRows,
        titles: &std::collections::HashMap<i64, String>,
        period: Period,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> Self {
        let unit = |id: i64| rows.unit_names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
        let branch = |id: Option<i64>| id.and_then(|b| rows.branch_names.get(&b).cloned());
        Self {
            period: PeriodView { from: local(period.from, tz), to: local(period.to, tz) },
            generated_at: local(now, tz),
            breaches_total: report.totals.breached,
            totals: report.totals,
            on_site_distribution: Distribution {
                bucket_minutes: crate::domain::report::DISTRIBUTION_BUCKET_MINUTES,
                counts: report.on_site_distribution,
            },
            breaches_by_month: report
                .by_month
                .iter()
                .map(|(month, f)| MonthCount { month: month.clone(), breaches: f.breached })
                .collect(),
            by_unit: by_unit(report.by_unit, duties.by_unit)
                .into_iter()
                .map(|(id, (figures, duties))| UnitFigures { unit_id: id, unit_name: unit(id), figures, duties })
                .collect(),
            duties: duties.totals,
            by_branch: report
                .by_branch
                .into_iter()
                .map(|((u, b), figures)| BranchFigures {
                    unit_id: u,
                    unit_name: unit(u),
                    branch_id: b,
                    branch_name: branch(b),
                    figures,
                })
                .collect(),
            breaches: report
                .breaches
                .into_iter()
                .map(|b| {
                    let title = titles.get(&b.notice_id).cloned().unwrap_or_default();
                    let (unit_name, branch_name) = (unit(b.unit_id), branch(b.branch_id));
                    BreachView::new(b, title, unit_name, branch_name, tz)
                })
                .collect(),
        }
    }
}

/// Each unit's figures beside its duties, in unit order; a unit with only
/// one of them has nothing of the other.
fn by_unit(figures: Vec<(i64, Figures)>, duties: BTreeMap<i64, DutyFigures>) -> BTreeMap<i64, (Figures, DutyFigures)> {
    let mut out: BTreeMap<i64, (Figures, DutyFigures)> =
        figures.into_iter().map(|(id, f)| (id, (f, DutyFigures::default()))).collect();
    for (id, d) in duties {
        out.entry(id).or_default().1 = d;
    }
    out
}

/// A table's columns, Chinese first: (header, value of one group's figures).
pub type Column = (&'static str, fn(&Figures) -> String);

fn opt(v: Option<i64>) -> String {
    v.map(|s| s.to_string()).unwrap_or_default()
}

/// The figures' columns, shared by the CSV and the XLSX exports.
pub const FIGURE_COLUMNS: &[Column] = &[
    ("派单数 Assignments", |f| f.assignments.to_string()),
    ("撤销 Stood down", |f| f.stood_down.to_string()),
    ("延长 Extended", |f| f.extended.to_string()),
    ("计入考核 Counted", |f| f.counted.to_string()),
    ("按时接收 Acknowledged within target", |f| f.acknowledged_within_target.to_string()),
    ("两小时内启动方案 Plan within 2h", |f| f.plan_activated_within_deadline.to_string()),
    ("需到场 On site required", |f| f.on_site_required.to_string()),
    ("两小时内到场 On site within 2h", |f| f.on_site_within_deadline.to_string()),
    ("两小时内总部远程支撑 HQ remote within 2h", |f| f.hq_remote_within_deadline.to_string()),
    ("履约 Kept", |f| f.kept.to_string()),
    ("超时 Breached", |f| f.breached.to_string()),
    ("进行中未到时限 Pending", |f| f.pending.to_string()),
    ("履约率 On-time rate", |f| f.on_time_rate.map(|r| format!("{r:.4}")).unwrap_or_default()),
    ("接收用时中位数(秒) Ack median (s)", |f| opt(f.time_to_acknowledge.median_seconds)),
    ("接收用时P90(秒) Ack p90 (s)", |f| opt(f.time_to_acknowledge.p90_seconds)),
    ("启动方案用时中位数(秒) Plan median (s)", |f| opt(f.time_to_plan.median_seconds)),
    ("启动方案用时P90(秒) Plan p90 (s)", |f| opt(f.time_to_plan.p90_seconds)),
    ("到场用时中位数(秒) On-site median (s)", |f| opt(f.time_to_on_site.median_seconds)),
    ("到场用时P90(秒) On-site p90 (s)", |f| opt(f.time_to_on_site.p90_seconds)),
    ("已报处置报告 Closure reports filed", |f| f.closure_filed.to_string()),
    ("处置报告已通过 Closure reports accepted", |f| f.closure_accepted.to_string()),
    ("报告用时中位数(秒) Closure median (s)", |f| opt(f.time_to_closure.median_seconds)),
    ("报告用时P90(秒) Closure p90 (s)", |f| opt(f.time_to_closure.p90_seconds)),
];

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// `YYYY`, `YYYY-MM` or `YYYY-Qn` on the Asia/Shanghai calendar; default this month.
    pub period: Option<String>,
    /// First day `YYYY-MM-DD` (with `to`, instead of `period`).
    pub from: Option<String>,
    /// Last day `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    pub unit_id: Option<i64>,
    pub branch_id: Option<i64>,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    /// Only notices issued under this protection period's policy; the
    /// period's own window unless `period` or `from`/`to` say otherwise.
    pub protection_period_id: Option<i64>,
    /// How many breaches to list, latest first (default 1000; the CSV and
    /// XLSX exports list them all).
    pub breaches_limit: Option<u64>,
    /// CSV only: `units` (default) or `breaches`.
    pub table: Option<String>,
}

/// Breaches a report lists unless asked for another number: a year can
/// have a hundred thousand, and a page or a JSON answer cannot carry them.
pub const DEFAULT_BREACHES: u64 = 1_000;

/// How much of the breach list a report carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// As many as the query asks (`breaches_limit`, default 1000).
    Asked,
    /// Every one (the exports).
    All,
}

/// Builds the report the query asks for, within the actor's scope (the
/// API, the page and the exports all come through here).
pub async fn sla_report(
    state: &AppState,
    actor: &Actor,
    q: &ReportQuery,
    breaches: Listing,
) -> Result<SlaReportView, StoreError> {
    let filter = filter_of(state, actor, q, breaches).await?;
    view_of(state, actor, filter).await
}

/// The report as the API's JSON, worked out once for each scope and filter
/// as of the data's version (the last audit entry, the changes this process
/// has seen) and the second: the month's report read by two hundred people
/// at once is built once, and a change shows at the next read.
pub async fn sla_json(state: &AppState, actor: &Actor, q: &ReportQuery) -> Result<Bytes, StoreError> {
    let filter = filter_of(state, actor, q, Listing::Asked).await?;
    let stamp = (state.store.audit_position().await?, state.store.changes_seen(), state.clock.now().timestamp());
    let key = format!("{:?}|{filter:?}", actor.scope());
    let json = state
        .reports
        .get(
            key,
            stamp,
            |kept| *kept == stamp,
            || async {
                let view = view_of(state, actor, filter).await?;
                Ok::<_, StoreError>(Bytes::from(serde_json::to_vec(&view).expect("plain data serialises to JSON")))
            },
        )
        .await?;
    Ok(Bytes::clone(&json))
}

async fn view_of(state: &AppState, actor: &Actor, filter: ReportFilter) -> Result<SlaReportView, StoreError> {
    let now = state.clock.now();
    let (built, mut rows) = build(state, actor, &filter, now).await?;
    let duties = duty_figures::duty_report(state, actor, filter.unit_id, &filter.period).await?;
    let reads = state.app.reads(actor);
    let unnamed: Vec<i64> = duties.by_unit.keys().copied().filter(|id| !rows.unit_names.contains_key(id)).collect();
    if !unnamed.is_empty() {
        rows.unit_names.extend(reads.unit_names(&unnamed).await?);
    }
    let notice_ids: Vec<i64> = built.breaches.iter().map(|b| b.notice_id).collect();
    let titles = reads.notice_titles(&notice_ids).await?;
    Ok(SlaReportView::new(built, duties, &rows, &titles, filter.period, state.tz, now))
}

/// The filter a query asks for, within the actor's scope: a unit outside it
/// is not found.
pub async fn filter_of(
    state: &AppState,
    actor: &Actor,
    q: &ReportQuery,
    breaches: Listing,
) -> Result<ReportFilter, StoreError> {
    let protection = match q.protection_period_id {
        Some(id) => Some(state.app.reads(actor).protection_period(id).await?),
        None => None,
    };
    let period = match (&protection, &q.period, &q.from, &q.to) {
        (Some(p), None, None, None) => Period { from: p.starts_at, to: p.ends_at },
        _ => period_of(state, q)?,
    };
    if let Some(unit) = q.unit_id {
        state.app.reads(actor).unit(unit).await?;
    }
    Ok(ReportFilter {
        unit_id: q.unit_id,
        branch_id: q.branch_id,
        category: q.category,
        severity: q.severity,
        protection_period_id: q.protection_period_id,
        breach_limit: match breaches {
            Listing::All => None,
            Listing::Asked => Some(q.breaches_limit.unwrap_or(DEFAULT_BREACHES)),
        },
        ..ReportFilter::new(period)
    })
}

/// Reads and builds a report: the cells of settled assignments, the rest
/// one by one, every month of the period named, and the breach list cut to
/// the filter's limit.
pub async fn build(
    state: &AppState,
    actor: &Actor,
    filter: &ReportFilter,
    now: DateTime<Utc>,
) -> Result<(SlaReport, ReportRows), StoreError> {
    let mut rows = state.app.reads(actor).report_rows(filter).await?;
    let mut b = report::Builder::default();
    for m in period::months_touched(&filter.period, state.tz) {
        b.month(&m);
    }
    for c in &rows.cells {
        b.cell(&c.month, c.unit_id, c.branch_id, &c.tally);
    }
    for f in &rows.facts {
        b.fact(&month_of(f.state.notified_at, state.tz), f, now);
    }
    let mut built = b.finish();
    built.breaches.append(&mut rows.settled_breaches);
    report::sort_breaches(&mut built.breaches);
    if let Some(limit) = filter.breach_limit {
        built.breaches.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    Ok((built, rows))
}

/// This month (`YYYY-MM`) on the display zone's calendar: the period a
/// report or an export covers unless told otherwise.
pub fn this_month(state: &AppState) -> String {
    state.clock.now().with_timezone(&state.tz).format("%Y-%m").to_string()
}

/// Today on the display zone's calendar: the day credentials are judged by.
pub fn today(state: &AppState) -> chrono::NaiveDate {
    state.clock.now().with_timezone(&state.tz).date_naive()
}

fn period_of(state: &AppState, q: &ReportQuery) -> Result<Period, StoreError> {
    let parsed = match (&q.period, &q.from, &q.to) {
        (Some(p), None, None) => period::named(p, state.tz),
        (None, Some(from), Some(to)) => period::custom(from, to, state.tz),
        (None, None, None) => period::named(&this_month(state), state.tz),
        _ => Err(crate::domain::FieldError::new(
            "period",
            "invalid_period",
            "give either period, or both from and to",
            "请指定 period，或同时指定 from 和 to",
        )),
    };
    parsed.map_err(|e| DomainError::Invalid(vec![e]).into())
}
