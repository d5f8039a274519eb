//! CSV exports, UTF-8 with a byte-order mark so Excel opens Chinese
//! correctly. The same numbers as the JSON report, column for column.

use std::borrow::Cow;
use std::collections::VecDeque;

use axum::body::Bytes;
use futures::Stream;

use super::duty_figures::DUTY_COLUMNS;
use super::{BreachView, FIGURE_COLUMNS, SlaReportView};
use crate::AppState;
use crate::app::reads::Reads;
use crate::domain::access::Actor;
use crate::domain::duration::format_duration;
use crate::domain::labels::Lang;
use crate::domain::report::{self, Breach};
use crate::store::StoreError;
use crate::store::reports::ReportFilter;

/// Settled breaches read per page while streaming.
const PAGE: u64 = 5_000;

/// What Excel needs to read UTF-8.
pub const BOM: &str = "\u{feff}";

pub(crate) fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    let body = w.into_inner().unwrap_or_default();
    let mut out = Vec::with_capacity(BOM.len() + body.len());
    out.extend_from_slice(BOM.as_bytes());
    out.extend_from_slice(&body);
    out
}

/// A cell as Excel will show it, not run it: text starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return is read as a formula, so it gets a
/// leading `'` (OWASP's rule). A unit named `=HYPERLINK(…)` reads as typed.
pub fn neutralised(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// Writes one row, every cell neutralised: the one way rows reach a CSV.
pub(crate) fn record<W: std::io::Write, S: AsRef<str>>(
    w: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = S>,
) -> Result<(), csv::Error> {
    w.write_record(cells.into_iter().map(|c| neutralised(c.as_ref()).into_owned()))
}

/// Per-unit figures, then the total.
pub fn units(report: &SlaReportView) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["支撑单位 Unit"];
    header.extend(FIGURE_COLUMNS.iter().map(|(h, _)| *h));
    header.extend(DUTY_COLUMNS.iter().map(|(h, _)| *h));
    record(&mut w, &header)?;
    for u in &report.by_unit {
        let mut row = vec![u.unit_name.clone()];
        row.extend(FIGURE_COLUMNS.iter().map(|(_, v)| v(&u.figures)));
        row.extend(DUTY_COLUMNS.iter().map(|(_, v)| v(&u.duties)));
        record(&mut w, &row)?;
    }
    let mut total = vec!["合计 Total".to_owned()];
    total.extend(FIGURE_COLUMNS.iter().map(|(_, v)| v(&report.totals)));
    total.extend(DUTY_COLUMNS.iter().map(|(_, v)| v(&report.duties)));
    record(&mut w, &total)?;
    Ok(finish(w))
}

