//! A month's work reports as the bureau reads them: every unit in the
//! reader's scope, its report if any, and where it stands against the due
//! time (the API and the page render the same lines).

use crate::AppState;
use crate::domain::access::Reader;
use crate::domain::work_report::{DueStanding, Month, WorkReport};
use crate::store::StoreResult;

/// One unit's line.
pub struct Line {
    pub unit_id: i64,
    pub unit_name: String,
    pub standing: DueStanding,
    pub report: Option<WorkReport>,
}

/// Every unit in `reader`'s scope for `month`, in unit order.
pub async fn month_lines(state: &AppState, reader: &impl Reader, month: Month) -> StoreResult<Vec<Line>> {
    let reads = state.app.reads(reader);
    let mut reports = reads.work_reports(month).await?;
    let due = state.app.schedule().due_at(month, state.tz);
    let now = state.clock.now();
    Ok(reads
        .units()
        .await?
        .into_iter()
        .map(|u| {
            let report = reports.iter().position(|r| r.unit_id == u.id).map(|i| reports.swap_remove(i));
            Line {
                standing: DueStanding::of(due, report.as_ref().and_then(|r| r.submitted_at), now),
                unit_id: u.id,
                unit_name: u.name,
                report,
            }
        })
        .collect())
}
