//! What the store hands back: one read model per stored record, every field
//! already its domain type (a code as its enum, a JSON document as its
//! shape). Nothing outside the store sees a database row; these are the
//! rows as the rules and the doors read them.

use chrono::{DateTime, Utc};

use crate::access::{Caller, PersonCaller, Source, UserRole};
use crate::assignment::AssignmentState;
use crate::audit::Content;
use crate::closure::ClosureDraft;
use crate::escalation::{PageReason, TimerKind, TimerStatus};
use crate::event::{DeliveryStatus, EventKind};
use crate::labels::Lang;
use crate::notice::{Category, Severity, TargetKind};
use crate::page::PageBody;
use crate::people::{BureauRole, ChannelKind, ChannelStatus, Role};
use crate::policy::{PolicyOverride, SlaPolicy};
use crate::review::ReviewStatus;
use crate::screening::{ScreeningKind, ScreeningOutcome, TaskState, TaskStatus};
use crate::timeline::EventData;
use crate::unit::PersonDetails;

/// One notice dispatched to one unit: its state on the clock, the policy it
/// was dispatched with, and what the bureau did to it.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub id: i64,
    pub notice_id: i64,
    pub unit_id: i64,
    pub branch_id: Option<i64>,
    /// Status, milestones, T0 and the deadline: what the state machine reads.
    pub state: AssignmentState,
    /// The deadline before any extension.
    pub original_deadline_at: DateTime<Utc>,
    pub stand_down_reason: Option<String>,
    pub extension_count: i32,
    pub breached_at: Option<DateTime<Utc>>,
    /// The assignment this one replaced, when the bureau reassigned.
    pub reassigned_from: Option<i64>,
    /// The policy snapshot taken at dispatch: later policy edits do not move it.
    pub policy: SlaPolicy,
    pub protection_period_id: Option<i64>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// A notice as the bureau issued it.
#[derive(Debug, Clone)]
pub struct Notice {
    pub id: i64,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub target_name: String,
    pub target_kind: TargetKind,
    /// The registered detection object, when picked from the registry.
    pub enterprise_id: Option<i64>,
    pub site_address: String,
    pub site_lat: Option<f64>,
    pub site_lon: Option<f64>,
    pub description: String,
    pub requires_onsite: bool,
    pub issued_by: Option<i64>,
    pub issued_at: DateTime<Utc>,
}

/// A contracted support unit (its headquarters).
#[derive(Debug, Clone)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub credit_code: Option<String>,
    pub hq_address: Option<String>,
    /// The unit's own changes to the base policy (empty when it has none).
    pub policy_override: PolicyOverride,
    pub created_at: DateTime<Utc>,
}

/// A unit's local branch.
#[derive(Debug, Clone)]
pub struct Branch {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub district: Option<String>,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub created_at: DateTime<Utc>,
}

/// An engineer or manager of a unit.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub unit_id: i64,
    pub branch_id: Option<i64>,
    pub name: String,
    pub phone: Option<String>,
    pub role: Role,
    pub details: PersonDetails,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl Person {
    /// This person acting from one of their channels, through `source`.
    pub fn caller(&self, source: Source) -> Caller {
        Caller::Person(PersonCaller { person_id: self.id, name: self.name.clone(), unit_id: self.unit_id, source })
    }
}

