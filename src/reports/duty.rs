//! A protection period's daily duty report (重保每日值守报告): for each
//! local day, how the notices issued under the period's policy went and
//! who was on duty at each branch on watch. The API and the period's page
//! both come through `daily_report`.

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::local;
use crate::AppState;
use crate::domain::access::Actor;
use crate::domain::period::{self, Period};
use crate::domain::protection::ProtectionPeriod;
use crate::domain::report::{self, Figures};
use crate::store::StoreError;
use crate::store::reports::ReportFilter;
use crate::store::rosters::BranchDuty;

/// One person's (or nobody's) stretch of duty at a branch within a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DutySpanView {
    pub unit_id: i64,
    pub unit: String,
    pub branch_id: i64,
    pub branch: String,
    /// Absent for a gap: nobody was on duty.
    pub person_id: Option<i64>,
    pub person: Option<String>,
    pub from: DateTime<FixedOffset>,
    pub until: DateTime<FixedOffset>,
    pub overridden: bool,
}

/// One local day of the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DutyDayView {
    /// `YYYY-MM-DD`, local.
    pub date: String,
    /// The notices issued that day under the period's policy.
    pub figures: Figures,
    pub on_duty: Vec<DutySpanView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DailyReportView {
    pub protection_period_id: i64,
    pub name: String,
    pub generated_at: DateTime<FixedOffset>,
    /// Over the whole period.
    pub totals: Figures,
    pub days: Vec<DutyDayView>,
}

/// The daily report of `p`, within the actor's scope.
pub async fn daily_report(
    state: &AppState,
    actor: &Actor,
    p: &ProtectionPeriod,
) -> Result<DailyReportView, StoreError> {
    let now = state.clock.now();
    let window = Period { from: p.starts_at, to: p.ends_at };
    let filter = ReportFilter { protection_period_id: Some(p.id), breach_limit: Some(0), ..ReportFilter::new(window) };
    let reads = state.app.reads(actor);
    let rows = reads.report_rows(&filter).await?;
    let tz = state.tz;
    let built = report::build(&rows.facts, |t| t.with_timezone(&tz).format("%Y-%m-%d").to_string(), now);
    let units = (!p.unit_ids.is_empty()).then_some(p.unit_ids.as_slice());
    let duty = reads.duty_between(units, window.from, window.to).await?;
    let days = period::days(&window, tz)
        .into_iter()
        .map(|(date, span)| {
            let date = date.format("%Y-%m-%d").to_string();
            let figures = built.by_month.iter().find(|(d, _)| *d == date).map(|(_, f)| f.clone()).unwrap_or_default();
            DutyDayView { date, figures, on_duty: spans_within(&duty, span, tz) }
        })
        .collect();
    Ok(DailyReportView {
        protection_period_id: p.id,
        name: p.name.clone(),
        generated_at: local(now, tz),
        totals: built.totals,
        days,
    })
}

/// Every branch's segments cut to `span`.
fn spans_within(duty: &[BranchDuty], span: Period, tz: chrono_tz::Tz) -> Vec<DutySpanView> {
    let mut out = Vec::new();
    for b in duty {
        for s in b.segments.iter().filter(|s| s.from < span.to && span.from < s.until) {
            let (from, until): (DateTime<Utc>, DateTime<Utc>) = (s.from.max(span.from), s.until.min(span.to));
            out.push(DutySpanView {
                unit_id: b.unit_id,
                unit: b.unit.clone(),
                branch_id: b.branch_id,
                branch: b.branch.clone(),
                person_id: s.person_id,
                person: s.person_id.and_then(|id| b.names.get(&id).cloned()),
                from: local(from, tz),
                until: local(until, tz),
                overridden: s.overridden,
            });
        }
    }
    out
}
