//! Bot texts (English).

use super::Texts;
use crate::core::{BotError, Lang, Linked, OpenAssignment, PhotoKept, ReadConfirmed, Recorded};

pub static TEXTS: Texts = Texts {
    help: "onsite emergency-response bot\n\
           /status your unit's open assignments and time left\n\
           /note TEXT add a note (or reply to a page)\n\
           /lang zh|en switch language\n\
           Send a photo of the site in reply to a page to keep it as proof of arrival (send it as a file to keep its position).\n\
           When paged, report with the buttons: acknowledge, plan activated, on site, HQ remote assistance.",
    button_ack: "Acknowledge",
    button_plan: "Plan activated",
    button_site: "On site",
    button_hq: "HQ remote",
    button_read: "Confirm read",
    share_location: "Send my location",
    ask_location: "Tap the button below to send your location and record your arrival on site.",
    lang_set: "Switched to English.",
    note_needs_text: "Write the note after /note.",
    no_open: "Your unit has no open assignment.",
    linked: |l: &Linked| match &l.person {
        Some(p) => format!("Linked: {p} ({}). Pages will come here.", l.unit),
        None => format!("Linked: this group is the duty group of {}. Pages will come here.", l.unit),
    },
    recorded: |r: &Recorded| format!("✅ {} reported \"{}\" at {}", r.person, r.milestone_en, r.at_local),
    read_confirmed: |r: &ReadConfirmed| match r.now {
        true => format!("✅ {} confirmed reading \"{}\" at {}", r.by, r.title, r.at_local),
        false => {
            format!("{} confirmed reading \"{}\" for your unit at {}; nothing more to do.", r.by, r.title, r.at_local)
        }
    },
    far_from_site: |m: f64| format!("⚠️ You are about {:.0} m from the site; this is flagged on the timeline.", m),
    photo_kept: |p: &PhotoKept| format!("📷 On-site photo kept on assignment {}.", p.assignment_id),
    photo_far: |m: f64| format!("⚠️ The photo was taken about {:.0} m from the site; this is flagged.", m),
    photo_near: |m: f64| format!("The photo was taken about {:.0} m from the site.", m),
    photo_too_large: |mib: u64| format!("The photo is too large (at most {mib} MiB); nothing was kept."),
    photo_no_position: "The photo carries no position (send it as a file to keep it).",
    photo_download_failed: "The photo could not be downloaded; please send it again shortly.",
    note_added: |id: i64| format!("Note added to assignment {id}."),
    status_line: |a: &OpenAssignment| {
        let left = if a.remaining_seconds >= 0 {
            format!("{} left", super::duration(a.remaining_seconds, Lang::En))
        } else {
            format!("{} overdue", super::duration(a.remaining_seconds, Lang::En))
        };
        format!("#{} {} · {} · {}", a.id, a.title, a.status_en, left)
    },
    error: |e: &BotError| match e {
        BotError::NotLinked => "This chat is not linked yet. Ask your admin for a code, then send /start CODE.".into(),
        BotError::UnknownCode => "Unknown link code; check it and try again.".into(),
        BotError::ExpiredCode => "The link code has expired; ask for a new one.".into(),
        BotError::TooManyAttempts => "Too many link attempts; try again later, or ask your administrator.".into(),
        BotError::UsedCode => "The link code was already used; ask for a new one.".into(),
        BotError::NotYourUnit => "This is not your unit's assignment; nothing was done.".into(),
        BotError::Refused { en, .. } => format!("Not done: {en}"),
        BotError::Internal => "Something went wrong; try again or phone the duty officer.".into(),
    },
};
