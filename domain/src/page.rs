//! What a page is written from, and who writes it. The store gathers the
//! facts inside the transaction that enqueues the page; the words (both
//! languages, local times) are `notify`'s, behind `PageWriter`, so the
//! store renders nothing and needs no display zone.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::escalation::PageReason;
use crate::instruction::FollowUpStep;
use crate::notice::{Category, Severity};
use crate::people::ChannelKind;
use crate::profile::credential::{CredentialKind, CredentialStep};
use crate::work_report::{Month, WorkReportStep};

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

/// A test page (测试呼叫): to whom, on which channel, asked by whom and
/// when. It proves a channel works; it is about no assignment.
#[derive(Debug, Clone)]
pub struct TestContext {
    pub person_name: String,
    pub channel: ChannelKind,
    pub by: String,
    pub at: DateTime<Utc>,
}

impl TestContext {
    pub fn body(&self, title: String, text: String) -> PageBody {
        PageBody::plain(title, text, PageReason::Test)
    }
}

/// An instruction passed to one person of a unit: its first delivery, a
/// reminder, or its escalation to the support lead.
#[derive(Debug, Clone)]
pub struct InstructionContext {
    /// `None` for the first delivery.
    pub step: Option<FollowUpStep>,
    pub receipt_id: i64,
    pub instruction_id: i64,
    pub title: String,
    pub body: String,
    pub unit_name: String,
    pub person_name: String,
    /// Who was told and has not confirmed (named to the support lead).
    pub unconfirmed_by: Vec<String>,
    pub issued_at: DateTime<Utc>,
    pub confirm_by: DateTime<Utc>,
}

impl InstructionContext {
    pub fn reason(&self) -> PageReason {
        match self.step {
            None => PageReason::Instruction,
            Some(FollowUpStep::Remind) => PageReason::InstructionReminder,
            Some(FollowUpStep::Escalate) => PageReason::InstructionEscalation,
        }
    }

    /// The stored message, carrying the receipt its confirm button records.
    pub fn body(&self, title: String, text: String) -> PageBody {
        PageBody { instruction_receipt_id: Some(self.receipt_id), ..PageBody::plain(title, text, self.reason()) }
    }
}

/// A unit's work report for a month not yet submitted: the reminder before
/// it is due, or the flag once overdue.
#[derive(Debug, Clone)]
pub struct WorkReportContext {
    pub step: WorkReportStep,
    pub unit_name: String,
    pub person_name: String,
    pub month: Month,
    pub due_at: DateTime<Utc>,
}

impl WorkReportStep {
    /// Why its messages are sent.
    pub fn reason(self) -> PageReason {
        match self {
            WorkReportStep::Remind => PageReason::WorkReportDue,
            WorkReportStep::Overdue => PageReason::WorkReportOverdue,
        }
    }
}

impl WorkReportContext {
    pub fn reason(&self) -> PageReason {
        self.step.reason()
    }

    pub fn body(&self, title: String, text: String) -> PageBody {
        PageBody::plain(title, text, self.reason())
    }
}

/// One of a unit's credentials lapsing soon, or lapsed.
#[derive(Debug, Clone)]
pub struct CredentialContext {
    pub step: CredentialStep,
    pub unit_name: String,
    pub person_name: String,
    pub kind: CredentialKind,
    pub name: String,
    pub holder: Option<String>,
    pub valid_until: chrono::NaiveDate,
    /// Days left (lapsing) or since (lapsed).
    pub days: i64,
}

impl CredentialStep {
    /// Why its messages are sent.
    pub fn reason(self) -> PageReason {
        match self {
            CredentialStep::Expiring => PageReason::CredentialExpiring,
            CredentialStep::Expired => PageReason::CredentialExpired,
        }
    }
}

impl CredentialContext {
    pub fn reason(&self) -> PageReason {
        self.step.reason()
    }

    pub fn body(&self, title: String, text: String) -> PageBody {
        PageBody::plain(title, text, self.reason())
    }
}

