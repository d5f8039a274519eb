//! Page wording (English).

use crate::domain::duration::{format_duration, format_local};
use crate::domain::escalation::PageReason;
use crate::domain::labels::Lang;
use chrono_tz::Tz;

use crate::domain::instruction::FollowUpStep;
use crate::domain::page::{
    CredentialContext, DutyContext, InstructionContext, PageContext, TestContext, WorkReportContext,
};
use crate::domain::profile::credential::CredentialStep;
use crate::domain::work_report::WorkReportStep;

pub fn page(c: &PageContext, tz: Tz) -> (String, String) {
    let title = format!("[{}] {}", c.reason.label(Lang::En), c.title);
    let left = (c.deadline_at - c.now).num_seconds();
    let clock = if left >= 0 {
        format!("{} left", format_duration(left, Lang::En))
    } else {
        format!("{} overdue", format_duration(-left, Lang::En))
    };
    let ask = match c.reason {
        PageReason::Dispatch | PageReason::AckReminder => {
            "Acknowledge now; activate the plan and be on site before the deadline, with HQ assisting remotely."
        }
        PageReason::AckEscalation => "Still unacknowledged: leads, please step in now.",
        PageReason::Reminder | PageReason::Warning => "Report the milestones still missing.",
        PageReason::Breach => {
            &format!("The deadline ({} promised) has passed; please check.", format_duration(c.promised_secs, Lang::En))
        }
        PageReason::DeliveryFailed => "A page could not be delivered; phone them.",
        PageReason::DutyStart
        | PageReason::DutyGap
        | PageReason::Test
        | PageReason::Instruction
        | PageReason::InstructionReminder
        | PageReason::InstructionEscalation
        | PageReason::WorkReportDue
        | PageReason::WorkReportOverdue
        | PageReason::CredentialExpiring
        | PageReason::CredentialExpired => "",
    };
    let mut text = format!(
        "Unit: {unit}\nCategory: {category}, severity {sev}\nTarget: {target}\nSite: {site}\nNotified: {t0}\nDeadline: {deadline} ({clock})\n{ask}",
        unit = c.unit_name,
        category = c.category.label(Lang::En),
        sev = c.severity.code(),
        target = c.target_name,
        site = c.site_address,
        t0 = format_local(c.notified_at, tz),
        deadline = format_local(c.deadline_at, tz),
    );
    if let Some(who) = &c.failed_recipient {
        text.push_str(&format!("\nNot delivered: {who}"));
    }
    text.push_str(&format!("\nAssignment #{}", c.assignment_id));
    (title, text)
}

/// The duty-start message (who comes on, until when, who hands over), or
/// the gap message to the unit's support lead.
pub fn duty_start(c: &DutyContext, tz: Tz) -> (String, String) {
    let reason = if c.gap { PageReason::DutyGap } else { PageReason::DutyStart };
    let title = format!("[{}] {} {}", reason.label(Lang::En), c.unit_name, c.branch_name);
    let (from, until) = (format_local(c.from, tz), format_local(c.until, tz));
    let text = if c.gap {
        let after = c.after.as_deref().map(|a| format!(" ({a}'s duty has ended)")).unwrap_or_default();
        format!(
            "{name}: nobody is on duty from {from} to {until}{after}.\nNotices page you directly meanwhile; please put someone on duty.",
            name = c.person_name,
        )
    } else {
        let after = c.after.as_deref().unwrap_or("nobody (no one was on duty)");
        format!(
            "{name}, your duty has started: {from} to {until}.\nHanded over by: {after}\nThe branch's emergency-response notices page you directly until then.",
            name = c.person_name,
        )
    };
    (title, text)
}

/// A test page: it proves this channel receives pages; no reply needed.
pub fn test_page(c: &TestContext, tz: Tz) -> (String, String) {
    let title = format!("[{}] onsite channel test", PageReason::Test.label(Lang::En));
    let text = format!(
        "{title}\n{name}, this is a test message: it checks that your {channel} receives emergency-response pages.\nSent by {by} at {at}.\nNo reply or action needed.",
        name = c.person_name,
        channel = c.channel.label(Lang::En),
        by = c.by,
        at = format_local(c.at, tz),
    );
    (title, text)
}