/// The breach list as CSV, latest first, streamed: the breaches judged at
/// the time of asking (open assignments, the period's partial months) are
/// few and read first; the settled ones are paged from the maintained list
/// and merged in order, so a year's hundred thousand rows are never held at
/// once. A failure midway ends the body early (the status is already sent).
pub fn breach_stream(
    state: AppState,
    actor: Actor,
    filter: ReportFilter,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send {
    async_stream::try_stream! {
        let reads = state.app.reads(&actor);
        let now = state.clock.now();
        let (facts, months) = reads.breach_sources(&filter).await.map_err(failed)?;
        let mut judged: Vec<Breach> = facts.iter().filter_map(|f| report::contribution(f, now).1).collect();
        report::sort_breaches(&mut judged);
        let mut judged = VecDeque::from(judged);
        let mut w = csv::Writer::from_writer(BOM.as_bytes().to_vec());
        record(&mut w, breach_header()).map_err(failed)?;
        yield Bytes::from(w.into_inner().map_err(failed)?);
        let mut after = None;
        loop {
            let page = if months.is_empty() {
                Vec::new()
            } else {
                reads.settled_breaches_after(&filter, &months, after, Some(PAGE)).await.map_err(failed)?
            };
            let done = (page.len() as u64) < PAGE;
            after = page.last().map(|b| (b.lateness_seconds, b.assignment_id));
            let batch = merge_page(&mut judged, page, done);
            if !batch.is_empty() {
                yield rows(reads, state.tz, batch).await.map_err(failed)?;
            }
            if done {
                break;
            }
        }
    }
}

/// One page of settled breaches with the judged ones that come before its
/// end (all of them after the last page), in the breach list's order.
fn merge_page(judged: &mut VecDeque<Breach>, page: Vec<Breach>, last: bool) -> Vec<Breach> {
    let mut batch = Vec::with_capacity(page.len());
    for settled in page {
        while judged.front().is_some_and(|j| comes_before(j, &settled)) {
            batch.extend(judged.pop_front());
        }
        batch.push(settled);
    }
    if last {
        batch.extend(judged.drain(..));
    }
    batch
}

/// The breach list's order (latest first, then by assignment).
fn comes_before(a: &Breach, b: &Breach) -> bool {
    (std::cmp::Reverse(a.lateness_seconds), a.assignment_id) < (std::cmp::Reverse(b.lateness_seconds), b.assignment_id)
}

fn failed(e: impl std::fmt::Display) -> std::io::Error {
    tracing::error!(error = %e, "breach list export failed midway");
    std::io::Error::other(e.to_string())
}

/// CSV rows for a batch of breaches, with their titles and names.
async fn rows(reads: Reads<'_>, tz: chrono_tz::Tz, batch: Vec<Breach>) -> Result<Bytes, StoreError> {
    let ids = |f: fn(&Breach) -> Option<i64>| {
        let mut v: Vec<i64> = batch.iter().filter_map(f).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let titles = reads.notice_titles(&ids(|b| Some(b.notice_id))).await?;
    let units = reads.unit_names(&ids(|b| Some(b.unit_id))).await?;
    let branches = reads.branch_names(&ids(|b| b.branch_id)).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    for b in batch {
        let title = titles.get(&b.notice_id).cloned().unwrap_or_default();
        let unit = units.get(&b.unit_id).cloned().unwrap_or_else(|| format!("#{}", b.unit_id));
        let branch = b.branch_id.and_then(|id| branches.get(&id).cloned());
        let view = BreachView::new(b, title, unit, branch, tz);
        record(&mut w, breach_row(&view)).map_err(|e| StoreError::Corrupt(format!("csv: {e}")))?;
    }
    Ok(Bytes::from(w.into_inner().map_err(|e| StoreError::Corrupt(format!("csv: {e}")))?))
}

pub fn breach_header() -> [&'static str; 10] {
    [
        "派单 Assignment",
        "通知 Notice",
        "标题 Title",
        "支撑单位 Unit",
        "属地机构 Branch",
        "派单时间 Notified",
        "超时节点 Milestones",
        "超时(秒) Lateness (s)",
        "超时 Lateness",
        "已延长 Extended",
    ]
}

pub fn breach_row(b: &super::BreachView) -> [String; 10] {
    [
        b.assignment_id.to_string(),
        b.notice_id.to_string(),
        b.title.clone(),
        b.unit_name.clone(),
        b.branch_name.clone().unwrap_or_default(),
        b.notified_at.format("%Y-%m-%d %H:%M").to_string(),
        b.milestones.iter().map(|m| m.label(Lang::Zh)).collect::<Vec<_>>().join("、"),
        b.lateness_seconds.to_string(),
        format_duration(b.lateness_seconds, Lang::Zh),
        if b.extended { "是 yes" } else { "否 no" }.to_owned(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 03:00 in Chongqing.
    fn t0() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339("2026-11-24T19:00:00Z").unwrap().to_utc()
    }

    fn breach(id: i64, lateness: i64) -> Breach {
        Breach {
            assignment_id: id,
            notice_id: id,
            unit_id: 1,
            branch_id: None,
            notified_at: t0(),
            milestones: vec![],
            lateness_seconds: lateness,
            extended: false,
        }
    }

    #[test]
    fn a_cell_excel_would_run_is_shown_as_typed() {
        for formula in ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralised(formula), format!("'{formula}"));
        }
        for plain in ["安盾", "a=b", "2026-11-25 03:00", "12", ""] {
            assert_eq!(neutralised(plain), plain);
        }
    }

    /// Pages of settled breaches and the judged ones come out as one list,
    /// latest first, whatever the page boundaries.
    #[test]
    fn pages_merge_with_the_judged_breaches_in_order() {
        let settled = [(1, 900), (4, 600), (5, 600), (7, 100), (8, 50)];
        let mut judged = VecDeque::from(vec![breach(3, 1_000), breach(2, 600), breach(6, 600), breach(9, 10)]);
        let mut out = Vec::new();
        for (k, page) in settled.chunks(2).enumerate() {
            let page = page.iter().map(|(id, l)| breach(*id, *l)).collect();
            out.extend(merge_page(&mut judged, page, k == 2));
        }
        let got: Vec<(i64, i64)> = out.iter().map(|b| (b.assignment_id, b.lateness_seconds)).collect();
        assert_eq!(got, [(3, 1_000), (1, 900), (2, 600), (4, 600), (5, 600), (6, 600), (7, 100), (8, 50), (9, 10)]);
        assert!(judged.is_empty());
    }
}
