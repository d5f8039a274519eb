//! What the API answers: stored rows turned into documented JSON, with times
//! in RFC 3339 carrying the display zone's offset and labels in both languages.

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::access::Source;
use crate::domain::assignment::{Milestone, Status};
use crate::domain::escalation::PageReason;
use crate::domain::event::{DeliveryFailure, DeliveryStatus, Receipt};
use crate::domain::labels::Lang;
use crate::domain::notice::{Category, Severity, TargetKind};
use crate::domain::people::{BureauRole, ChannelKind, ChannelStatus, Role, masked_address};
use crate::domain::record::{Assignment, Branch, BureauContact, Channel, Notice, Page, Person, TimelineEvent, Unit};
use crate::domain::sla::{SlaState, evaluate};
use crate::domain::timeline::EventData;
use crate::store::notices::NoticeRecord;

pub type ApiTime = DateTime<FixedOffset>;

/// Shows a stored UTC time with the display zone's offset.
pub fn local(at: DateTime<Utc>, tz: Tz) -> ApiTime {
    at.with_timezone(&tz).fixed_offset()
}

fn local_opt(at: Option<DateTime<Utc>>, tz: Tz) -> Option<ApiTime> {
    at.map(|t| local(t, tz))
}

/// A code with its Chinese and English labels.
#[derive(Debug, Serialize, ToSchema)]
pub struct Label {
    pub zh: &'static str,
    pub en: &'static str,
}

