//! A change to one assignment, as every door asks for it: a milestone, a
//! note, or the bureau's extension and stand-down. Which role a change
//! needs is decided here, once, for the API, the pages, the bot and the
//! action links alike.

use chrono::{DateTime, Utc};

use super::access::Need;
use super::assignment::Milestone;
use super::geo::Coordinates;
use super::text::{self, LONG_TEXT, REASON};
use super::{DomainError, FieldError};

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Milestone {
        milestone: Milestone,
        /// When it happened; `None` means now.
        at: Option<DateTime<Utc>>,
        note: Option<String>,
        location: Option<Coordinates>,
        /// Flag the report on the timeline if made farther than this from the site.
        flag_beyond_m: Option<f64>,
    },
    Note {
        note: String,
    },
    Extend {
        deadline_at: DateTime<Utc>,
        reason: String,
    },
    StandDown {
        reason: String,
    },
    /// The person paged cannot take it ("page someone else"): the next
    /// step of the acknowledgement escalation comes due now.
    Decline {
        /// Why, when they say.
        note: Option<String>,
    },
}

impl Change {
    /// A milestone reached now, with nothing else said.
    pub fn milestone(milestone: Milestone) -> Self {
        Change::Milestone { milestone, at: None, note: None, location: None, flag_beyond_m: None }
    }

    /// A note, its text checked by the one rule every door shares.
    pub fn note(raw: &str) -> Result<Self, DomainError> {
        let note = text::required("note", raw, LONG_TEXT).map_err(invalid)?;
        Ok(Change::Note { note })
    }

    /// The role a caller must hold to ask for this change: closing and
    /// acting on the clock direct the response; the rest is reporting.
    pub fn needs(&self) -> Need {
        match self {
            Change::Milestone { milestone: Milestone::Closed, .. }
            | Change::Extend { .. }
            | Change::StandDown { .. } => Need::Direct,
            Change::Milestone { .. } | Change::Note { .. } | Change::Decline { .. } => Need::Report,
        }
    }
}

/// Moving an assignment to another unit (改派), with the bureau's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reassignment {
    pub to_unit_id: i64,
    pub reason: String,
}

impl Reassignment {
    pub fn parse(to_unit_id: i64, reason: &str) -> Result<Self, DomainError> {
        let reason = text::required("reason", reason, REASON).map_err(invalid)?;
        Ok(Self { to_unit_id, reason })
    }
}

fn invalid(e: FieldError) -> DomainError {
    DomainError::Invalid(vec![e])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_and_the_clock_are_the_bureaus_the_rest_is_reporting() {
        assert_eq!(Change::milestone(Milestone::Closed).needs(), Need::Direct);
        assert_eq!(Change::StandDown { reason: "r".into() }.needs(), Need::Direct);
        assert_eq!(Change::milestone(Milestone::OnSite).needs(), Need::Report);
        assert_eq!(Change::note("到场").unwrap().needs(), Need::Report);
    }

    #[test]
    fn an_empty_note_is_refused_before_any_door_stores_it() {
        assert!(matches!(Change::note("  "), Err(DomainError::Invalid(_))));
    }

    #[test]
    fn a_reassignment_needs_a_reason() {
        assert!(matches!(Reassignment::parse(3, "\n"), Err(DomainError::Invalid(_))));
        assert_eq!(Reassignment::parse(3, " 人手不足 ").unwrap().reason, "人手不足");
    }
}
