//! A table of cells read into units, their branches and their people, with
//! every bad cell reported by its reference (`C7`) in both languages.

use std::collections::HashMap;

use super::{Column, MAX_ROWS, at_cell, column_letter};
use crate::error::{DomainError, FieldError};
use crate::labels::Lang;
use crate::people::{ChannelDraft, ChannelKind, Role, validate_channel_address};
use crate::unit::{BranchDraft, PersonDetails, PersonDraft, UnitDraft};

/// A checked table: units in the order they first appear.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub units: Vec<UnitRows>,
    /// Headers that name no column (a 序号, a remark): left unread.
    pub ignored_columns: Vec<String>,
    /// Where each column is, to name a cell in a later error.
    pub(crate) columns: HashMap<Column, usize>,
}

/// A unit and what the table says of it; `row` is where it first appears.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitRows {
    pub row: usize,
    pub draft: UnitDraft,
    pub branches: Vec<BranchRows>,
    pub people: Vec<PersonRow>,
}

/// A branch named in the table: `draft` from the first row that gives its
/// 办公地点; without one the branch must already exist.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchRows {
    pub row: usize,
    pub name: String,
    pub draft: Option<BranchDraft>,
}

/// One person's row: `branch` names the branch on the same row.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    pub row: usize,
    pub draft: PersonDraft,
    pub branch: Option<String>,
    pub channels: Vec<ChannelDraft>,
}

/// Reads `table` (its first row the headers): the sheet, or every bad cell.
pub fn read(table: &[Vec<String>]) -> Result<Sheet, DomainError> {
    let Some((header, rows)) = table.split_first() else {
        return Err(whole_file("empty", "the file has no rows", "文件中没有任何行"));
    };
    let mut columns = HashMap::new();
    let mut ignored_columns = Vec::new();
    for (i, h) in header.iter().enumerate() {
        match Column::of_header(h) {
            Some(c) => {
                columns.entry(c).or_insert(i);
            }
            None if !h.trim().is_empty() => ignored_columns.push(h.trim().to_owned()),
            None => {}
        }
    }
    if !columns.contains_key(&Column::Unit) {
        return Err(whole_file(
            "no_unit_column",
            "the first row must name the columns, 单位名称 (Unit) among them",
            "第一行应为列名，且须有「单位名称」列",
        ));
    }
    if rows.len() > MAX_ROWS {
        return Err(whole_file(
            "too_many_rows",
            format!("a registry file may have at most {MAX_ROWS} rows"),
            format!("名录文件最多 {MAX_ROWS} 行"),
        ));
    }
    let mut reader = Reader { columns, units: Vec::new(), errors: Vec::new() };
    for (i, cells) in rows.iter().enumerate() {
        reader.row(Row { number: i + 2, cells });
    }
    if reader.errors.is_empty() {
        Ok(Sheet { units: reader.units, ignored_columns, columns: reader.columns })
    } else {
        Err(DomainError::Invalid(reader.errors))
    }
}

fn whole_file(code: &'static str, en: impl Into<String>, zh: impl Into<String>) -> DomainError {
    DomainError::field("file", code, en, zh)
}

struct Row<'a> {
    number: usize,
    cells: &'a [String],
}

struct Reader {
    columns: HashMap<Column, usize>,
    units: Vec<UnitRows>,
    errors: Vec<FieldError>,
}

const PERSON_COLUMNS: [Column; 7] =
    [Column::Role, Column::Name, Column::Title, Column::Mobile, Column::OfficePhone, Column::Email, Column::Channels];
const BRANCH_DETAIL_COLUMNS: [Column; 4] = [Column::District, Column::BranchAddress, Column::Lat, Column::Lon];