/// An instruction: its delivery, a reminder, or, unconfirmed past its
/// deadline, the support lead told. Its text is the bureau's, given above
/// in Chinese.
pub fn instruction(c: &InstructionContext, tz: Tz) -> (String, String) {
    let title = format!("[{}] {}", c.reason().label(Lang::En), c.title);
    let by = format_local(c.confirm_by, tz);
    let ask = match c.step {
        None => format!(
            "{}, the bureau passes {} the instruction above. Please confirm you have read it by {by}.",
            c.person_name, c.unit_name
        ),
        Some(FollowUpStep::Remind) => {
            format!("{}, the instruction above is not confirmed yet. Please confirm reading it by {by}.", c.person_name)
        }
        Some(FollowUpStep::Escalate) => format!(
            "{}, {} has not confirmed reading the instruction above, due {by} (passed to: {}). Please see that it is confirmed, or confirm it yourself.",
            c.person_name,
            c.unit_name,
            c.unconfirmed_by.join(", "),
        ),
    };
    (title.clone(), format!("{title}\n{ask}\nInstruction #{}", c.instruction_id))
}

/// A work report: reminded before it is due, flagged once overdue.
pub fn work_report(c: &WorkReportContext, tz: Tz) -> (String, String) {
    let title = format!("[{}] {} {}", c.reason().label(Lang::En), c.unit_name, c.month);
    let due = format_local(c.due_at, tz);
    let ask = match c.step {
        WorkReportStep::Remind => format!(
            "{}, your unit's work report for {} (work done, problems, next plans) is due by {due} and not yet submitted. Please file it in onsite.",
            c.person_name, c.month
        ),
        WorkReportStep::Overdue => format!(
            "{}, your unit's work report for {} was due by {due} and is overdue. Please submit it in onsite.",
            c.person_name, c.month
        ),
    };
    (title.clone(), format!("{title}\n{ask}"))
}

/// A credential lapsing soon, or lapsed.
pub fn credential(c: &CredentialContext) -> (String, String) {
    let title = format!("[{}] {} {}", c.reason().label(Lang::En), c.unit_name, c.name);
    let holder = c.holder.as_deref().map(|h| format!(" (held by {h})")).unwrap_or_default();
    let what = format!("your unit's {} \"{}\"{holder}", c.kind.label(Lang::En).to_lowercase(), c.name);
    let until = c.valid_until.format("%Y-%m-%d");
    let ask = match c.step {
        CredentialStep::Expiring => {
            format!("{what} lapses on {until} ({} days left). Please renew it and update it in onsite.", c.days)
        }
        CredentialStep::Expired => format!("{what} lapsed on {until}. Please renew it and update it in onsite."),
    };
    (title.clone(), format!("{title}\n{}, {ask}", c.person_name))
}

pub const CHAT: super::ChatText = super::ChatText {
    button_ack: "Acknowledge",
    button_plan: "Plan activated",
    button_site: "On site",
    button_hq: "HQ remote",
    button_open: "Open the action page",
    recorded: "Recorded",
    unknown_reply: "This reply is not recognised; nothing was recorded. Reply as the page says, for example 1A to acknowledge.",
    expired_code: "This reply code has expired; nothing was recorded. Use the code in the latest page, or open its action link.",
    unknown_code: "No page sent to you uses this number; nothing was recorded. Check the code in the page.",
    page_number: "page",
    source: "onsite emergency response",
    unknown_user: "Your account is not a channel of any support unit's person here; nothing was recorded. Ask your unit's liaison to add it in onsite.",
    unknown_button: "This button is not recognised; nothing was recorded. Use the latest page.",
    not_your_unit: "This page is not your unit's; nothing was recorded.",
    failed: "This could not be recorded just now; try again, or open the action link in the page.",
};