impl PageContext {
    /// The stored page about this assignment, in the words given.
    pub fn body(&self, title: String, text: String) -> PageBody {
        PageBody {
            assignment_id: Some(self.assignment_id),
            notice_id: Some(self.notice_id),
            deadline_at: Some(self.deadline_at),
            ..PageBody::plain(title, text, self.reason)
        }
    }
}

impl DutyContext {
    /// The stored message announcing this shift (or its gap), in the words
    /// given: no buttons, there is nothing to acknowledge.
    pub fn body(&self, title: String, text: String) -> PageBody {
        let reason = if self.gap { PageReason::DutyGap } else { PageReason::DutyStart };
        PageBody { duty_from: Some(self.from), duty_until: Some(self.until), ..PageBody::plain(title, text, reason) }
    }
}

/// Writes a page's stored body (its title and text, and the facts a
/// channel may use) once, when it is enqueued, so every retry and every
/// channel carries the same words.
pub trait PageWriter: Send + Sync + std::fmt::Debug {
    fn page(&self, ctx: &PageContext) -> PageBody;
    fn duty_start(&self, ctx: &DutyContext) -> PageBody;
    fn test(&self, ctx: &TestContext) -> PageBody;
    fn instruction(&self, ctx: &InstructionContext) -> PageBody;
    fn work_report(&self, ctx: &WorkReportContext) -> PageBody;
    fn credential(&self, ctx: &CredentialContext) -> PageBody;
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
    /// An instruction's: the unit's receipt its confirm button records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instruction_receipt_id: Option<i64>,
}

impl PageBody {
    /// A message about nothing but itself; the others add their facts.
    pub fn plain(title: String, text: String, reason: PageReason) -> Self {
        Self {
            title,
            text,
            reason,
            assignment_id: None,
            notice_id: None,
            deadline_at: None,
            duty_from: None,
            duty_until: None,
            instruction_receipt_id: None,
        }
    }
}

/// What follows a channel giving up on a page: the fall-over rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure<C> {
    /// The same message on the recipient's next active channel.
    NextChannel(C),
    /// Another copy of the message reached them or still may: nothing more.
    Covered,
    /// Nobody was reached: the timeline says so, and the bureau's duty
    /// staff are paged unless it was them who could not be reached.
    Unreached { tell_bureau: bool },
}

/// `next`: the recipient's first active channel not yet tried for this
/// message; `covered`: whether another copy was delivered or is still
/// queued; `to_a_person`: a unit's person rather than a bureau contact.
/// A test page never falls over: it is about the channel it was sent on.
pub fn after_failure<C>(next: Option<C>, covered: bool, to_a_person: bool, reason: PageReason) -> AfterFailure<C> {
    if reason == PageReason::Test {
        return AfterFailure::Unreached { tell_bureau: false };
    }
    match next {
        Some(channel) => AfterFailure::NextChannel(channel),
        None if covered => AfterFailure::Covered,
        None => AfterFailure::Unreached { tell_bureau: to_a_person && reason != PageReason::DeliveryFailed },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_page_falls_over_then_tells_the_bureau_once() {
        let r = PageReason::Dispatch;
        assert_eq!(after_failure(Some(7), false, true, r), AfterFailure::NextChannel(7));
        assert_eq!(after_failure(Some(7), true, true, r), AfterFailure::NextChannel(7));
        assert_eq!(after_failure(None::<i64>, true, true, r), AfterFailure::Covered);
        assert_eq!(after_failure(None::<i64>, false, true, r), AfterFailure::Unreached { tell_bureau: true });
        // The bureau's own contact, or a failure notice that failed: nobody left to tell.
        assert_eq!(after_failure(None::<i64>, false, false, r), AfterFailure::Unreached { tell_bureau: false });
        let failed = PageReason::DeliveryFailed;
        assert_eq!(after_failure(None::<i64>, false, true, failed), AfterFailure::Unreached { tell_bureau: false });
        // A test page is about its channel: it tries no other and tells nobody.
        let test = PageReason::Test;
        assert_eq!(after_failure(Some(7), false, true, test), AfterFailure::Unreached { tell_bureau: false });
    }
}