macro_rules! label_of {
    ($value:expr) => {
        Label { zh: $value.label(Lang::Zh), en: $value.label(Lang::En) }
    };
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitView {
    pub id: i64,
    pub name: String,
    pub credit_code: Option<String>,
    pub hq_address: Option<String>,
    pub created_at: DateTime<FixedOffset>,
}

impl UnitView {
    pub fn new(u: Unit, tz: Tz) -> Self {
        Self {
            id: u.id,
            name: u.name,
            credit_code: u.credit_code,
            hq_address: u.hq_address,
            created_at: local(u.created_at, tz),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BranchView {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub district: Option<String>,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub created_at: DateTime<FixedOffset>,
}

impl BranchView {
    pub fn new(b: Branch, tz: Tz) -> Self {
        Self {
            id: b.id,
            unit_id: b.unit_id,
            name: b.name,
            district: b.district,
            address: b.address,
            lat: b.lat,
            lon: b.lon,
            created_at: local(b.created_at, tz),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    pub id: i64,
    pub unit_id: i64,
    pub branch_id: Option<i64>,
    pub name: String,
    pub phone: Option<String>,
    pub role: Role,
    pub role_label: Label,
    pub title: Option<String>,
    pub office_phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub created_at: DateTime<FixedOffset>,
}

impl PersonView {
    pub fn new(p: Person, tz: Tz) -> Self {
        let role = p.role;
        Self {
            id: p.id,
            unit_id: p.unit_id,
            branch_id: p.branch_id,
            name: p.name,
            phone: p.phone,
            role,
            role_label: label_of!(role),
            title: p.details.title,
            office_phone: p.details.office_phone,
            email: p.details.email,
            active: p.active,
            created_at: local(p.created_at, tz),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelView {
    pub id: i64,
    pub person_id: i64,
    pub kind: ChannelKind,
    /// The address with every credential (robot key or token, user and
    /// password, query values, path tokens, signing secret) shown as `***`:
    /// an address is written, never read back.
    pub address: String,
    /// Fallback order: 1 is tried first.
    pub priority: i32,
    /// `active`, or `broken` once the provider refuses it for good.
    pub status: ChannelStatus,
    pub created_at: DateTime<FixedOffset>,
}

impl ChannelView {
    pub fn new(c: Channel, tz: Tz) -> Self {
        let kind = c.kind;
        Self {
            id: c.id,
            person_id: c.person_id,
            kind,
            address: masked_address(kind, &c.address),
            priority: c.priority,
            status: c.status,
            created_at: local(c.created_at, tz),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MilestonesView {
    pub acknowledged_at: Option<DateTime<FixedOffset>>,
    pub plan_activated_at: Option<DateTime<FixedOffset>>,
    pub on_site_at: Option<DateTime<FixedOffset>>,
    pub hq_remote_at: Option<DateTime<FixedOffset>>,
    pub resolved_at: Option<DateTime<FixedOffset>>,
    pub closed_at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaView {
    pub state: SlaState,
    pub state_label: Label,
    pub breached_milestones: Vec<Milestone>,
    pub lateness_seconds: i64,
    /// Seconds to the deadline while a required milestone is pending
    /// (negative once past); absent when nothing is pending.
    pub remaining_seconds: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    pub id: i64,
    pub notice_id: i64,
    pub unit_id: i64,
    pub unit_name: Option<String>,
    pub branch_id: Option<i64>,
    pub status: Status,
    pub status_label: Label,
    pub requires_onsite: bool,
    /// T0: when the notice was issued to this unit.
    pub notified_at: DateTime<FixedOffset>,
    /// The deadline now in force (after any extension).
    pub deadline_at: DateTime<FixedOffset>,
    pub original_deadline_at: DateTime<FixedOffset>,
    pub extension_count: i32,
    pub milestones: MilestonesView,
    pub stood_down_at: Option<DateTime<FixedOffset>>,
    pub stand_down_reason: Option<String>,
    pub sla: SlaView,
}

impl AssignmentView {
    pub fn new(a: Assignment, unit_name: Option<String>, tz: Tz, now: DateTime<Utc>) -> Self {
        let state = &a.state;
        let m = &state.milestones;
        let verdict = evaluate(state, &a.policy, now);
        Self {
            id: a.id,
            notice_id: a.notice_id,
            unit_id: a.unit_id,
            unit_name,
            branch_id: a.branch_id,
            status: state.status,
            status_label: label_of!(state.status),
            requires_onsite: state.requires_onsite,
            notified_at: local(state.notified_at, tz),
            deadline_at: local(state.deadline_at, tz),
            original_deadline_at: local(a.original_deadline_at, tz),
            extension_count: a.extension_count,
            milestones: MilestonesView {
                acknowledged_at: local_opt(m.acknowledged_at, tz),
                plan_activated_at: local_opt(m.plan_activated_at, tz),
                on_site_at: local_opt(m.on_site_at, tz),
                hq_remote_at: local_opt(m.hq_remote_at, tz),
                resolved_at: local_opt(m.resolved_at, tz),
                closed_at: local_opt(m.closed_at, tz),
            },
            stood_down_at: local_opt(state.stood_down_at, tz),
            stand_down_reason: a.stand_down_reason,
            sla: SlaView {
                state: verdict.state,
                state_label: label_of!(verdict.state),
                breached_milestones: verdict.breached_milestones,
                lateness_seconds: verdict.lateness_seconds,
                remaining_seconds: verdict.remaining_seconds,
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetView {
    pub name: String,
    pub kind: TargetKind,
    pub kind_label: Label,
    /// The registered detection object, when the target is one.
    pub enterprise_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SiteView {
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeView {
    pub id: i64,
    pub title: String,
    pub category: Category,
    pub category_label: Label,
    pub severity: Severity,
    pub severity_label: Label,
    pub target: TargetView,
    pub site: SiteView,
    pub description: String,
    pub requires_onsite: bool,
    pub issued_at: DateTime<FixedOffset>,
    pub issued_by: Option<i64>,
    pub assignments: Vec<AssignmentView>,
}

impl NoticeView {
    pub fn new(
        record: NoticeRecord,
        names: &std::collections::HashMap<i64, String>,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> Self {
        let n: Notice = record.notice;
        let (category, severity, kind) = (n.category, n.severity, n.target_kind);
        let assignments = record
            .assignments
            .into_iter()
            .map(|a| {
                let name = names.get(&a.unit_id).cloned();
                AssignmentView::new(a, name, tz, now)
            })
            .collect();
        Self {
            id: n.id,
            title: n.title,
            category,
            category_label: label_of!(category),
            severity,
            severity_label: label_of!(severity),
            target: TargetView {
                name: n.target_name,
                kind,
                kind_label: label_of!(kind),
                enterprise_id: n.enterprise_id,
            },
            site: SiteView { address: n.site_address, lat: n.site_lat, lon: n.site_lon },
            description: n.description,
            requires_onsite: n.requires_onsite,
            issued_at: local(n.issued_at, tz),
            issued_by: n.issued_by,
            assignments,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEventView {
    pub id: i64,
    pub assignment_id: i64,
    /// `dispatched`, a milestone code, `note`, `extended`, `stood_down`, …
    pub kind: String,
    /// What `kind` means, in both languages.
    pub kind_label: Label,
    /// When it happened.
    pub at: DateTime<FixedOffset>,
    /// When onsite recorded it.
    pub recorded_at: DateTime<FixedOffset>,
    pub actor: String,
    pub source: Source,
    pub note: Option<String>,
    /// The event's facts; their instants in the display zone, like every
    /// other time here.
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

/// An event's facts as shown: serialised as stored, with each instant it
/// names moved to the display zone.
fn shown(data: EventData, tz: Tz) -> serde_json::Value {
    let mut shown = serde_json::to_value(&data).unwrap_or_default();
    let mut set = |field: &str, at: DateTime<Utc>| shown[field] = serde_json::json!(local(at, tz));
    match &data {
        EventData::Dispatched(d) => set("deadline_at", d.deadline_at),
        EventData::Extended(e) => {
            set("from", e.from);
            set("to", e.to);
        }
        EventData::Reassigned(_)
        | EventData::Located(_)
        | EventData::TimerFired(_)
        | EventData::PageFailed(_)
        | EventData::FileAdded(_) => {}
    }
    shown
}

impl TimelineEventView {
    pub fn new(e: TimelineEvent, tz: Tz) -> Self {
        Self {
            id: e.id,
            assignment_id: e.assignment_id,
            kind: e.kind.code().to_owned(),
            kind_label: label_of!(e.kind),
            at: local(e.at, tz),
            recorded_at: local(e.recorded_at, tz),
            actor: e.actor,
            source: e.source,
            note: e.note,
            data: e.data.map(|d| shown(d, tz)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BureauContactView {
    pub id: i64,
    pub name: String,
    pub role: BureauRole,
    pub kind: ChannelKind,
    pub address: String,
    pub active: bool,
    pub created_at: DateTime<FixedOffset>,
}

impl BureauContactView {
    pub fn new(c: BureauContact, tz: Tz) -> Self {
        let role = c.role;
        let kind = c.kind;
        Self {
            id: c.id,
            name: c.name,
            role,
            kind,
            address: masked_address(kind, &c.address),
            active: c.active,
            created_at: local(c.created_at, tz),
        }
    }
}

/// One page: to whom, on which channel, and how delivery went.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageView {
    pub id: i64,
    pub assignment_id: Option<i64>,
    /// The person paged (absent for a bureau contact).
    pub person_id: Option<i64>,
    pub bureau_contact_id: Option<i64>,
    pub recipient: String,
    pub channel_id: Option<i64>,
    pub channel: ChannelKind,
    /// Why it was sent.
    pub reason: PageReason,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub created_at: DateTime<FixedOffset>,
    pub next_attempt_at: Option<DateTime<FixedOffset>>,
    pub sent_at: Option<DateTime<FixedOffset>>,
    /// The provider's own words about the last failure.
    pub error: Option<String>,
    /// What the last failure means: `no_sender`, `rejected`, `unavailable`,
    /// `exhausted`, `call_limit`, `not_answered` (a call nobody took),
    /// `undelivered` (the carrier's report).
    pub error_code: Option<DeliveryFailure>,
    pub error_label: Option<Label>,
    /// What the provider reported later, where it reports: `delivered`,
    /// `read`, `answered` (a call).
    pub receipt: Option<Receipt>,
    pub receipt_label: Option<Label>,
    pub receipt_at: Option<DateTime<FixedOffset>>,
}

impl PageView {
    pub fn new(p: Page, tz: Tz) -> Self {
        let waiting = p.status == DeliveryStatus::Queued;
        Self {
            id: p.id,
            assignment_id: p.assignment_id,
            person_id: p.person_id,
            bureau_contact_id: p.bureau_contact_id,
            recipient: p.recipient,
            channel_id: p.channel_id,
            channel: p.channel_kind,
            reason: p.reason,
            status: p.status,
            attempts: p.attempts,
            created_at: local(p.created_at, tz),
            next_attempt_at: waiting.then(|| local(p.next_attempt_at, tz)),
            sent_at: local_opt(p.sent_at, tz),
            error: p.last_error,
            error_code: p.failure,
            error_label: p.failure.map(|f| label_of!(f)),
            receipt: p.receipt.map(|(r, _)| r),
            receipt_label: p.receipt.map(|(r, _)| label_of!(r)),
            receipt_at: p.receipt.map(|(_, at)| local(at, tz)),
        }
    }
}
