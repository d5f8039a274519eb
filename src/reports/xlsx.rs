//! The XLSX export: one sheet per table (units, branches, breaches), the
//! same numbers as the JSON and CSV, numbers stored as numbers.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::csv::{breach_header, breach_row};
use super::duty_figures::DUTY_COLUMNS;
use super::{FIGURE_COLUMNS, Figures, SlaReportView};
use crate::domain::report::duties::DutyFigures;

/// Writes a cell: numeric text as a number, anything else as text.
fn cell(ws: &mut Worksheet, row: u32, col: u16, value: &str) -> Result<(), XlsxError> {
    match value.parse::<f64>() {
        Ok(n) if !value.is_empty() => ws.write_number(row, col, n).map(|_| ()),
        _ => ws.write_string(row, col, value).map(|_| ()),
    }
}

fn figures_row(ws: &mut Worksheet, row: u32, first: usize, f: &Figures) -> Result<(), XlsxError> {
    for (i, (_, value)) in FIGURE_COLUMNS.iter().enumerate() {
        cell(ws, row, u16::try_from(first + i).unwrap_or(u16::MAX), &value(f))?;
    }
    Ok(())
}

fn duties_row(ws: &mut Worksheet, row: u32, first: usize, d: &DutyFigures) -> Result<(), XlsxError> {
    for (i, (_, value)) in DUTY_COLUMNS.iter().enumerate() {
        cell(ws, row, u16::try_from(first + i).unwrap_or(u16::MAX), &value(d))?;
    }
    Ok(())
}

fn header(ws: &mut Worksheet, names: &[&str], bold: &Format) -> Result<(), XlsxError> {
    for (i, name) in names.iter().enumerate() {
        ws.write_string_with_format(0, u16::try_from(i).unwrap_or(u16::MAX), *name, bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

pub fn workbook(report: &SlaReportView) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let figure_names: Vec<&str> = FIGURE_COLUMNS.iter().map(|(h, _)| *h).collect();

    let duty_names: Vec<&str> = DUTY_COLUMNS.iter().map(|(h, _)| *h).collect();
    let duties_from = 1 + figure_names.len();

    let units = book.add_worksheet().set_name("按单位 By unit")?;
    header(units, &[&["支撑单位 Unit"][..], &figure_names, &duty_names].concat(), &bold)?;
    let mut row = 1;
    for u in &report.by_unit {
        units.write_string(row, 0, &u.unit_name)?;
        figures_row(units, row, 1, &u.figures)?;
        duties_row(units, row, duties_from, &u.duties)?;
        row += 1;
    }
    units.write_string_with_format(row, 0, "合计 Total", &bold)?;
    figures_row(units, row, 1, &report.totals)?;
    duties_row(units, row, duties_from, &report.duties)?;
    units.set_column_width(0, 28)?;

    let branches = book.add_worksheet().set_name("按属地机构 By branch")?;
    header(branches, &[&["支撑单位 Unit", "属地机构 Branch"][..], &figure_names].concat(), &bold)?;
    for (i, b) in report.by_branch.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        branches.write_string(row, 0, &b.unit_name)?;
        branches.write_string(row, 1, b.branch_name.as_deref().unwrap_or("（全部 all）"))?;
        figures_row(branches, row, 2, &b.figures)?;
    }
    branches.set_column_width(0, 28)?;

    let list = book.add_worksheet().set_name("超时清单 Breaches")?;
    header(list, &breach_header(), &bold)?;
    for (i, b) in report.breaches.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        for (col, value) in breach_row(b).iter().enumerate() {
            // Only the ids and the seconds are numbers; a title of digits stays text.
            if matches!(col, 0 | 1 | 7) {
                cell(list, row, u16::try_from(col).unwrap_or(u16::MAX), value)?;
            } else {
                list.write_string(row, u16::try_from(col).unwrap_or(u16::MAX), value)?;
            }
        }
    }
    list.set_column_width(2, 36)?;
    book.save_to_buffer()
}
