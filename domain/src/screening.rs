//! Pre-event screening (重保前排查): before a protection period the bureau
//! draws up a checklist of enterprises for the units on watch to screen
//! remotely or to spot-check on site; each unit records what it found, and
//! the bureau follows progress unit by unit. Pure: checking input and
//! tallying progress.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::error::{DomainError, FieldError, Validator};
use super::text;
use crate::labelled_enum;

labelled_enum! {
    /// How an enterprise is screened.
    pub enum ScreeningKind {
        Remote => ("remote", "远程检测", "Remote screening"),
        OnSite => ("on_site", "现场抽查", "On-site spot check"),
    }
}

labelled_enum! {
    /// Whether a screening task's result is in.
    pub enum TaskStatus {
        Pending => ("pending", "待排查", "Pending"),
        Done => ("done", "已完成", "Done"),
    }
}

labelled_enum! {
    /// What a screening found.
    pub enum ScreeningOutcome {
        Clean => ("clean", "未发现问题", "No issues found"),
        Issues => ("issues", "发现问题", "Issues found"),
        NotScreened => ("not_screened", "未能检测", "Could not be screened"),
    }
}

/// The most tasks one request may add: a province's checklist for one event.
pub const MAX_TASKS_PER_REQUEST: usize = 500;

/// One checklist entry as typed.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningTaskInput {
    pub unit_id: i64,
    /// The enterprise (重点企业) to screen, typed; empty when picked from
    /// the registry by `enterprise_id`.
    #[serde(default)]
    pub enterprise: String,
    /// The enterprise picked from the registry of detection objects.
    #[serde(default)]
    pub enterprise_id: Option<i64>,
    /// What of it: a site, a system, an address range.
    #[serde(default)]
    pub target: String,
    pub kind: ScreeningKind,
    /// When the result is due; the period's start when absent.
    #[serde(default, deserialize_with = "super::instant::bounded_opt")]
    pub due_at: Option<DateTime<FixedOffset>>,
}

/// A checklist as typed: every entry is added, or none.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningTasksInput {
    pub tasks: Vec<ScreeningTaskInput>,
}

/// A checked entry, not yet stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDraft {
    pub unit_id: i64,
    /// Empty until the store reads it from the registry.
    pub enterprise: String,
    pub enterprise_id: Option<i64>,
    pub target: String,
    pub kind: ScreeningKind,
    pub due_at: DateTime<Utc>,
}

/// Checks a checklist whole; errors name the entry (`tasks[2].enterprise`).
pub fn parse_tasks(
    input: &ScreeningTasksInput,
    period_starts_at: DateTime<Utc>,
) -> Result<Vec<TaskDraft>, DomainError> {
    let mut v = Validator::default();
    if input.tasks.is_empty() {
        v.push(FieldError::new("tasks", "required", "add at least one enterprise", "请至少填写一家企业"));
    }
    if input.tasks.len() > MAX_TASKS_PER_REQUEST {
        v.push(FieldError::new(
            "tasks",
            "too_many",
            format!("at most {MAX_TASKS_PER_REQUEST} tasks per request"),
            format!("每次最多 {MAX_TASKS_PER_REQUEST} 项"),
        ));
        return Err(DomainError::Invalid(v.into_errors()));
    }
    let mut drafts = Vec::with_capacity(input.tasks.len());
    for (i, t) in input.tasks.iter().enumerate() {
        let at = |e: FieldError| FieldError { field: format!("tasks[{i}].{}", e.field), ..e };
        let enterprise = match t.enterprise_id {
            Some(_) => Some(String::new()),
            None => v.check(text::required("enterprise", &t.enterprise, text::NAME).map_err(at)),
        };
        let target = v.check(text::optional("target", Some(&t.target), text::ADDRESS).map_err(at));
        if let (Some(enterprise), Some(target)) = (enterprise, target) {
            drafts.push(TaskDraft {
                unit_id: t.unit_id,
                enterprise,
                enterprise_id: t.enterprise_id,
                target: target.unwrap_or_default(),
                kind: t.kind,
                due_at: t.due_at.map_or(period_starts_at, |d| d.to_utc()),
            });
        }
    }
    v.finish()?;
    Ok(drafts)
}

/// A result as typed.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningResultInput {
    pub outcome: ScreeningOutcome,
    /// What was found (required when issues were found or the enterprise
    /// could not be screened: the bureau acts on it).
    #[serde(default)]
    pub findings: String,
}

/// A checked result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultDraft {
    pub outcome: ScreeningOutcome,
    pub findings: Option<String>,
}

impl ResultDraft {
    pub fn parse(input: &ScreeningResultInput) -> Result<Self, DomainError> {
        let findings = text::optional("findings", Some(&input.findings), text::LONG_TEXT)
            .map_err(|e| DomainError::Invalid(vec![e]))?;
        if findings.is_none() && input.outcome != ScreeningOutcome::Clean {
            return Err(DomainError::field(
                "findings",
                "required",
                "say what was found, or why it could not be screened",
                "请填写发现的问题或未能检测的原因",
            ));
        }
        Ok(Self { outcome: input.outcome, findings })
    }
}

