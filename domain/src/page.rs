//! What a page is written from, and who writes it. The store gathers the
//! facts inside the transaction that enqueues the page; the words (both
//! languages, local times) are `notify`'s, behind `PageWriter`, so the
//! store renders nothing and needs no display zone.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::escalation::PageReason;
use crate::notice::{Category, Severity};

/// The facts a page about an assignment is written from.
#[derive(Debug, Clone)]
pub struct PageContext {
    pub reason: PageReason,
    pub assignment_id: i64,
    pub notice_id: i64,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub target_name: String,
    pub site_address: String,
    pub unit_name: String,
    pub notified_at: DateTime<Utc>,
    pub deadline_at: DateTime<Utc>,
    /// The response time the assignment's own policy promised (two hours
    /// unless a unit's policy or a protection period says otherwise).
    pub promised_secs: i64,
    /// When the page is written: time left is counted from here.
    pub now: DateTime<Utc>,
    /// For a delivery failure: who could not be reached.
    pub failed_recipient: Option<String>,
}

/// The facts a duty-start (or duty-gap) message is written from.
#[derive(Debug, Clone)]
pub struct DutyContext {
    pub person_name: String,
    pub unit_name: String,
    pub branch_name: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Who hands over; `None` after a gap.
    pub after: Option<String>,
    /// Nobody comes on: the message tells the support lead of a gap.
    pub gap: bool,
}

impl PageContext {
    /// The stored page about this assignment, in the words given.
    pub fn body(&self, title: String, text: String) -> PageBody {
        PageBody {
            title,
            text,
            reason: self.reason,
            assignment_id: Some(self.assignment_id),
            notice_id: Some(self.notice_id),
            deadline_at: Some(self.deadline_at),
            duty_from: None,
            duty_until: None,
        }
    }
}

impl DutyContext {
    /// The stored message announcing this shift (or its gap), in the words
    /// given: no buttons, there is nothing to acknowledge.
    pub fn body(&self, title: String, text: String) -> PageBody {
        PageBody {
            title,
            text,
            reason: if self.gap { PageReason::DutyGap } else { PageReason::DutyStart },
            assignment_id: None,
            notice_id: None,
            deadline_at: None,
            duty_from: Some(self.from),
            duty_until: Some(self.until),
        }
    }
}

/// Writes a page's stored body (its title and text, and the facts a
/// channel may use) once, when it is enqueued, so every retry and every
/// channel carries the same words.
pub trait PageWriter: Send + Sync + std::fmt::Debug {
    fn page(&self, ctx: &PageContext) -> PageBody;
    fn duty_start(&self, ctx: &DutyContext) -> PageBody;
}

/// A page as stored: its words, written once when it is enqueued (so every
/// retry and every channel carries the same), and the facts a channel may use
/// (buttons, links) without re-reading the database. The webhook channel
/// forwards it whole, so its JSON shape is part of that channel's contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageBody {
    pub title: String,
    pub text: String,
    pub reason: PageReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_at: Option<DateTime<Utc>>,
    /// A duty hand-over: the shift it announces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duty_from: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duty_until: Option<DateTime<Utc>>,
}
