//! The units' other duties as the scorecard and the SLA report count them:
//! special and threat reports filed and accepted (二(三), 二(四)),
//! instructions confirmed by their deadline and monthly work reports on time
//! (三(二)), screening tasks done. The store supplies the facts; this counts
//! them per unit and per month, so the report's table and the scorecard
//! agree.
//!
//! Each fact belongs to one month of the display zone's calendar: a report
//! to the month it was (last) submitted, an instruction to the month it was
//! issued, a work report to the month it reports on, a screening task to the
//! month it is due. Standings are judged at `now` with the same rules as
//! their own pages (`instruction::Standing`, `work_report::DueStanding`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::instruction::Standing;
use crate::period::{Period, months_touched};
use crate::review::{ReviewStatus, Reviewed};
use crate::work_report::{DueStanding, Month, Schedule};

/// A special or threat report that has been submitted at least once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledReport {
    pub unit_id: i64,
    pub kind: Reviewed,
    /// Its latest submission.
    pub filed_at: DateTime<Utc>,
    pub status: ReviewStatus,
    /// A threat report's findings; none for a special report.
    pub findings: u32,
}

/// A unit's receipt of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptFact {
    pub unit_id: i64,
    pub issued_at: DateTime<Utc>,
    pub confirm_by: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// A submitted work report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkReportFact {
    pub unit_id: i64,
    pub month: Month,
    pub submitted_at: DateTime<Utc>,
}

/// A screening task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningFact {
    pub unit_id: i64,
    pub due_at: DateTime<Utc>,
    pub done: bool,
}

/// Everything the duty figures of a period are counted from, within one
/// reader's scope. `units` are the units registered before the period ended,
/// who owe a work report for every month that ended after they registered.
#[derive(Debug, Clone, Default)]
pub struct DutyFacts {
    pub units: Vec<(i64, DateTime<Utc>)>,
    pub reports: Vec<FiledReport>,
    pub receipts: Vec<ReceiptFact>,
    pub work_reports: Vec<WorkReportFact>,
    pub screenings: Vec<ScreeningFact>,
}

/// One group's duties (all, a unit, a month).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DutyFigures {
    /// Special reports submitted in the period (returned ones included).
    pub special_filed: u64,
    pub special_accepted: u64,
    /// Returned for changes and not yet submitted again.
    pub special_returned: u64,
    pub threat_filed: u64,
    pub threat_accepted: u64,
    pub threat_returned: u64,
    /// Findings in the threat reports filed.
    pub threat_findings: u64,
    /// Instructions issued to the unit in the period.
    pub instructions: u64,
    /// Confirmed before their deadline.
    pub instructions_on_time: u64,
    pub instructions_late: u64,
    /// Past their deadline and still unread.
    pub instructions_overdue: u64,
    /// Monthly work reports owed that are due by now or already submitted.
    pub work_reports_due: u64,
    pub work_reports_on_time: u64,
    pub work_reports_late: u64,
    pub work_reports_overdue: u64,
    /// Screening tasks due in the period.
    pub screening_tasks: u64,
    pub screening_done: u64,
    /// Past their due time with no result.
    pub screening_overdue: u64,
}

impl DutyFigures {
    fn filed(&mut self, r: &FiledReport) {
        let accepted = u64::from(r.status == ReviewStatus::Accepted);
        let returned = u64::from(r.status == ReviewStatus::Returned);
        match r.kind {
            Reviewed::ThreatReport => {
                self.threat_filed += 1;
                self.threat_accepted += accepted;
                self.threat_returned += returned;
                self.threat_findings += u64::from(r.findings);
            }
            Reviewed::SpecialReport | Reviewed::ClosureReport => {
                self.special_filed += 1;
                self.special_accepted += accepted;
                self.special_returned += returned;
            }
        }
    }

    fn receipt(&mut self, r: &ReceiptFact, now: DateTime<Utc>) {
        self.instructions += 1;
        match Standing::of(r.confirm_by, r.confirmed_at, now) {
            Standing::OnTime => self.instructions_on_time += 1,
            Standing::Late => self.instructions_late += 1,
            Standing::Overdue => self.instructions_overdue += 1,
            Standing::Pending => {}
        }
    }

    /// One month a unit owes; nothing while it is not yet due and not submitted.
    fn work_report(&mut self, standing: DueStanding) {
        match standing {
            DueStanding::Pending => return,
            DueStanding::OnTime => self.work_reports_on_time += 1,
            DueStanding::Late => self.work_reports_late += 1,
            DueStanding::Overdue => self.work_reports_overdue += 1,
        }
        self.work_reports_due += 1;
    }

    fn screening(&mut self, s: &ScreeningFact, now: DateTime<Utc>) {
        self.screening_tasks += 1;
        self.screening_done += u64::from(s.done);
        self.screening_overdue += u64::from(!s.done && s.due_at <= now);
    }
}

/// The duty figures of a period: in all, per unit (every unit that owes or
/// did something) and per month (`YYYY-MM`, every month of the period).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DutyReport {
    pub totals: DutyFigures,
    pub by_unit: BTreeMap<i64, DutyFigures>,
    pub by_month: BTreeMap<String, DutyFigures>,
}

impl DutyReport {
    fn record(&mut self, unit: i64, month: String, f: impl Fn(&mut DutyFigures)) {
        if let Some(m) = self.by_month.get_mut(&month) {
            f(m);
            f(self.by_unit.entry(unit).or_default());
            f(&mut self.totals);
        }
    }
}

/// Counts `facts` into the months of `period`; a fact outside them counts nowhere.
pub fn count(facts: &DutyFacts, period: &Period, schedule: &Schedule, tz: Tz, now: DateTime<Utc>) -> DutyReport {
    let months = months_touched(period, tz);
    let mut out = DutyReport {
        by_month: months.iter().map(|m| (m.clone(), DutyFigures::default())).collect(),
        by_unit: facts.units.iter().map(|(id, _)| (*id, DutyFigures::default())).collect(),
        ..DutyReport::default()
    };
    let month_of = |at: DateTime<Utc>| Month::of(at, tz).to_string();
    for r in &facts.reports {
        out.record(r.unit_id, month_of(r.filed_at), |f| f.filed(r));
    }
    for r in &facts.receipts {
        out.record(r.unit_id, month_of(r.issued_at), |f| f.receipt(r, now));
    }
    for s in &facts.screenings {
        out.record(s.unit_id, month_of(s.due_at), |f| f.screening(s, now));
    }
    let submitted: BTreeMap<(i64, String), DateTime<Utc>> =
        facts.work_reports.iter().map(|w| ((w.unit_id, w.month.to_string()), w.submitted_at)).collect();
    let owed: BTreeSet<Month> = months.iter().filter_map(|m| Month::parse(m).ok()).collect();
    for (unit, registered_at) in &facts.units {
        for month in owed.iter().filter(|m| *registered_at < m.end(tz)) {
            let key = month.to_string();
            let at = submitted.get(&(*unit, key.clone())).copied();
            let standing = DueStanding::of(schedule.due_at(*month, tz), at, now);
            out.record(*unit, key, |f| f.work_report(standing));
        }
    }
    out
}

#[cfg(test)]
mod tests;
