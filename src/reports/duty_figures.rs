//! The units' other duties beside the SLA figures (special and threat
//! reports, instructions, work reports, screening): read in the reader's
//! scope, counted by the domain (`report::duties`), and the columns the
//! exports add for them.

use crate::AppState;
use crate::domain::access::Actor;
use crate::domain::period::{Period, months_touched};
use crate::domain::report::duties::{self, DutyFigures, DutyReport};
use crate::domain::work_report::Month;
use crate::store::StoreError;

/// The duties of `period` in the actor's scope, one unit's when `unit_id`
/// is given. They belong to the unit, so a report's notice filters
/// (branch, category, severity) do not narrow them.
pub async fn duty_report(
    state: &AppState,
    actor: &Actor,
    unit_id: Option<i64>,
    period: &Period,
) -> Result<DutyReport, StoreError> {
    let months: Vec<Month> = months_touched(period, state.tz).iter().filter_map(|m| Month::parse(m).ok()).collect();
    let facts = state.app.reads(actor).duty_facts(unit_id, period, &months).await?;
    Ok(duties::count(&facts, period, &state.app.schedule(), state.tz, state.clock.now()))
}

/// A duty column, Chinese first: (header, value of one group's duties).
pub type DutyColumn = (&'static str, fn(&DutyFigures) -> String);

/// The duties' columns after the figures', shared by the CSV and the XLSX.
pub const DUTY_COLUMNS: &[DutyColumn] = &[
    ("专项报告已报 Special reports filed", |d| d.special_filed.to_string()),
    ("专项报告已通过 Special reports accepted", |d| d.special_accepted.to_string()),
    ("专项报告退回待改 Special reports returned", |d| d.special_returned.to_string()),
    ("威胁信息报告已报 Threat reports filed", |d| d.threat_filed.to_string()),
    ("威胁信息报告已通过 Threat reports accepted", |d| d.threat_accepted.to_string()),
    ("威胁信息报告退回待改 Threat reports returned", |d| d.threat_returned.to_string()),
    ("威胁线索 Threat findings", |d| d.threat_findings.to_string()),
    ("工作指示 Instructions", |d| d.instructions.to_string()),
    ("按时确认 Confirmed on time", |d| d.instructions_on_time.to_string()),
    ("逾期确认 Confirmed late", |d| d.instructions_late.to_string()),
    ("逾期未确认 Unread past deadline", |d| d.instructions_overdue.to_string()),
    ("应报工作汇报 Work reports due", |d| d.work_reports_due.to_string()),
    ("按时汇报 Work reports on time", |d| d.work_reports_on_time.to_string()),
    ("逾期汇报 Work reports late", |d| d.work_reports_late.to_string()),
    ("逾期未报 Work reports overdue", |d| d.work_reports_overdue.to_string()),
    ("排查任务 Screening tasks", |d| d.screening_tasks.to_string()),
    ("排查完成 Screening done", |d| d.screening_done.to_string()),
    ("排查逾期 Screening overdue", |d| d.screening_overdue.to_string()),
];
