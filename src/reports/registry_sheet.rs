//! The registry's spreadsheet file, read and written: XLSX and CSV in and
//! out of the table `domain::registry_sheet` reads and writes. What a file
//! is comes from its content, not its name; a CSV may be UTF-8 (with or
//! without Excel's byte-order mark) or GB18030, as Chinese Excel saves it.
//!
//! A workbook is read by calamine only once what it declares is bounded:
//! calamine sizes its shared strings by the count the file states
//! (tafia/calamine#684), so a forged count could exhaust memory. The legacy
//! `.xls` format is refused: calamine's reader of it trusts sizes in the
//! file's header the same way, and Excel saves XLSX by default.

use std::io::{Cursor, Read};

use calamine::{Data, Reader};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::csv::{BOM, finish, neutralised};
use crate::domain::attachment::{inflated_size, sniff};
use crate::domain::registry_sheet::Column;
use crate::domain::{DomainError, FieldError};

/// A registry file is a few hundred rows: this is generous.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// What a workbook may unpack to, checked before it is unpacked.
const MAX_INFLATED_BYTES: u64 = 64 * 1024 * 1024;
/// The most shared strings a workbook may declare: far more than a
/// registry's cells.
const MAX_SHARED_STRINGS: u64 = 1_000_000;

/// A file format the registry is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SheetFormat {
    Xlsx,
    Csv,
}

impl SheetFormat {
    pub fn extension(self) -> &'static str {
        match self {
            SheetFormat::Xlsx => "xlsx",
            SheetFormat::Csv => "csv",
        }
    }
}

fn refused(code: &'static str, en: impl Into<String>, zh: impl Into<String>) -> DomainError {
    DomainError::Invalid(vec![FieldError::new("file", code, en, zh)])
}

/// The table in `bytes` (at most `MAX_FILE_BYTES`, which the doors
/// check as they receive it): the first sheet of a workbook, or a CSV.
pub fn table_of(bytes: &[u8]) -> Result<Vec<Vec<String>>, DomainError> {
    let sniffed = sniff(bytes).map_err(|e| DomainError::Invalid(vec![e]))?;
    match sniffed.mime {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => workbook_table(bytes),
        "application/x-ole-storage" => Err(refused(
            "legacy_workbook",
            "save the workbook as .xlsx (Excel Workbook) or .csv; the old .xls format is not read",
            "请将文件另存为 .xlsx（Excel 工作簿）或 .csv 后上传；不读取旧版 .xls 格式",
        )),
        m if m.starts_with("text/plain") => csv_table(bytes),
        _ => Err(refused(
            "not_a_sheet",
            "a registry file is an Excel workbook (XLSX) or a CSV file",
            "名录文件应为 Excel 工作簿（XLSX）或 CSV 文件",
        )),
    }
}

fn unreadable() -> DomainError {
    refused("file_unreadable", "the workbook cannot be read", "无法读取该 Excel 文件")
}

fn workbook_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, DomainError> {
    let too_big = || {
        refused(
            "too_large_inflated",
            "the workbook unpacks to too much to be a registry",
            "该 Excel 文件解压后过大，不像名录文件",
        )
    };
    if inflated_size(Cursor::new(bytes)).is_none_or(|n| n > MAX_INFLATED_BYTES) {
        return Err(too_big());
    }
    if declared_shared_strings(bytes)?.iter().any(|&n| n > MAX_SHARED_STRINGS) {
        return Err(too_big());
    }
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let range = book.worksheet_range_at(0).ok_or_else(unreadable)?.map_err(|_| unreadable())?;
    Ok(range.rows().map(|row| row.iter().map(cell_text).collect()).collect())
}

/// Every count of shared strings the workbook's `xl/sharedStrings.xml`
/// declares (`uniqueCount="…"`, in either quotes, spaces around `=`).
fn declared_shared_strings(bytes: &[u8]) -> Result<Vec<u64>, DomainError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let Ok(part) = archive.by_name("xl/sharedStrings.xml") else { return Ok(Vec::new()) };
    let mut xml = Vec::new();
    part.take(MAX_INFLATED_BYTES).read_to_end(&mut xml).map_err(|_| unreadable())?;
    let xml = String::from_utf8_lossy(&xml);
    let counts = xml.match_indices("uniqueCount").map(|(at, name)| {
        let rest = xml[at + name.len()..].trim_start().strip_prefix('=').unwrap_or_default().trim_start();
        let digits: String = rest.chars().skip(1).take_while(char::is_ascii_digit).collect();
        // A count too long for u64 is more than any limit.
        digits.parse().unwrap_or(u64::MAX)
    });
    Ok(counts.collect())
}

