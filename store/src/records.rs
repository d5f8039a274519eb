//! Rows become the domain's read models (`domain::record`) here, in one
//! place: a row leaves the store only as its record.

use crate::domain::closure::ClosureDraft;
use crate::domain::record::{
    ApiToken, Assignment, AuditEntry, Branch, BureauContact, Channel, ClosureReport, Notice, Page, Person,
    RosterOverride, ScreeningTask, TelegramChat, TelegramUpdate, TimelineEvent, Timer, Unit, User,
};
use crate::domain::unit::PersonDetails;
use crate::entities::{
    api_token, assignment, audit_entry, branch, bureau_contact, channel, closure_report, notice, page, person,
    roster_override, screening_task, telegram_chat, telegram_update, timeline_event, timer, unit, user,
};
use crate::json_text::JsonText;

impl From<assignment::Model> for Assignment {
    fn from(a: assignment::Model) -> Self {
        let state = a.state();
        Assignment {
            id: a.id,
            notice_id: a.notice_id,
            unit_id: a.unit_id,
            branch_id: a.branch_id,
            state,
            original_deadline_at: a.original_deadline_at,
            stand_down_reason: a.stand_down_reason,
            extension_count: a.extension_count,
            breached_at: a.breached_at,
            reassigned_from: a.reassigned_from,
            policy: a.policy.into_inner(),
            protection_period_id: a.protection_period_id,
            version: a.version,
            updated_at: a.updated_at,
        }
    }
}

impl From<notice::Model> for Notice {
    fn from(n: notice::Model) -> Self {
        Notice {
            id: n.id,
            title: n.title,
            category: n.category,
            severity: n.severity,
            target_name: n.target_name,
            target_kind: n.target_kind,
            enterprise_id: n.enterprise_id,
            site_address: n.site_address,
            site_lat: n.site_lat,
            site_lon: n.site_lon,
            description: n.description,
            requires_onsite: n.requires_onsite,
            issued_by: n.issued_by,
            issued_at: n.issued_at,
        }
    }
}

impl From<unit::Model> for Unit {
    fn from(u: unit::Model) -> Self {
        Unit {
            id: u.id,
            name: u.name,
            credit_code: u.credit_code,
            hq_address: u.hq_address,
            policy_override: u.policy_override.map(JsonText::into_inner).unwrap_or_default(),
            created_at: u.created_at,
        }
    }
}

impl From<branch::Model> for Branch {
    fn from(b: branch::Model) -> Self {
        Branch {
            id: b.id,
            unit_id: b.unit_id,
            name: b.name,
            district: b.district,
            address: b.address,
            lat: b.lat,
            lon: b.lon,
            created_at: b.created_at,
        }
    }
}

impl From<person::Model> for Person {
    fn from(p: person::Model) -> Self {
        Person {
            id: p.id,
            unit_id: p.unit_id,
            branch_id: p.branch_id,
            name: p.name,
            phone: p.phone,
            role: p.role,
            details: PersonDetails { title: p.title, office_phone: p.office_phone, email: p.email },
            active: p.active,
            created_at: p.created_at,
        }
    }
}

impl From<channel::Model> for Channel {
    fn from(c: channel::Model) -> Self {
        Channel {
            id: c.id,
            person_id: c.person_id,
            kind: c.kind,
            address: c.address,
            priority: c.priority,
            status: c.status,
            status_reason: c.status_reason,
            created_at: c.created_at,
        }
    }
}

impl From<bureau_contact::Model> for BureauContact {
    fn from(c: bureau_contact::Model) -> Self {
        BureauContact {
            id: c.id,
            name: c.name,
            role: c.role,
            kind: c.kind,
            address: c.address,
            active: c.active,
            created_at: c.created_at,
        }
    }
}

impl From<page::Model> for Page {
    fn from(p: page::Model) -> Self {
        Page {
            id: p.id,
            assignment_id: p.assignment_id,
            person_id: p.person_id,
            bureau_contact_id: p.bureau_contact_id,
            unit_channel_id: p.unit_channel_id,
            channel_id: p.channel_id,
            channel_kind: p.channel_kind,
            address: p.address,
            recipient: p.recipient,
            reason: p.reason,
            message_key: p.message_key,
            body: p.body.into_inner(),
            idempotency_key: p.idempotency_key,
            status: p.status,
            attempts: p.attempts,
            next_attempt_at: p.next_attempt_at,
            sent_at: p.sent_at,
            last_error: p.last_error,
            failure: p.last_error_code,
            provider_message_id: p.provider_message_id,
            receipt: p.receipt.zip(p.receipt_at),
            created_at: p.created_at,
        }
    }
}

