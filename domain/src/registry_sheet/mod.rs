//! The registry (名录) as one spreadsheet table, in the columns of the
//! application form's contact table: one row per person, with their unit's
//! and their branch's columns beside them (repeated on each of the unit's
//! rows, as a bureau's list of contacts keeps them). A branch without
//! people, or a unit without either, takes a row of its own.
//!
//! `read` turns a table of cells into a checked `Sheet` (every bad cell at
//! once, by its spreadsheet reference); `plan` compares it with the
//! registry as stored and says what an import would create and change;
//! `write` lays the stored registry out in the same table, so an exported
//! file imports again with nothing to do.

mod plan;
mod read;
mod write;

pub use plan::{BranchPlan, Change, Counts, CurrentUnit, PersonPlan, Plan, PlanCounts, UnitPlan, plan};
pub use read::{BranchRows, PersonRow, Sheet, UnitRows, read};
pub use write::write;

use crate::FieldError;

/// At most this many rows are read: the province's registry is a few
/// hundred; a bigger file is a mistake, not a registry.
pub const MAX_ROWS: usize = 10_000;

/// A column of the table, with the headers it is known by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Unit,
    CreditCode,
    HqAddress,
    Branch,
    District,
    BranchAddress,
    Lat,
    Lon,
    Role,
    Name,
    Title,
    Mobile,
    OfficePhone,
    Email,
    Channels,
}

impl Column {
    /// Every column in the order an export writes them.
    pub const ALL: [Column; 15] = [
        Column::Unit,
        Column::CreditCode,
        Column::HqAddress,
        Column::Branch,
        Column::District,
        Column::BranchAddress,
        Column::Lat,
        Column::Lon,
        Column::Role,
        Column::Name,
        Column::Title,
        Column::Mobile,
        Column::OfficePhone,
        Column::Email,
        Column::Channels,
    ];

    /// The header an export writes (the application form's words).
    pub fn zh(self) -> &'static str {
        match self {
            Column::Unit => "单位名称",
            Column::CreditCode => "统一社会信用代码",
            Column::HqAddress => "总部地址",
            Column::Branch => "机构名称",
            Column::District => "所在区县",
            Column::BranchAddress => "办公地点",
            Column::Lat => "纬度",
            Column::Lon => "经度",
            Column::Role => "分类",
            Column::Name => "姓名",
            Column::Title => "部门及职务",
            Column::Mobile => "手机",
            Column::OfficePhone => "办公电话",
            Column::Email => "邮箱",
            Column::Channels => "接收渠道",
        }
    }

    /// The English header, also accepted on import.
    pub fn en(self) -> &'static str {
        match self {
            Column::Unit => "Unit",
            Column::CreditCode => "Credit code",
            Column::HqAddress => "HQ address",
            Column::Branch => "Branch",
            Column::District => "District",
            Column::BranchAddress => "Office address",
            Column::Lat => "Latitude",
            Column::Lon => "Longitude",
            Column::Role => "Role",
            Column::Name => "Name",
            Column::Title => "Department and title",
            Column::Mobile => "Mobile",
            Column::OfficePhone => "Office phone",
            Column::Email => "E-mail",
            Column::Channels => "Channels",
        }
    }

    /// Other headers people write for the same column.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Unit => &["单位", "支撑单位", "支撑单位名称"],
            Column::HqAddress => &["总部办公地点"],
            Column::Branch => &["分支机构", "属地机构"],
            Column::District => &["区县"],
            Column::Mobile => &["手机号", "手机号码", "联系方式（手机）"],
            Column::Email => &["email", "电子邮箱"],
            Column::Channels => &["渠道"],
            _ => &[],
        }
    }

    /// The column a header cell names, if any: spaces, case and a trailing
    /// `*` or `（必填）` do not matter.
    pub fn of_header(header: &str) -> Option<Column> {
        let key = normalise(header);
        Column::ALL.into_iter().find(|c| {
            normalise(c.zh()) == key || normalise(c.en()) == key || c.aliases().iter().any(|a| normalise(a) == key)
        })
    }
}

fn normalise(header: &str) -> String {
    let h: String = header.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    let h = h.trim_end_matches("（必填）").trim_end_matches("(必填)");
    h.trim_end_matches('*').to_owned()
}

/// The spreadsheet name of the column at 0-based `index`: A … Z, AA …
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// `error` moved onto the cell at `cell` (`C7`) of column `header`: the
/// field becomes the cell reference, each message names row and column.
pub(crate) fn at_cell(cell: &str, row: usize, column: Column, error: &FieldError) -> FieldError {
    FieldError::new(
        cell,
        error.code,
        format!("row {row}, {} ({cell}): {}", column.en(), error.message),
        format!("第 {row} 行「{}」（{cell}）：{}", column.zh(), error.message_zh),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_known_in_either_language_and_as_people_write_them() {
        assert_eq!(Column::of_header("单位名称"), Some(Column::Unit));
        assert_eq!(Column::of_header(" credit CODE "), Some(Column::CreditCode));
        assert_eq!(Column::of_header("手机号码"), Some(Column::Mobile));
        assert_eq!(Column::of_header("姓名*"), Some(Column::Name));
        assert_eq!(Column::of_header("单位名称（必填）"), Some(Column::Unit));
        assert_eq!(Column::of_header("序号"), None);
    }

    #[test]
    fn columns_are_lettered_like_a_spreadsheet() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