/// A cell as text: a phone typed as a number reads as its digits.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => unneutralised(s),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// A cell an export neutralised (`'=…`) read back as it was typed.
fn unneutralised(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_owned(),
        _ => cell.to_owned(),
    }
}

fn csv_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, DomainError> {
    let bytes = bytes.strip_prefix(BOM.as_bytes()).unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0,
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    reader.records().map(|r| r.map(|r| r.iter().map(unneutralised).collect())).collect::<Result<_, _>>().map_err(|e| {
        refused("csv_unreadable", format!("the CSV file cannot be read: {e}"), format!("无法读取该 CSV 文件：{e}"))
    })
}

/// `table` as a file of `format`.
pub fn file_of(table: &[Vec<String>], format: SheetFormat) -> Result<Vec<u8>, XlsxError> {
    match format {
        SheetFormat::Xlsx => workbook(table),
        SheetFormat::Csv => Ok(csv(table)),
    }
}

fn csv(table: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in table {
        // Writing to memory fails only on a bad record length, which `flexible` rules out.
        let _ = w.write_record(row.iter().map(|c| neutralised(c).into_owned()));
    }
    finish(w)
}

/// One sheet, every cell text (a phone or a credit code must not become a
/// number), the coordinates numbers, the header bold and frozen.
fn workbook(table: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = book.add_worksheet().set_name("名录 Registry")?;
    let numeric = [Column::Lat, Column::Lon].map(|c| Column::ALL.iter().position(|&x| x == c));
    for (r, row) in table.iter().enumerate() {
        let r = u32::try_from(r).unwrap_or(u32::MAX);
        for (c, value) in row.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            match value.parse::<f64>() {
                _ if r == 0 => ws.write_string_with_format(r, col, value, &bold).map(|_| ())?,
                Ok(n) if numeric.contains(&Some(c)) => ws.write_number(r, col, n).map(|_| ())?,
                _ => ws.write_string(r, col, value).map(|_| ())?,
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofit();
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gb18030_csv_as_chinese_excel_saves_it_is_read() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("单位名称,手机\n某安全公司,13800138000\n");
        let table = table_of(&bytes).unwrap();
        assert_eq!(table, vec![vec!["单位名称", "手机"], vec!["某安全公司", "13800138000"]]);
    }

    #[test]
    fn a_neutralised_cell_reads_back_as_typed() {
        let table = vec![vec!["单位名称".to_owned()], vec!["=HYPERLINK(\"x\")".to_owned()]];
        let back = table_of(&file_of(&table, SheetFormat::Csv).unwrap()).unwrap();
        assert_eq!(back, table);
        let back = table_of(&file_of(&table, SheetFormat::Xlsx).unwrap()).unwrap();
        assert_eq!(back, table);
    }

    /// An XLSX whose shared-strings part declares `count` strings.
    fn workbook_declaring(count: &str) -> Vec<u8> {
        let table = vec![vec!["单位名称".to_owned()], vec!["某安全公司".to_owned()]];
        let book = file_of(&table, SheetFormat::Xlsx).unwrap();
        let mut source = zip::ZipArchive::new(Cursor::new(book)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..source.len() {
            let mut part = source.by_index(i).unwrap();
            let name = part.name().unwrap().into_owned();
            let mut xml = String::new();
            part.read_to_string(&mut xml).unwrap();
            if name == "xl/sharedStrings.xml" {
                let at = xml.find("uniqueCount=\"").unwrap() + 13;
                let end = at + xml[at..].find('"').unwrap();
                xml.replace_range(at..end, count);
            }
            out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            std::io::Write::write_all(&mut out, xml.as_bytes()).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn a_workbook_declaring_more_shared_strings_than_a_registry_holds_is_refused_before_it_is_read() {
        assert_eq!(table_of(&workbook_declaring("2")).unwrap()[1], vec!["某安全公司"]);
        for forged in ["4000000000", "99999999999999999999999"] {
            let Err(DomainError::Invalid(e)) = table_of(&workbook_declaring(forged)) else { panic!("{forged} read") };
            assert_eq!(e[0].code, "too_large_inflated");
        }
    }

    #[test]
    fn a_legacy_xls_is_refused_with_what_to_do() {
        let mut ole = vec![0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
        ole.resize(4096, 0);
        let Err(DomainError::Invalid(e)) = table_of(&ole) else { panic!("read") };
        assert_eq!(e[0].code, "legacy_workbook");
        assert!(e[0].message_zh.contains(".xlsx"));
    }

    #[test]
    fn a_file_that_is_no_sheet_is_refused() {
        let Err(DomainError::Invalid(e)) = table_of(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") else { panic!() };
        assert_eq!(e[0].code, "not_a_sheet");
    }
}
