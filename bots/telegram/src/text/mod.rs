//! Everything the bot says, one module per language; `for_lang` picks one.

pub mod en;
pub mod zh;

use crate::core::{BotError, Lang, Linked, OpenAssignment, PhotoKept, ReadConfirmed, Recorded};

/// The bot's phrases in one language.
pub struct Texts {
    pub help: &'static str,
    pub button_ack: &'static str,
    pub button_plan: &'static str,
    pub button_site: &'static str,
    pub button_hq: &'static str,
    pub button_read: &'static str,
    pub share_location: &'static str,
    pub ask_location: &'static str,
    pub lang_set: &'static str,
    pub note_needs_text: &'static str,
    pub no_open: &'static str,
    pub linked: fn(&Linked) -> String,
    pub recorded: fn(&Recorded) -> String,
    pub read_confirmed: fn(&ReadConfirmed) -> String,
    pub far_from_site: fn(f64) -> String,
    pub photo_kept: fn(&PhotoKept) -> String,
    pub photo_far: fn(f64) -> String,
    pub photo_near: fn(f64) -> String,
    pub photo_too_large: fn(u64) -> String,
    pub photo_no_position: &'static str,
    pub photo_download_failed: &'static str,
    pub note_added: fn(i64) -> String,
    pub status_line: fn(&OpenAssignment) -> String,
    pub error: fn(&BotError) -> String,
}

pub fn for_lang(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Zh => &zh::TEXTS,
        Lang::En => &en::TEXTS,
    }
}

/// `1小时35分` / `1h35m`, for time left.
pub fn duration(seconds: i64, lang: Lang) -> String {
    let s = seconds.abs();
    let (h, m) = (s / 3600, (s % 3600) / 60);
    match (lang, h) {
        (Lang::Zh, 0) => format!("{m}分"),
        (Lang::Zh, _) => format!("{h}小时{m}分"),
        (Lang::En, 0) => format!("{m}m"),
        (Lang::En, _) => format!("{h}h{m}m"),
    }
}
