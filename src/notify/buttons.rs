//! The milestone buttons a chat app's card carries, and the key each sends
//! back when pressed: `{milestone}@{assignment}` (letters, digits, `_` and
//! `@`, which every vendor accepts in a button's key).

use super::text::ChatText;
use crate::domain::assignment::Milestone;

/// What an engineer reports from a page, in the order shown.
pub const MILESTONES: [Milestone; 4] =
    [Milestone::Acknowledged, Milestone::PlanActivated, Milestone::OnSite, Milestone::HqRemote];

/// A button's words.
pub fn label(milestone: Milestone, text: &ChatText) -> &'static str {
    match milestone {
        Milestone::Acknowledged => text.button_ack,
        Milestone::PlanActivated => text.button_plan,
        Milestone::OnSite => text.button_site,
        _ => text.button_hq,
    }
}

pub fn key(milestone: Milestone, assignment_id: i64) -> String {
    format!("{}@{assignment_id}", milestone.code())
}

/// The milestone and assignment a pressed button names; `None` for any key
/// this service did not send.
pub fn parse_key(key: &str) -> Option<(Milestone, i64)> {
    let (code, id) = key.split_once('@')?;
    let milestone = Milestone::from_code(code).filter(|m| MILESTONES.contains(m))?;
    let id: i64 = id.parse().ok().filter(|id| *id > 0)?;
    Some((milestone, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_names_its_milestone_and_assignment_and_nothing_else_parses() {
        for m in MILESTONES {
            assert_eq!(parse_key(&key(m, 42)), Some((m, 42)));
        }
        for bad in ["closed@42", "on_site@", "on_site@-1", "on_site@4x", "on_site", "", "@42", "on_site@42@1"] {
            assert_eq!(parse_key(bad), None, "{bad}");
        }
    }
}
