//! What importing a sheet would do to the registry as stored: which units,
//! branches and people it creates, which it changes, and which channels it
//! adds. An import adds and updates, never removes: a blank cell keeps what
//! is stored, a person or channel missing from the file stays as it is.

use std::collections::HashSet;

use serde::Serialize;

use super::read::{BranchRows, PersonRow, Sheet, UnitRows};
use super::{Column, at_cell};
use crate::error::{DomainError, FieldError};
use crate::people::ChannelDraft;
use crate::record::{Branch, Channel, Person, Unit};
use crate::unit::{BranchDraft, PersonDetails, PersonDraft, UnitDraft};

/// A stored unit with its branches and its people's channels (removed
/// channels left out).
#[derive(Debug, Clone)]
pub struct CurrentUnit {
    pub unit: Unit,
    pub branches: Vec<Branch>,
    pub people: Vec<(Person, Vec<Channel>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Create,
    Update,
    Same,
}

/// Everything an import writes, unit by unit; `id` is the stored record's.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub units: Vec<UnitPlan>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnitPlan {
    pub id: Option<i64>,
    pub change: Change,
    pub draft: UnitDraft,
    pub branches: Vec<BranchPlan>,
    pub people: Vec<PersonPlan>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BranchPlan {
    pub id: Option<i64>,
    pub change: Change,
    pub draft: BranchDraft,
}

/// A person to write: `branch` names a branch of the unit (stored, or one
/// the plan creates first); `channels` are the ones to add.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonPlan {
    pub id: Option<i64>,
    pub change: Change,
    pub draft: PersonDraft,
    pub branch: Option<String>,
    pub channels: Vec<ChannelDraft>,
}

