//! The units' other duties as the SLA report page and the scorecard show
//! them: one table (`duty_table.html`), a row per unit or per month.

use super::reports::share;
use super::text::DutyFiguresText;
use crate::domain::labels::Lang;
use crate::domain::report::duties::DutyFigures;

/// One group's duties as the table shows them.
pub struct DutyCells {
    pub special: String,
    pub threat: String,
    pub findings: u64,
    pub instructions: String,
    pub instructions_overdue: u64,
    pub work_reports: String,
    pub work_reports_overdue: u64,
    pub screening: String,
    pub screening_overdue: u64,
}

impl DutyCells {
    pub fn new(d: &DutyFigures) -> Self {
        Self {
            special: format!("{} / {}", d.special_filed, d.special_accepted),
            threat: format!("{} / {}", d.threat_filed, d.threat_accepted),
            findings: d.threat_findings,
            instructions: share(d.instructions_on_time, d.instructions),
            instructions_overdue: d.instructions_overdue,
            work_reports: share(d.work_reports_on_time, d.work_reports_due),
            work_reports_overdue: d.work_reports_overdue,
            screening: share(d.screening_done, d.screening_tasks),
            screening_overdue: d.screening_overdue,
        }
    }
}

pub struct DutyRow {
    pub name: String,
    pub d: DutyCells,
}

/// The table: its words, what its first column names, its rows and total.
pub struct DutyTable {
    pub t: &'static DutyFiguresText,
    pub first: &'static str,
    pub rows: Vec<DutyRow>,
    pub total: DutyCells,
}

impl DutyTable {
    pub fn new(lang: Lang, first: &'static str, rows: Vec<DutyRow>, total: &DutyFigures) -> Self {
        Self { t: super::text::duty_figures(lang), first, rows, total: DutyCells::new(total) }
    }
}
