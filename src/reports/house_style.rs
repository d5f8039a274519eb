//! The house style of the DOCX documents onsite writes (closure reports,
//! special reports): a centred 黑体 title, 宋体 body text, bold headings
//! and plain bordered tables, as a bureau files them.

use chrono::{DateTime, FixedOffset};
use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts, Table, TableCell, TableRow};

const BODY_FONT: &str = "宋体";
const HEADING_FONT: &str = "黑体";

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new().east_asia(east_asia).ascii("Times New Roman").hi_ansi("Times New Roman")
}

pub fn text(s: &str) -> Paragraph {
    let mut p = Paragraph::new();
    for (i, line) in s.lines().enumerate() {
        let mut run = Run::new().fonts(fonts(BODY_FONT)).size(24);
        if i > 0 {
            run = run.add_break(docx_rs::BreakType::TextWrapping);
        }
        p = p.add_run(run.add_text(line));
    }
    p
}

pub fn heading(s: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(s).bold().size(28).fonts(fonts(HEADING_FONT)))
}

fn cell(s: &str) -> TableCell {
    TableCell::new().add_paragraph(text(s))
}

pub fn table(header: &[&str], rows: Vec<Vec<String>>) -> Table {
    let mut all = vec![TableRow::new(
        header
            .iter()
            .map(|h| {
                TableCell::new().add_paragraph(
                    Paragraph::new().add_run(Run::new().add_text(*h).bold().fonts(fonts(HEADING_FONT)).size(22)),
                )
            })
            .collect(),
    )];
    all.extend(rows.into_iter().map(|r| TableRow::new(r.iter().map(|c| cell(c)).collect())));
    Table::new(all)
}

pub fn when(t: Option<DateTime<FixedOffset>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "—".to_owned())
}

/// An empty text shown as 无 (none), so a blank section reads as answered.
pub fn or_none(s: &str) -> String {
    if s.trim().is_empty() { "无".to_owned() } else { s.to_owned() }
}

/// A document opening with its centred title and subtitle.
pub fn document(title: &str, subtitle: &str) -> Docx {
    Docx::new()
        .default_fonts(fonts(BODY_FONT))
        .default_size(24)
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_text(title).bold().size(40).fonts(fonts(HEADING_FONT))),
        )
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_text(subtitle).size(28).fonts(fonts(BODY_FONT))),
        )
}

/// The document's bytes.
pub fn pack(doc: Docx) -> Result<Vec<u8>, String> {
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}