/// How many records of one kind an import creates, changes and leaves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl Counts {
    fn add(&mut self, change: Change) {
        match change {
            Change::Create => self.created += 1,
            Change::Update => self.updated += 1,
            Change::Same => self.unchanged += 1,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanCounts {
    pub units: Counts,
    pub branches: Counts,
    pub people: Counts,
    pub channels_added: usize,
}

impl Plan {
    pub fn counts(&self) -> PlanCounts {
        let mut c = PlanCounts::default();
        for u in &self.units {
            c.units.add(u.change);
            u.branches.iter().for_each(|b| c.branches.add(b.change));
            for p in &u.people {
                c.people.add(p.change);
                c.channels_added += p.channels.len();
            }
        }
        c
    }

    /// Whether importing changes nothing (the same file a second time).
    pub fn is_empty(&self) -> bool {
        let c = self.counts();
        c.units.created + c.units.updated + c.branches.created + c.branches.updated == 0
            && c.people.created + c.people.updated + c.channels_added == 0
    }
}

/// Compares `sheet` with the stored registry. A unit is the stored one with
/// its credit code, else with its name; a branch is its unit's branch of
/// that name; a person is their unit's person of that name and role.
pub fn plan(sheet: &Sheet, current: &[CurrentUnit]) -> Result<Plan, DomainError> {
    let mut errors = Vec::new();
    let mut matched = HashSet::new();
    let mut units = Vec::new();
    for rows in &sheet.units {
        match stored_unit(sheet, rows, current) {
            Ok(Some(cur)) if !matched.insert(cur.unit.id) => errors.push(sheet.error(
                rows.row,
                Column::Unit,
                &FieldError::new(
                    "unit",
                    "same_unit_twice",
                    format!("another row's unit is already unit {} ({})", cur.unit.id, cur.unit.name),
                    format!("另一行的单位已是「{}」（{}）", cur.unit.name, cur.unit.id),
                ),
            )),
            Ok(cur) => units.push(unit_plan(sheet, rows, cur, &mut errors)),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(Plan { units }) } else { Err(DomainError::Invalid(errors)) }
}

fn stored_unit<'c>(
    sheet: &Sheet,
    rows: &UnitRows,
    current: &'c [CurrentUnit],
) -> Result<Option<&'c CurrentUnit>, FieldError> {
    let draft = &rows.draft;
    let by_code =
        draft.credit_code.as_ref().and_then(|code| current.iter().find(|c| c.unit.credit_code.as_ref() == Some(code)));
    let by_name = current.iter().find(|c| c.unit.name == draft.name);
    match (by_code, by_name) {
        (Some(c), Some(n)) if c.unit.id != n.unit.id => Err(sheet.error(
            rows.row,
            Column::Unit,
            &FieldError::new(
                "unit",
                "name_taken",
                format!("the credit code is unit {}'s, the name another unit's", c.unit.name),
                format!("统一社会信用代码属于「{}」，名称却是另一家单位的", c.unit.name),
            ),
        )),
        (Some(c), _) => Ok(Some(c)),
        (None, Some(n)) => match (&n.unit.credit_code, &draft.credit_code) {
            (Some(kept), Some(_)) => Err(sheet.error(
                rows.row,
                Column::CreditCode,
                &FieldError::new(
                    "credit_code",
                    "credit_code_differs",
                    format!("{} is registered with credit code {kept}", n.unit.name),
                    format!("「{}」登记的统一社会信用代码为 {kept}", n.unit.name),
                ),
            )),
            _ => Ok(Some(n)),
        },
        (None, None) => Ok(None),
    }
}

fn change_of<T: PartialEq>(stored: Option<&T>, merged: &T) -> Change {
    match stored {
        None => Change::Create,
        Some(s) if s == merged => Change::Same,
        Some(_) => Change::Update,
    }
}

fn unit_plan(sheet: &Sheet, rows: &UnitRows, cur: Option<&CurrentUnit>, errors: &mut Vec<FieldError>) -> UnitPlan {
    let stored = cur.map(|c| UnitDraft {
        name: c.unit.name.clone(),
        credit_code: c.unit.credit_code.clone(),
        hq_address: c.unit.hq_address.clone(),
    });
    let draft = UnitDraft {
        name: rows.draft.name.clone(),
        credit_code: rows.draft.credit_code.clone().or_else(|| stored.as_ref().and_then(|s| s.credit_code.clone())),
        hq_address: rows.draft.hq_address.clone().or_else(|| stored.as_ref().and_then(|s| s.hq_address.clone())),
    };
    let branches = rows.branches.iter().filter_map(|b| branch_plan(sheet, b, cur, errors)).collect();
    let people = rows.people.iter().map(|p| person_plan(p, cur)).collect();
    UnitPlan { id: cur.map(|c| c.unit.id), change: change_of(stored.as_ref(), &draft), draft, branches, people }
}

fn branch_plan(
    sheet: &Sheet,
    rows: &BranchRows,
    cur: Option<&CurrentUnit>,
    errors: &mut Vec<FieldError>,
) -> Option<BranchPlan> {
    let stored = cur.and_then(|c| c.branches.iter().find(|b| b.name == rows.name));
    let Some(draft) = &rows.draft else {
        if stored.is_none() {
            errors.push(sheet.error(
                rows.row,
                Column::BranchAddress,
                &FieldError::new(
                    "address",
                    "unknown_branch",
                    format!("{} is a new branch: give its office address", rows.name),
                    format!("「{}」是新的机构，请填写办公地点", rows.name),
                ),
            ));
        }
        return None;
    };
    let stored_draft = stored.map(|b| BranchDraft {
        name: b.name.clone(),
        district: b.district.clone(),
        address: b.address.clone(),
        location: b.lat.zip(b.lon).map(|(lat, lon)| crate::geo::Coordinates { lat, lon }),
    });
    let merged = BranchDraft {
        district: draft.district.clone().or_else(|| stored.and_then(|b| b.district.clone())),
        location: draft.location.or_else(|| stored_draft.as_ref().and_then(|b| b.location)),
        ..draft.clone()
    };
    Some(BranchPlan { id: stored.map(|b| b.id), change: change_of(stored_draft.as_ref(), &merged), draft: merged })
}

fn person_plan(row: &PersonRow, cur: Option<&CurrentUnit>) -> PersonPlan {
    let stored = cur.and_then(|c| c.people.iter().find(|(p, _)| p.name == row.draft.name && p.role == row.draft.role));
    let stored_branch = |id: Option<i64>| {
        let c = cur?;
        c.branches.iter().find(|b| Some(b.id) == id).map(|b| b.name.clone())
    };
    let kept = stored.map(|(p, _)| (p.phone.clone(), p.details.clone(), stored_branch(p.branch_id)));
    let (phone, details, branch) = kept.clone().unwrap_or_default();
    let new = &row.draft.details;
    let merged = (
        row.draft.phone.clone().or(phone),
        PersonDetails {
            title: new.title.clone().or(details.title),
            office_phone: new.office_phone.clone().or(details.office_phone),
            email: new.email.clone().or(details.email),
        },
        row.branch.clone().or(branch),
    );
    let channels = match stored {
        Some((_, have)) => row
            .channels
            .iter()
            .filter(|c| !have.iter().any(|h| h.kind == c.kind && h.address == c.address))
            .cloned()
            .collect(),
        None => row.channels.clone(),
    };
    let change = change_of(kept.as_ref(), &merged);
    let (phone, details, branch) = merged;
    PersonPlan {
        id: stored.map(|(p, _)| p.id),
        change,
        draft: PersonDraft { phone, details, ..row.draft.clone() },
        branch,
        channels,
    }
}

impl Sheet {
    /// `error` on the cell of `column` in `row`.
    fn error(&self, row: usize, column: Column, error: &FieldError) -> FieldError {
        let cell = format!("{}{row}", super::column_letter(self.columns.get(&column).copied().unwrap_or(0)));
        at_cell(&cell, row, column, error)
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
