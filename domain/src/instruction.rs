//! Instructions (工作指示 / 传达, mechanism 三(二)1): the bureau passes an
//! instruction to the units' liaisons, each unit confirms reading it by a
//! deadline, and an unread one is reminded and then escalated to the unit's
//! support lead. One receipt per unit holds where it stands; when its next
//! follow-up is due is decided here, from the times alone.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::access::Source;
use super::error::{DomainError, FieldError, Validator};
use super::text::{self, LONG_TEXT, TITLE};
use crate::labelled_enum;

/// An instruction names at most this many units (more is "every unit").
pub const MAX_UNITS: usize = 500;

/// The furthest a deadline to confirm may be set.
pub const MAX_CONFIRM_WITHIN: Duration = Duration::days(90);

/// An instruction as typed.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstructionInput {
    pub title: String,
    /// The instruction's text, passed on as written.
    pub body: String,
    /// The units it is for; empty means every unit.
    #[serde(default)]
    pub unit_ids: Vec<i64>,
    /// By when each unit must confirm reading it.
    #[serde(default, deserialize_with = "super::instant::bounded_opt")]
    pub confirm_by: Option<DateTime<FixedOffset>>,
}

/// Whom an instruction is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addressees {
    All,
    /// Sorted, without repeats; the store checks each exists.
    Units(Vec<i64>),
}

/// A checked instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstructionDraft {
    pub title: String,
    pub body: String,
    pub addressees: Addressees,
    pub confirm_by: DateTime<Utc>,
}

impl InstructionDraft {
    /// Checks every field at once; the deadline must be ahead of `now`.
    pub fn parse(input: &InstructionInput, now: DateTime<Utc>) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let title = v.check(text::required("title", &input.title, TITLE)).unwrap_or_default();
        let body = v.check(text::required("body", &input.body, LONG_TEXT)).unwrap_or_default();
        let mut ids = input.unit_ids.clone();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() > MAX_UNITS {
            v.push(FieldError::new(
                "unit_ids",
                "too_many",
                format!("at most {MAX_UNITS} units; leave the list empty for every unit"),
                format!("最多选择 {MAX_UNITS} 个单位；发给全部单位请不选"),
            ));
        }
        let confirm_by = input.confirm_by.map(|t| t.to_utc());
        match confirm_by {
            None => v.push(FieldError::new("confirm_by", "required", "set a deadline to confirm", "请填写确认期限")),
            Some(at) if at <= now => v.push(FieldError::new(
                "confirm_by",
                "past",
                "the deadline to confirm must be in the future",
                "确认期限须晚于当前时间",
            )),
            Some(at) if at - now > MAX_CONFIRM_WITHIN => v.push(FieldError::new(
                "confirm_by",
                "too_far",
                "the deadline to confirm is at most 90 days ahead",
                "确认期限最长为 90 天",
            )),
            Some(_) => {}
        }
        v.finish()?;
        let addressees = if ids.is_empty() { Addressees::All } else { Addressees::Units(ids) };
        Ok(Self { title, body, addressees, confirm_by: confirm_by.unwrap_or(now) })
    }
}

labelled_enum! {
    /// A follow-up of an unread instruction.
    pub enum FollowUpStep {
        Remind => ("remind", "阅读提醒", "Reminder"),
        Escalate => ("escalate", "未确认，已升级至支撑单位工作负责人", "Unconfirmed, escalated to the support lead"),
    }
}

/// When unread instructions are followed up (configured per deployment):
/// a reminder `remind_after` the instruction went out (at the deadline at
/// the latest), the support lead `escalate_after` the deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUp {
    pub remind_after: Duration,
    pub escalate_after: Duration,
}

/// A follow-up and when it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub step: FollowUpStep,
    pub at: DateTime<Utc>,
}

impl FollowUp {
    /// The next follow-up of an unconfirmed receipt, or `None` once it has
    /// been escalated. A reminder whose escalation is due too is skipped:
    /// after an outage the support lead hears at once, the liaison once.
    pub fn next(&self, issued_at: DateTime<Utc>, confirm_by: DateTime<Utc>, done: &[FollowUpStep]) -> Option<Due> {
        let escalate = Due { step: FollowUpStep::Escalate, at: confirm_by + self.escalate_after };
        if done.contains(&FollowUpStep::Escalate) {
            return None;
        }
        let remind = Due { step: FollowUpStep::Remind, at: (issued_at + self.remind_after).min(confirm_by) };
        if done.contains(&FollowUpStep::Remind) || remind.at >= escalate.at {
            return Some(escalate);
        }
        Some(remind)
    }

    /// The follow-up to send at `now`: the latest one due, so a reminder
    /// overtaken by its escalation is not sent late.
    pub fn due_now(
        &self,
        issued_at: DateTime<Utc>,
        confirm_by: DateTime<Utc>,
        done: &[FollowUpStep],
        now: DateTime<Utc>,
    ) -> Option<FollowUpStep> {
        let first = self.next(issued_at, confirm_by, done).filter(|d| d.at <= now)?;
        let mut with_it = done.to_vec();
        with_it.push(first.step);
        match self.next(issued_at, confirm_by, &with_it) {
            Some(later) if later.at <= now => Some(later.step),
            _ => Some(first.step),
        }
    }
}

labelled_enum! {
    /// Where a unit's receipt of an instruction stands.
    pub enum Standing {
        Pending => ("pending", "待确认", "Awaiting confirmation"),
        OnTime => ("on_time", "已按时确认", "Confirmed on time"),
        Late => ("late", "逾期确认", "Confirmed late"),
        Overdue => ("overdue", "逾期未确认", "Overdue"),
    }
}

impl Standing {
    pub fn of(confirm_by: DateTime<Utc>, confirmed_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        match confirmed_at {
            Some(at) if at <= confirm_by => Self::OnTime,
            Some(_) => Self::Late,
            None if now > confirm_by => Self::Overdue,
            None => Self::Pending,
        }
    }
}

/// An instruction as read back, with how many units have confirmed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Instruction {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// Sent to every unit rather than to those named.
    pub all_units: bool,
    pub confirm_by: DateTime<Utc>,
    pub issued_at: DateTime<Utc>,
    /// Who issued it (a username).
    pub issued_by: String,
    pub units: u32,
    pub confirmed: u32,
}

/// One unit's receipt of an instruction: who was told, who confirmed and
/// when, and the follow-ups sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipt {
    pub id: i64,
    pub instruction_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    /// The people it was delivered to (the liaisons, or the support leads
    /// when the unit has no liaison to reach).
    pub delivered_to: Vec<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub confirmed_by: Option<String>,
    pub confirmed_via: Option<Source>,
    pub reminded_at: Option<DateTime<Utc>>,
    pub escalated_at: Option<DateTime<Utc>>,
}

impl Receipt {
    pub fn standing(&self, confirm_by: DateTime<Utc>, now: DateTime<Utc>) -> Standing {
        Standing::of(confirm_by, self.confirmed_at, now)
    }

    /// The follow-ups already sent.
    pub fn done(&self) -> Vec<FollowUpStep> {
        let mut done = Vec::new();
        if self.reminded_at.is_some() {
            done.push(FollowUpStep::Remind);
        }
        if self.escalated_at.is_some() {
            done.push(FollowUpStep::Escalate);
        }
        done
    }
}

#[cfg(test)]
mod tests;
