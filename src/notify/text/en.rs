//! Page wording (English).

use crate::domain::duration::{format_duration, format_local};
use crate::domain::escalation::PageReason;
use crate::domain::labels::Lang;
use crate::notify::message::PageContext;

pub fn page(c: &PageContext) -> (String, String) {
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
        PageReason::Breach => "The two-hour deadline has passed; please check.",
        PageReason::DeliveryFailed => "A page could not be delivered; phone them.",
    };
    let mut text = format!(
        "Unit: {unit}\nCategory: {category}, severity {sev}\nTarget: {target}\nSite: {site}\nNotified: {t0}\nDeadline: {deadline} ({clock})\n{ask}",
        unit = c.unit_name,
        category = c.category.label(Lang::En),
        sev = c.severity.code(),
        target = c.target_name,
        site = c.site_address,
        t0 = format_local(c.notified_at, c.tz),
        deadline = format_local(c.deadline_at, c.tz),
    );
    if let Some(who) = &c.failed_recipient {
        text.push_str(&format!("\nNot delivered: {who}"));
    }
    text.push_str(&format!("\nAssignment #{}", c.assignment_id));
    (title, text)
}
