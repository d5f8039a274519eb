//! CSV exports, UTF-8 with a byte-order mark so Excel opens Chinese
//! correctly. The same numbers as the JSON report, column for column.

use super::{FIGURE_COLUMNS, SlaReportView};
use crate::domain::duration::format_duration;
use crate::domain::labels::Lang;

/// What Excel needs to read UTF-8.
pub const BOM: &str = "\u{feff}";

fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    let body = w.into_inner().unwrap_or_default();
    let mut out = Vec::with_capacity(BOM.len() + body.len());
    out.extend_from_slice(BOM.as_bytes());
    out.extend_from_slice(&body);
    out
}

/// Per-unit figures, then the total.
pub fn units(report: &SlaReportView) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["支撑单位 Unit"];
    header.extend(FIGURE_COLUMNS.iter().map(|(h, _)| *h));
    w.write_record(&header)?;
    for u in &report.by_unit {
        let mut row = vec![u.unit_name.clone()];
        row.extend(FIGURE_COLUMNS.iter().map(|(_, v)| v(&u.figures)));
        w.write_record(&row)?;
    }
    let mut total = vec!["合计 Total".to_owned()];
    total.extend(FIGURE_COLUMNS.iter().map(|(_, v)| v(&report.totals)));
    w.write_record(&total)?;
    Ok(finish(w))
}

/// The breach list, latest first.
pub fn breaches(report: &SlaReportView) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(breach_header())?;
    for b in &report.breaches {
        w.write_record(breach_row(b))?;
    }
    Ok(finish(w))
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
