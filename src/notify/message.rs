//! What a page says: rendered once when it is enqueued (so every retry and
//! every channel carries the same words), Chinese first, English second.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::text;
use crate::domain::escalation::PageReason;
use crate::domain::notice::{Category, Severity};

/// The facts a page is written from.
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
    /// When the page is written: time left is counted from here.
    pub now: DateTime<Utc>,
    pub tz: Tz,
    /// For a delivery failure: who could not be reached.
    pub failed_recipient: Option<String>,
}

/// The facts a duty-start message is written from.
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
    pub tz: Tz,
}

/// A rendered page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub title: String,
    pub text: String,
}

/// Between the Chinese and the English text of a page.
pub const ENGLISH_SEPARATOR: &str = "\n——\n";

pub fn render(ctx: &PageContext) -> Message {
    let (zh_title, zh_text) = text::zh::page(ctx);
    let (en_title, en_text) = text::en::page(ctx);
    Message { title: format!("{zh_title} / {en_title}"), text: format!("{zh_text}{ENGLISH_SEPARATOR}{en_text}") }
}

/// The duty-start (or gap) message, Chinese first, and its stored body (no
/// buttons: there is nothing to acknowledge).
pub fn duty_start(ctx: &DutyContext) -> (Message, serde_json::Value) {
    let (zh_title, zh_text) = text::zh::duty_start(ctx);
    let (en_title, en_text) = text::en::duty_start(ctx);
    let m =
        Message { title: format!("{zh_title} / {en_title}"), text: format!("{zh_text}{ENGLISH_SEPARATOR}{en_text}") };
    let body = serde_json::json!({
        "title": m.title,
        "text": m.text,
        "reason": if ctx.gap { PageReason::DutyGap } else { PageReason::DutyStart }.code(),
        "duty_from": ctx.from,
        "duty_until": ctx.until,
    });
    (m, body)
}

/// The stored page body: the message plus the facts a channel may use
/// (buttons, links) without re-reading the database.
pub fn body(ctx: &PageContext, message: &Message) -> serde_json::Value {
    serde_json::json!({
        "title": message.title,
        "text": message.text,
        "reason": ctx.reason.code(),
        "assignment_id": ctx.assignment_id,
        "notice_id": ctx.notice_id,
        "deadline_at": ctx.deadline_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(reason: PageReason) -> PageContext {
        let t0 = DateTime::parse_from_rfc3339("2026-11-24T19:00:00Z").unwrap().to_utc();
        PageContext {
            reason,
            assignment_id: 7,
            notice_id: 3,
            title: "某门户网站首页被篡改".into(),
            category: Category::WebDefacement,
            severity: Severity::III,
            target_name: "某互联网企业".into(),
            site_address: "重庆市渝中区解放碑".into(),
            unit_name: "安盾".into(),
            notified_at: t0,
            deadline_at: t0 + chrono::Duration::hours(2),
            now: t0 + chrono::Duration::minutes(25),
            tz: chrono_tz::Asia::Shanghai,
            failed_recipient: None,
        }
    }

    #[test]
    fn a_dispatch_page_is_chinese_first_with_local_times_and_time_left() {
        let m = render(&ctx(PageReason::Dispatch));
        assert!(m.title.starts_with("【应急响应派单】"), "{}", m.title);
        assert!(m.text.find("网页篡改").unwrap() < m.text.find("Web defacement").unwrap());
        assert!(m.text.contains("2026-11-25 05:00"), "{}", m.text);
        assert!(m.text.contains("剩余 1小时35分"), "{}", m.text);
        assert!(m.text.contains("1h35m left"), "{}", m.text);
        assert!(m.text.contains("重庆市渝中区解放碑"));
    }

    #[test]
    fn a_breach_page_says_how_late() {
        let mut c = ctx(PageReason::Breach);
        c.now = c.deadline_at + chrono::Duration::minutes(3);
        let m = render(&c);
        assert!(m.text.contains("已超时 3分"), "{}", m.text);
        assert!(m.text.contains("3m overdue"), "{}", m.text);
    }
}