/// One way to reach a person, in the order they are tried.
#[derive(Debug, Clone)]
pub struct Channel {
    pub id: i64,
    pub person_id: i64,
    pub kind: ChannelKind,
    pub address: String,
    pub priority: i32,
    pub status: ChannelStatus,
    pub status_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Someone at the bureau who is told when a unit is late.
#[derive(Debug, Clone)]
pub struct BureauContact {
    pub id: i64,
    pub name: String,
    pub role: BureauRole,
    pub kind: ChannelKind,
    pub address: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// One message to one recipient on one channel, and how its delivery went.
#[derive(Debug, Clone)]
pub struct Page {
    pub id: i64,
    pub assignment_id: Option<i64>,
    pub person_id: Option<i64>,
    pub bureau_contact_id: Option<i64>,
    pub unit_channel_id: Option<i64>,
    pub channel_id: Option<i64>,
    pub channel_kind: ChannelKind,
    pub address: String,
    pub recipient: String,
    pub reason: PageReason,
    /// Shared by the pages that carry one message on different channels.
    pub message_key: String,
    pub body: PageBody,
    /// Sent with every attempt, so a receiver can drop a repeat.
    pub idempotency_key: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The provider's own words about the last failure (for administrators).
    pub last_error: Option<String>,
    /// What the last failure means, for every reader.
    pub failure: Option<crate::event::DeliveryFailure>,
    pub provider_message_id: Option<String>,
    /// What the provider later reported of it (delivered, read, answered),
    /// and when.
    pub receipt: Option<(crate::event::Receipt, DateTime<Utc>)>,
    pub created_at: DateTime<Utc>,
}

/// One step on an assignment's timeline.
#[derive(Debug, Clone)]
pub struct TimelineEvent {
    pub id: i64,
    pub assignment_id: i64,
    pub notice_id: i64,
    pub kind: EventKind,
    /// When it happened (as reported).
    pub at: DateTime<Utc>,
    /// When onsite learned of it.
    pub recorded_at: DateTime<Utc>,
    pub source: Source,
    pub actor: String,
    pub user_id: Option<i64>,
    pub person_id: Option<i64>,
    pub note: Option<String>,
    pub data: Option<EventData>,
}

/// One check a unit runs during a protection period.
#[derive(Debug, Clone)]
pub struct ScreeningTask {
    pub id: i64,
    pub protection_period_id: i64,
    pub unit_id: i64,
    pub enterprise: String,
    pub target: String,
    /// The registered detection object screened, when picked from the registry.
    pub enterprise_id: Option<i64>,
    pub kind: ScreeningKind,
    pub due_at: Option<DateTime<Utc>>,
    pub status: TaskStatus,
    pub outcome: Option<ScreeningOutcome>,
    pub findings: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ScreeningTask {
    /// The task as the progress table reads it: undated tasks are due when
    /// the period starts.
    pub fn progress(&self, period_starts_at: DateTime<Utc>) -> TaskState {
        TaskState {
            unit_id: self.unit_id,
            kind: self.kind,
            due_at: self.due_at.unwrap_or(period_starts_at),
            outcome: self.outcome,
        }
    }
}

/// The closure report of one assignment, in the bureau's format.
#[derive(Debug, Clone)]
pub struct ClosureReport {
    pub id: i64,
    pub assignment_id: i64,
    pub status: ReviewStatus,
    /// What the unit wrote (validated when it was saved).
    pub content: ClosureDraft,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<i64>,
    pub review_comment: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A web account (bureau staff, a unit's manager, an admin). Its password
/// hash stays in the store.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: UserRole,
    pub unit_id: Option<i64>,
    pub locale: Lang,
    pub failed_logins: i32,
    pub locked_until: Option<DateTime<Utc>>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// An API token, without its hash.
#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// One step of an assignment's clock (a reminder, an escalation, the breach).
#[derive(Debug, Clone)]
pub struct Timer {
    pub id: i64,
    pub assignment_id: i64,
    pub kind: TimerKind,
    pub due_at: DateTime<Utc>,
    pub status: TimerStatus,
    pub fired_at: Option<DateTime<Utc>>,
    /// How late it fired, in milliseconds.
    pub late_ms: Option<i64>,
    /// The instance that fired it.
    pub fired_by: Option<String>,
    pub outcome: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A Telegram chat the bot has talked with, and what it waits for there.
#[derive(Debug, Clone)]
pub struct TelegramChat {
    pub id: i64,
    pub chat_id: String,
    /// The person the chat is linked to, once linked.
    pub person_id: Option<i64>,
    pub lang: Lang,
    /// The assignment whose "on site" waits for a shared location.
    pub awaiting_location_for: Option<i64>,
    pub updated_at: DateTime<Utc>,
}

/// A Telegram update as received, before or after it was handled.
#[derive(Debug, Clone)]
pub struct TelegramUpdate {
    pub id: i64,
    pub update_id: i64,
    /// The update's JSON exactly as Telegram sent it.
    pub payload: String,
    pub received_at: DateTime<Utc>,
    pub handled_at: Option<DateTime<Utc>>,
    pub attempts: i32,
    pub error: Option<String>,
}

/// One entry of the audit log; `seq`, the hashes and the MAC are set when
/// the engine seals it into the chain.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: i64,
    pub seq: Option<i64>,
    pub at: DateTime<Utc>,
    pub source: String,
    pub actor: String,
    pub user_id: Option<i64>,
    pub person_id: Option<i64>,
    pub address: Option<String>,
    pub action: String,
    pub subject: String,
    /// The change's details as the JSON the chain hashed.
    pub data: Option<String>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
    pub entry_mac: Option<String>,
}

impl AuditEntry {
    /// What the entry's hash and MAC cover, numbered `seq` in the chain.
    pub fn content(&self, seq: i64) -> Content<'_> {
        Content {
            seq,
            at: self.at,
            source: &self.source,
            actor: &self.actor,
            user_id: self.user_id,
            person_id: self.person_id,
            address: self.address.as_deref(),
            action: &self.action,
            subject: &self.subject,
            data: self.data.as_deref(),
        }
    }
}

/// Someone on duty instead of a branch's rotation, as entered.
#[derive(Debug, Clone)]
pub struct RosterOverride {
    pub id: i64,
    pub person_id: i64,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}
