//! Work reports (汇报, mechanism 三(二)2): each unit reports monthly what it
//! did, what went wrong and what it plans, by a due day of the following
//! month; the unit is reminded before the day and flagged overdue after it.
//! When a month's report is due, and where a unit stands, is decided here.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::error::{DomainError, FieldError, Validator};
use super::text::{self, LONG_TEXT};
use crate::labelled_enum;

/// The month a report covers, `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// `YYYY-MM` between 2000 and 2199.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let bad = || FieldError::new("month", "invalid_month", "use a month YYYY-MM", "月份格式应为 YYYY-MM");
        let (y, m) = raw.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(2000..=2199).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Self { year, month })
    }

    /// The month `at` falls in, on `tz`'s calendar.
    pub fn of(at: DateTime<Utc>, tz: Tz) -> Self {
        let local = at.with_timezone(&tz);
        Self { year: local.year(), month: local.month() }
    }

    pub fn next(self) -> Self {
        if self.month == 12 { Self { year: self.year + 1, month: 1 } } else { Self { month: self.month + 1, ..self } }
    }

    pub fn previous(self) -> Self {
        if self.month == 1 { Self { year: self.year - 1, month: 12 } } else { Self { month: self.month - 1, ..self } }
    }

    fn day(self, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, day).unwrap_or_default()
    }

    /// Local midnight as the month ends: a unit registered after it owes
    /// no report for it.
    pub fn end(self, tz: Tz) -> DateTime<Utc> {
        local_midnight(self.next().day(1), tz)
    }

    /// `2026年11月`.
    pub fn label_zh(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

fn local_midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&midnight).earliest().map_or_else(|| Utc.from_utc_datetime(&midnight), |t| t.to_utc())
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{:02}", self.year, self.month)
    }
}

/// When reports are due and reminded (configured per deployment): a
/// month's report by the end of `due_day` of the following month, the
/// unit reminded `remind_before` that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// 1 to 28, so every month has it.
    pub due_day: u32,
    pub remind_before: Duration,
}

impl Schedule {
    /// The end of the due day of the month after `m` (local midnight after it).
    pub fn due_at(&self, m: Month, tz: Tz) -> DateTime<Utc> {
        local_midnight(m.next().day(self.due_day.clamp(1, 28)) + Duration::days(1), tz)
    }

    pub fn remind_at(&self, m: Month, tz: Tz) -> DateTime<Utc> {
        self.due_at(m, tz) - self.remind_before
    }

    /// The month whose report is owed at `now`: the month just ended.
    pub fn owed(&self, now: DateTime<Utc>, tz: Tz) -> Month {
        Month::of(now, tz).previous()
    }

    /// The follow-ups of `m` due at `now`, and when the next one of this
    /// month or the next is due (for the engine to sleep until).
    pub fn due_steps(&self, now: DateTime<Utc>, tz: Tz) -> (Month, Vec<WorkReportStep>, DateTime<Utc>) {
        let m = self.owed(now, tz);
        let (remind, due) = (self.remind_at(m, tz), self.due_at(m, tz));
        // Past the due time the flag is all: a reminder then would come late.
        let steps = if now >= due {
            vec![WorkReportStep::Overdue]
        } else if now >= remind {
            vec![WorkReportStep::Remind]
        } else {
            vec![]
        };
        let next = [remind, due, self.remind_at(m.next(), tz)].into_iter().find(|t| *t > now).unwrap_or(due);
        (m, steps, next)
    }
}

labelled_enum! {
    /// A follow-up of a report not yet submitted.
    pub enum WorkReportStep {
        Remind => ("remind", "工作汇报提醒", "Work report due"),
        Overdue => ("overdue", "工作汇报逾期", "Work report overdue"),
    }
}

labelled_enum! {
    /// Where a report is.
    pub enum WorkReportStatus {
        Draft => ("draft", "草稿", "Draft"),
        Submitted => ("submitted", "已报送", "Submitted"),
    }
}

labelled_enum! {
    /// Where a unit stands with a month's report.
    pub enum DueStanding {
        Pending => ("pending", "待报送", "Not yet due"),
        OnTime => ("on_time", "按时报送", "On time"),
        Late => ("late", "逾期报送", "Submitted late"),
        Overdue => ("overdue", "逾期未报", "Overdue"),
    }
}

impl DueStanding {
    pub fn of(due_at: DateTime<Utc>, submitted_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        match submitted_at {
            Some(at) if at < due_at => Self::OnTime,
            Some(_) => Self::Late,
            None if now >= due_at => Self::Overdue,
            None => Self::Pending,
        }
    }
}

/// A work report as typed; any part may be empty in a draft.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkReportInput {
    /// 工作开展情况.
    #[serde(default)]
    pub work_done: String,
    /// 存在问题.
    #[serde(default)]
    pub problems: String,
    /// 下一步计划.
    #[serde(default)]
    pub next_plans: String,
}

/// A checked work report's content.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkReportDraft {
    pub work_done: String,
    pub problems: String,
    pub next_plans: String,
}

impl WorkReportDraft {
    pub fn parse(input: &WorkReportInput) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let mut part = |field: &str, value: &str| {
            v.check(text::optional(field, Some(value), LONG_TEXT)).flatten().unwrap_or_default()
        };
        let work_done = part("work_done", &input.work_done);
        let problems = part("problems", &input.problems);
        let next_plans = part("next_plans", &input.next_plans);
        v.finish()?;
        Ok(Self { work_done, problems, next_plans })
    }

    /// Every part is needed to submit (a unit with no problems says so).
    pub fn check_complete(&self) -> Result<(), DomainError> {
        let mut v = Validator::default();
        for (field, value) in
            [("work_done", &self.work_done), ("problems", &self.problems), ("next_plans", &self.next_plans)]
        {
            if value.is_empty() {
                v.push(FieldError::new(field, "required", format!("{field} is needed to submit"), "提交前须填写此项"));
            }
        }
        v.finish()
    }
}

/// A unit's report for a month, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkReport {
    pub id: i64,
    pub unit_id: i64,
    pub month: Month,
    pub content: WorkReportDraft,
    pub status: WorkReportStatus,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submitted_by: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// A report may be filed for the month owed or an earlier one, and the
/// month under way (to be submitted once it ends), never a later one.
pub fn check_fileable(m: Month, now: DateTime<Utc>, tz: Tz) -> Result<(), DomainError> {
    if m > Month::of(now, tz) {
        return Err(DomainError::field("month", "future_month", "that month has not begun", "该月份尚未开始"));
    }
    Ok(())
}

/// A month's report may be submitted once the month has ended.
pub fn check_submittable(m: Month, now: DateTime<Utc>, tz: Tz) -> Result<(), DomainError> {
    if m >= Month::of(now, tz) {
        return Err(DomainError::conflict(
            "month_not_ended",
            "a month's report is submitted once the month has ended",
            "当月工作汇报须在月末之后报送",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