impl From<timeline_event::Model> for TimelineEvent {
    fn from(e: timeline_event::Model) -> Self {
        TimelineEvent {
            id: e.id,
            assignment_id: e.assignment_id,
            notice_id: e.notice_id,
            kind: e.kind,
            at: e.at,
            recorded_at: e.recorded_at,
            source: e.source,
            actor: e.actor,
            user_id: e.user_id,
            person_id: e.person_id,
            note: e.note,
            data: e.data.map(JsonText::into_inner),
        }
    }
}

impl From<screening_task::Model> for ScreeningTask {
    fn from(t: screening_task::Model) -> Self {
        ScreeningTask {
            id: t.id,
            protection_period_id: t.protection_period_id,
            unit_id: t.unit_id,
            enterprise: t.enterprise,
            target: t.target,
            enterprise_id: t.enterprise_id,
            kind: t.kind,
            due_at: t.due_at,
            status: t.status,
            outcome: t.outcome,
            findings: t.findings,
            done_at: t.done_at,
            done_by: t.done_by,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

impl From<closure_report::Model> for ClosureReport {
    fn from(r: closure_report::Model) -> Self {
        ClosureReport {
            id: r.id,
            assignment_id: r.assignment_id,
            status: r.status,
            content: ClosureDraft {
                event_time: r.event_time,
                description: r.description,
                cause: r.cause,
                impact: r.impact,
                countermeasures: r.countermeasures,
                analysis: r.analysis,
                five_tuples: r.five_tuples.into_inner(),
                propagation_path: r.propagation_path,
                c2_addresses: r.c2_addresses.into_inner(),
                disposal_recommendations: r.disposal_recommendations,
            },
            submitted_at: r.submitted_at,
            reviewed_at: r.reviewed_at,
            reviewed_by: r.reviewed_by,
            review_comment: r.review_comment,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl From<user::Model> for User {
    fn from(u: user::Model) -> Self {
        User {
            id: u.id,
            username: u.username,
            role: u.role,
            unit_id: u.unit_id,
            locale: u.locale,
            failed_logins: u.failed_logins,
            locked_until: u.locked_until,
            disabled: u.disabled,
            created_at: u.created_at,
        }
    }
}

impl From<api_token::Model> for ApiToken {
    fn from(t: api_token::Model) -> Self {
        ApiToken {
            id: t.id,
            user_id: t.user_id,
            name: t.name,
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
            last_used_at: t.last_used_at,
        }
    }
}

impl From<timer::Model> for Timer {
    fn from(t: timer::Model) -> Self {
        Timer {
            id: t.id,
            assignment_id: t.assignment_id,
            kind: t.kind,
            due_at: t.due_at,
            status: t.status,
            fired_at: t.fired_at,
            late_ms: t.late_ms,
            fired_by: t.fired_by,
            outcome: t.outcome,
            created_at: t.created_at,
        }
    }
}

impl From<telegram_chat::Model> for TelegramChat {
    fn from(c: telegram_chat::Model) -> Self {
        TelegramChat {
            id: c.id,
            chat_id: c.chat_id,
            person_id: c.person_id,
            lang: c.lang,
            awaiting_location_for: c.awaiting_location_for,
            updated_at: c.updated_at,
        }
    }
}

impl From<telegram_update::Model> for TelegramUpdate {
    fn from(u: telegram_update::Model) -> Self {
        TelegramUpdate {
            id: u.id,
            update_id: u.update_id,
            payload: u.payload,
            received_at: u.received_at,
            handled_at: u.handled_at,
            attempts: u.attempts,
            error: u.error,
        }
    }
}

impl From<audit_entry::Model> for AuditEntry {
    fn from(e: audit_entry::Model) -> Self {
        AuditEntry {
            id: e.id,
            seq: e.seq,
            at: e.at,
            source: e.source,
            actor: e.actor,
            user_id: e.user_id,
            person_id: e.person_id,
            address: e.address,
            action: e.action,
            subject: e.subject,
            data: e.data,
            prev_hash: e.prev_hash,
            hash: e.hash,
            entry_mac: e.entry_mac,
        }
    }
}

/// Rows as their records, in order.
pub(crate) fn all<M, R: From<M>>(rows: Vec<M>) -> Vec<R> {
    rows.into_iter().map(R::from).collect()
}

impl From<roster_override::Model> for RosterOverride {
    fn from(o: roster_override::Model) -> Self {
        RosterOverride {
            id: o.id,
            person_id: o.person_id,
            from: o.from_at,
            until: o.until_at,
            reason: o.reason,
            created_at: o.created_at,
        }
    }
}