/// A stored task as the progress table reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskState {
    pub unit_id: i64,
    pub kind: ScreeningKind,
    pub due_at: DateTime<Utc>,
    pub outcome: Option<ScreeningOutcome>,
}

/// One unit's row of the progress table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitProgress {
    pub unit_id: i64,
    pub remote_total: u32,
    pub remote_done: u32,
    pub on_site_total: u32,
    pub on_site_done: u32,
    /// Screened enterprises where something was found.
    pub issues_found: u32,
    pub not_screened: u32,
    /// Past their due time with no result.
    pub overdue: u32,
}

impl UnitProgress {
    pub fn total(&self) -> u32 {
        self.remote_total + self.on_site_total
    }

    pub fn done(&self) -> u32 {
        self.remote_done + self.on_site_done
    }

    /// Whole percent done, rounded down (so 100 means every task has a result).
    pub fn percent(&self) -> u32 {
        (self.done() * 100).checked_div(self.total()).unwrap_or(0)
    }
}

/// Progress per unit (in unit id order) and the total as of `now`.
pub fn progress(tasks: &[TaskState], now: DateTime<Utc>) -> (Vec<UnitProgress>, UnitProgress) {
    let mut by_unit: std::collections::BTreeMap<i64, UnitProgress> = std::collections::BTreeMap::new();
    let mut total = UnitProgress::default();
    for t in tasks {
        let row = by_unit.entry(t.unit_id).or_insert_with(|| UnitProgress { unit_id: t.unit_id, ..Default::default() });
        for p in [&mut *row, &mut total] {
            let done = t.outcome.is_some();
            match t.kind {
                ScreeningKind::Remote => {
                    p.remote_total += 1;
                    p.remote_done += u32::from(done);
                }
                ScreeningKind::OnSite => {
                    p.on_site_total += 1;
                    p.on_site_done += u32::from(done);
                }
            }
            p.issues_found += u32::from(t.outcome == Some(ScreeningOutcome::Issues));
            p.not_screened += u32::from(t.outcome == Some(ScreeningOutcome::NotScreened));
            p.overdue += u32::from(!done && t.due_at <= now);
        }
    }
    (by_unit.into_values().collect(), total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{min, t0};

    fn task(unit_id: i64, kind: ScreeningKind, due: i64, outcome: Option<ScreeningOutcome>) -> TaskState {
        TaskState { unit_id, kind, due_at: min(due), outcome }
    }

    #[test]
    fn progress_counts_each_units_remote_and_on_site_work_and_what_is_overdue() {
        use ScreeningKind::{OnSite, Remote};
        use ScreeningOutcome::{Clean, Issues};
        let tasks = [
            task(2, Remote, 60, Some(Clean)),
            task(2, Remote, 60, Some(Issues)),
            task(2, OnSite, 60, None),
            task(1, Remote, 10, None),
            task(1, OnSite, 120, None),
        ];
        let (units, total) = progress(&tasks, min(30));
        assert_eq!(units.iter().map(|u| u.unit_id).collect::<Vec<_>>(), [1, 2]);
        assert_eq!((units[1].remote_done, units[1].remote_total, units[1].on_site_total), (2, 2, 1));
        assert_eq!(units[1].percent(), 66, "2 of 3, rounded down");
        assert_eq!(units[1].issues_found, 1);
        assert_eq!((units[0].overdue, units[0].percent()), (1, 0), "unit 1's remote task was due at 10 minutes");
        assert_eq!((total.total(), total.done(), total.overdue), (5, 2, 1));
        assert_eq!(UnitProgress::default().percent(), 0, "no tasks is not done");
    }

    #[test]
    fn a_checklist_is_checked_whole_and_errors_name_the_entry() {
        let entry = |enterprise: &str| ScreeningTaskInput {
            unit_id: 1,
            enterprise: enterprise.into(),
            enterprise_id: None,
            target: String::new(),
            kind: ScreeningKind::Remote,
            due_at: None,
        };
        let ok = parse_tasks(&ScreeningTasksInput { tasks: vec![entry("重庆某银行")] }, t0()).unwrap();
        assert_eq!((ok[0].due_at, ok[0].target.as_str()), (t0(), ""), "due at the period's start by default");
        let Err(DomainError::Invalid(errors)) =
            parse_tasks(&ScreeningTasksInput { tasks: vec![entry("a"), entry("  ")] }, t0())
        else {
            panic!("a blank enterprise is refused")
        };
        assert_eq!(errors[0].field, "tasks[1].enterprise");
        assert!(parse_tasks(&ScreeningTasksInput { tasks: vec![] }, t0()).is_err());
    }

    #[test]
    fn issues_need_findings_and_a_clean_result_does_not() {
        let input = |outcome, findings: &str| ScreeningResultInput { outcome, findings: findings.into() };
        assert!(ResultDraft::parse(&input(ScreeningOutcome::Clean, "")).is_ok());
        assert!(ResultDraft::parse(&input(ScreeningOutcome::Issues, " ")).is_err());
        let r = ResultDraft::parse(&input(ScreeningOutcome::Issues, "门户存在SQL注入")).unwrap();
        assert_eq!(r.findings.as_deref(), Some("门户存在SQL注入"));
    }
}
