//! The stored registry laid out as the import reads it: the headers, then a
//! row per active person, a row per branch without people and a row per
//! unit without either. Deactivated people are left out: the file is the
//! list of whom to reach.

use super::Column;
use super::plan::CurrentUnit;
use crate::labels::Lang;
use crate::record::{Branch, Channel, Person, Unit};

/// The table of `units`, headers first.
pub fn write(units: &[CurrentUnit]) -> Vec<Vec<String>> {
    let mut table = vec![Column::ALL.iter().map(|c| c.zh().to_owned()).collect()];
    for u in units {
        let active: Vec<_> = u.people.iter().filter(|(p, _)| p.active).collect();
        for (person, channels) in &active {
            let branch = u.branches.iter().find(|b| Some(b.id) == person.branch_id);
            table.push(row(&u.unit, branch, Some((person, channels))));
        }
        for b in &u.branches {
            if !active.iter().any(|(p, _)| p.branch_id == Some(b.id)) {
                table.push(row(&u.unit, Some(b), None));
            }
        }
        if active.is_empty() && u.branches.is_empty() {
            table.push(row(&u.unit, None, None));
        }
    }
    table
}

fn row(unit: &Unit, branch: Option<&Branch>, person: Option<(&Person, &Vec<Channel>)>) -> Vec<String> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let number = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
    Column::ALL
        .iter()
        .map(|c| match c {
            Column::Unit => unit.name.clone(),
            Column::CreditCode => text(&unit.credit_code),
            Column::HqAddress => text(&unit.hq_address),
            Column::Branch => branch.map(|b| b.name.clone()).unwrap_or_default(),
            Column::District => branch.map(|b| text(&b.district)).unwrap_or_default(),
            Column::BranchAddress => branch.map(|b| b.address.clone()).unwrap_or_default(),
            Column::Lat => number(branch.and_then(|b| b.lat)),
            Column::Lon => number(branch.and_then(|b| b.lon)),
            Column::Role => person.map(|(p, _)| p.role.label(Lang::Zh).to_owned()).unwrap_or_default(),
            Column::Name => person.map(|(p, _)| p.name.clone()).unwrap_or_default(),
            Column::Title => person.map(|(p, _)| text(&p.details.title)).unwrap_or_default(),
            Column::Mobile => person.map(|(p, _)| text(&p.phone)).unwrap_or_default(),
            Column::OfficePhone => person.map(|(p, _)| text(&p.details.office_phone)).unwrap_or_default(),
            Column::Email => person.map(|(p, _)| text(&p.details.email)).unwrap_or_default(),
            Column::Channels => person.map(|(_, ch)| channels(ch)).unwrap_or_default(),
        })
        .collect()
}

/// `短信:13800138000；Telegram:42`, in fallback order.
fn channels(channels: &[Channel]) -> String {
    channels.iter().map(|c| format!("{}:{}", c.kind.label(Lang::Zh), c.address)).collect::<Vec<_>>().join("；")
}
