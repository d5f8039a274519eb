//! Reports: the SLA breach report as the API, the pages and the exports show
//! it (names, local times), its CSV and XLSX forms, and its charts. The
//! numbers come from `domain::report`; this layer only names and formats them.

pub mod csv;
pub mod xlsx;

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::assignment::Milestone;
use crate::domain::period::Period;
use crate::domain::report::{Figures, SlaReport};
use crate::store::reports::ReportRows;

fn local(at: DateTime<Utc>, tz: Tz) -> DateTime<FixedOffset> {
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

/// The SLA breach report.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaReportView {
    pub period: PeriodView,
    pub generated_at: DateTime<FixedOffset>,
    pub totals: Figures,
    pub by_unit: Vec<UnitFigures>,
    pub by_branch: Vec<BranchFigures>,
    pub breaches: Vec<BreachView>,
}

impl SlaReportView {
    pub fn new(
        report: SlaReport,
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
            totals: report.totals,
            by_unit: report
                .by_unit
                .into_iter()
                .map(|(id, figures)| UnitFigures { unit_id: id, unit_name: unit(id), figures })
                .collect(),
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
                .map(|b| BreachView {
                    assignment_id: b.assignment_id,
                    notice_id: b.notice_id,
                    title: titles.get(&b.notice_id).cloned().unwrap_or_default(),
                    unit_id: b.unit_id,
                    unit_name: unit(b.unit_id),
                    branch_name: branch(b.branch_id),
                    notified_at: local(b.notified_at, tz),
                    milestones: b.milestones,
                    lateness_seconds: b.lateness_seconds,
                    extended: b.extended,
                })
                .collect(),
        }
    }
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
    ("履约率 On-time rate", |f| f.on_time_rate.map(|r| format!("{r:.4}")).unwrap_or_default()),
    ("接收用时中位数(秒) Ack median (s)", |f| opt(f.time_to_acknowledge.median_seconds)),
    ("接收用时P90(秒) Ack p90 (s)", |f| opt(f.time_to_acknowledge.p90_seconds)),
    ("启动方案用时中位数(秒) Plan median (s)", |f| opt(f.time_to_plan.median_seconds)),
    ("启动方案用时P90(秒) Plan p90 (s)", |f| opt(f.time_to_plan.p90_seconds)),
    ("到场用时中位数(秒) On-site median (s)", |f| opt(f.time_to_on_site.median_seconds)),
    ("到场用时P90(秒) On-site p90 (s)", |f| opt(f.time_to_on_site.p90_seconds)),
];