impl Reader {
    fn cell<'a>(&self, row: &Row<'a>, column: Column) -> Option<&'a str> {
        let i = *self.columns.get(&column)?;
        row.cells.get(i).map(|c| c.trim()).filter(|c| !c.is_empty())
    }

    fn cell_ref(&self, row: &Row, column: Column) -> String {
        let i = self.columns.get(&column).copied().unwrap_or(0);
        format!("{}{}", column_letter(i), row.number)
    }

    fn fail(&mut self, row: &Row, column: Column, error: &FieldError) {
        let cell = self.cell_ref(row, column);
        self.errors.push(at_cell(&cell, row.number, column, error));
    }

    /// Records each of a draft's field errors on the cell its field came from.
    fn fail_fields(&mut self, row: &Row, error: DomainError, column_of: impl Fn(&str) -> Column) {
        if let DomainError::Invalid(fields) = error {
            for f in fields {
                self.fail(row, column_of(&f.field), &f);
            }
        }
    }

    fn row(&mut self, row: Row) {
        if row.cells.iter().all(|c| c.trim().is_empty()) {
            return;
        }
        let Some(unit) = self.unit(&row) else { return };
        let branch = self.branch(&row, unit);
        self.person(&row, unit, branch);
    }

    /// The row's unit (its index), added on its first row; `None` when the
    /// unit columns are bad, and the rest of the row is not read.
    fn unit(&mut self, row: &Row) -> Option<usize> {
        let name = self.cell(row, Column::Unit);
        let draft = match UnitDraft::parse(
            name.unwrap_or_default(),
            self.cell(row, Column::CreditCode),
            self.cell(row, Column::HqAddress),
        ) {
            Ok(d) => d,
            Err(e) => {
                self.fail_fields(row, e, |f| match f {
                    "credit_code" => Column::CreditCode,
                    "hq_address" => Column::HqAddress,
                    _ => Column::Unit,
                });
                return None;
            }
        };
        if let Some(i) = self.units.iter().position(|u| u.draft.name == draft.name) {
            let first = self.units[i].row;
            let agreed = agree(&mut self.units[i].draft.credit_code, draft.credit_code);
            self.disagree(row, Column::CreditCode, agreed, first);
            let agreed = agree(&mut self.units[i].draft.hq_address, draft.hq_address);
            self.disagree(row, Column::HqAddress, agreed, first);
            return Some(i);
        }
        let twin = draft.credit_code.as_ref().and_then(|code| {
            self.units
                .iter()
                .find(|u| u.draft.credit_code.as_ref() == Some(code))
                .map(|u| (u.row, u.draft.name.clone()))
        });
        if let Some((first, other)) = twin {
            let e = FieldError::new(
                "credit_code",
                "duplicate_credit_code",
                format!("the same credit code as {other} on row {first}"),
                format!("与第 {first} 行的「{other}」统一社会信用代码相同"),
            );
            self.fail(row, Column::CreditCode, &e);
            return None;
        }
        self.units.push(UnitRows { row: row.number, draft, branches: Vec::new(), people: Vec::new() });
        Some(self.units.len() - 1)
    }

    fn disagree(&mut self, row: &Row, column: Column, agreed: bool, first: usize) {
        if !agreed {
            let e = FieldError::new(
                "conflict",
                "conflicting_value",
                format!("differs from row {first} for the same record"),
                format!("与第 {first} 行同一记录的值不一致"),
            );
            self.fail(row, column, &e);
        }
    }

    /// The branch named on the row, added (or completed) as needed.
    fn branch(&mut self, row: &Row, unit: usize) -> Option<String> {
        let Some(name) = self.cell(row, Column::Branch) else {
            if let Some(&c) = BRANCH_DETAIL_COLUMNS.iter().find(|&&c| self.cell(row, c).is_some()) {
                let e = FieldError::new(
                    "branch",
                    "branch_name_missing",
                    "a branch's details need its name in 机构名称 (Branch)",
                    "填写了机构信息，但「机构名称」为空",
                );
                self.fail(row, c, &e);
            }
            return None;
        };
        let draft = if self.cell(row, Column::BranchAddress).is_some() { self.branch_draft(row, name) } else { None };
        let branches = &mut self.units[unit].branches;
        let conflict = match branches.iter_mut().find(|b| b.name == name) {
            Some(b) if b.draft.is_none() => {
                b.draft = draft;
                None
            }
            Some(b) => (draft.is_some() && draft != b.draft).then_some(b.row),
            None => {
                branches.push(BranchRows { row: row.number, name: name.to_owned(), draft });
                None
            }
        };
        if let Some(first) = conflict {
            self.disagree(row, Column::BranchAddress, false, first);
        }
        Some(name.to_owned())
    }

    fn branch_draft(&mut self, row: &Row, name: &str) -> Option<BranchDraft> {
        let lat = self.number(row, Column::Lat);
        let lon = self.number(row, Column::Lon);
        let parsed = BranchDraft::parse(
            name,
            self.cell(row, Column::District),
            self.cell(row, Column::BranchAddress).unwrap_or_default(),
            lat?,
            lon?,
        );
        parsed
            .map_err(|e| {
                self.fail_fields(row, e, |f| match f {
                    "district" => Column::District,
                    "address" => Column::BranchAddress,
                    "location" => Column::Lat,
                    _ => Column::Branch,
                })
            })
            .ok()
    }

    /// A number cell: `Some(None)` when blank, `None` (and an error) when
    /// it holds something else.
    fn number(&mut self, row: &Row, column: Column) -> Option<Option<f64>> {
        match self.cell(row, column) {
            None => Some(None),
            Some(text) => match text.parse::<f64>() {
                Ok(n) if n.is_finite() => Some(Some(n)),
                _ => {
                    let e = FieldError::new("number", "not_a_number", "not a number", "不是数字");
                    self.fail(row, column, &e);
                    None
                }
            },
        }
    }

    fn person(&mut self, row: &Row, unit: usize, branch: Option<String>) {
        if PERSON_COLUMNS.iter().all(|&c| self.cell(row, c).is_none()) {
            return;
        }
        let role = self.role(row);
        let name = self.cell(row, Column::Name).unwrap_or_default();
        let draft = PersonDraft::parse(name, self.cell(row, Column::Mobile), role.unwrap_or(Role::Engineer), None)
            .map_err(|e| self.fail_fields(row, e, |f| if f == "phone" { Column::Mobile } else { Column::Name }));
        let details = PersonDetails::parse(
            self.cell(row, Column::Title),
            self.cell(row, Column::OfficePhone),
            self.cell(row, Column::Email),
        )
        .map_err(|e| {
            self.fail_fields(row, e, |f| match f {
                "title" => Column::Title,
                "office_phone" => Column::OfficePhone,
                _ => Column::Email,
            })
        });
        let channels = self.channels(row);
        let (Ok(draft), Ok(details), Some(role), Some(channels)) = (draft, details, role, channels) else { return };
        let people = &self.units[unit].people;
        if let Some(first) = people.iter().find(|p| p.draft.name == draft.name && p.draft.role == role).map(|p| p.row) {
            let e = FieldError::new(
                "name",
                "duplicate_person",
                format!("{} as {} is already on row {first}", draft.name, role.label(Lang::En)),
                format!("{}（{}）已在第 {first} 行", draft.name, role.label(Lang::Zh)),
            );
            self.fail(row, Column::Name, &e);
            return;
        }
        let draft = draft.with_details(details);
        self.units[unit].people.push(PersonRow { row: row.number, draft, branch, channels });
    }

    fn role(&mut self, row: &Row) -> Option<Role> {
        let Some(text) = self.cell(row, Column::Role) else {
            let e = FieldError::new("role", "required", "the person's role is required", "请填写人员分类");
            self.fail(row, Column::Role, &e);
            return None;
        };
        let role = role_of(text);
        if role.is_none() {
            let known = Role::ALL.iter().map(|r| r.label(Lang::Zh)).collect::<Vec<_>>().join("、");
            let e = FieldError::new(
                "role",
                "unknown_role",
                format!("unknown role {text}; one of: {known}"),
                format!("未知的分类「{text}」，应为：{known}"),
            );
            self.fail(row, Column::Role, &e);
        }
        role
    }

    /// The row's channels (none when blank); `None` when one is bad.
    fn channels(&mut self, row: &Row) -> Option<Vec<ChannelDraft>> {
        let text = self.cell(row, Column::Channels).unwrap_or_default();
        let mut out = Vec::new();
        let mut ok = true;
        for item in text.split(['；', ';', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
            match channel_of(item) {
                Ok(c) if !out.contains(&c) => out.push(c),
                Ok(_) => {}
                Err(e) => {
                    ok = false;
                    self.fail(row, Column::Channels, &e);
                }
            }
        }
        ok.then_some(out)
    }
}

