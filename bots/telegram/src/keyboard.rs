//! The inline buttons under a page, and the location request keyboard.

use teloxide::types::{ButtonRequest, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup};

use crate::callback::{Action, encode, encode_read};
use crate::core::Lang;
use crate::text::for_lang;

/// 确认接收 · 已启动应急方案 · 已到达现场 · 总部远程支撑.
pub fn page_buttons(assignment_id: i64, lang: Lang) -> InlineKeyboardMarkup {
    let t = for_lang(lang);
    let b = |label: &str, action| InlineKeyboardButton::callback(label.to_owned(), encode(action, assignment_id));
    InlineKeyboardMarkup::new(vec![
        vec![b(t.button_ack, Action::Acknowledge), b(t.button_plan, Action::PlanActivated)],
        vec![b(t.button_site, Action::OnSite), b(t.button_hq, Action::HqRemote)],
    ])
}

/// 确认已阅, under an instruction.
pub fn read_button(receipt_id: i64, lang: Lang) -> InlineKeyboardMarkup {
    let label = for_lang(lang).button_read.to_owned();
    InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::callback(label, encode_read(receipt_id))]])
}

/// A one-time keyboard whose button shares the engineer's location.
pub fn location_request(lang: Lang) -> KeyboardMarkup {
    KeyboardMarkup::new(vec![vec![KeyboardButton::new(for_lang(lang).share_location).request(ButtonRequest::Location)]])
        .one_time_keyboard()
        .resize_keyboard()
}