/// Whether `new` agrees with what is kept: a blank says nothing, a first
/// value is kept, a different one disagrees.
fn agree(kept: &mut Option<String>, new: Option<String>) -> bool {
    match (kept.as_ref(), new) {
        (_, None) => true,
        (None, new) => {
            *kept = new;
            true
        }
        (Some(k), Some(n)) => *k == n,
    }
}

/// The role a 分类 cell names: the form's own words for the contact roles,
/// or any role's label or code.
fn role_of(text: &str) -> Option<Role> {
    match text {
        "支撑单位工作联系人" | "联系人" => Some(Role::Liaison),
        "工程师" | "技术支撑人员" => Some(Role::Engineer),
        _ => Role::ALL
            .iter()
            .copied()
            .find(|r| r.code() == text || r.label(Lang::Zh) == text || r.label(Lang::En).eq_ignore_ascii_case(text)),
    }
}

/// One channel written `kind:address` (`短信:13800138000`); the kind by
/// its label in either language or its code.
fn channel_of(item: &str) -> Result<ChannelDraft, FieldError> {
    let invalid = |en: String, zh: String| FieldError::new("channels", "invalid_channel", en, zh);
    let Some((kind, address)) = item.split_once([':', '：']) else {
        return Err(invalid(
            format!("{item}: write a channel as kind:address, e.g. 短信:13800138000"),
            format!("「{item}」：渠道应写作 类型:地址，如 短信:13800138000"),
        ));
    };
    let kind = kind.trim();
    let Some(kind) = ChannelKind::ALL
        .iter()
        .copied()
        .find(|k| k.code() == kind || k.label(Lang::Zh) == kind || k.label(Lang::En).eq_ignore_ascii_case(kind))
    else {
        let known = ChannelKind::ALL.iter().map(|k| k.label(Lang::Zh)).collect::<Vec<_>>().join("、");
        return Err(invalid(
            format!("unknown channel kind {kind}; one of: {known}"),
            format!("未知的渠道「{kind}」，应为：{known}"),
        ));
    };
    let address = validate_channel_address(kind, address.trim())
        .map_err(|e| invalid(format!("{item}: {}", e.message), format!("「{item}」：{}", e.message_zh)))?;
    Ok(ChannelDraft { kind, address })
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
