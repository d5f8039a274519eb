//! What a page says: rendered once when it is enqueued (so every retry and
//! every channel carries the same words), Chinese first, English second,
//! times in the display zone. `Wording` is the store's `PageWriter`.

use chrono_tz::Tz;

use super::text;
use crate::domain::labels::Lang;
use crate::domain::page::{
    CredentialContext, InstructionContext, PageBody, PageWriter, TestContext, WorkReportContext,
};
pub use crate::domain::page::{DutyContext, PageContext};

/// The page writer the store is given: this module's words, in `tz`.
#[derive(Debug, Clone, Copy)]
pub struct Wording {
    pub tz: Tz,
}

impl PageWriter for Wording {
    fn page(&self, ctx: &PageContext) -> PageBody {
        let Message { title, text } = render(ctx, self.tz);
        ctx.body(title, text)
    }

    fn duty_start(&self, ctx: &DutyContext) -> PageBody {
        let (title, text) = both(text::zh::duty_start(ctx, self.tz), text::en::duty_start(ctx, self.tz));
        ctx.body(title, text)
    }

    fn test(&self, ctx: &TestContext) -> PageBody {
        let (title, text) = both(text::zh::test_page(ctx, self.tz), text::en::test_page(ctx, self.tz));
        ctx.body(title, text)
    }

    fn credential(&self, ctx: &CredentialContext) -> PageBody {
        let (title, text) = both(text::zh::credential(ctx), text::en::credential(ctx));
        ctx.body(title, text)
    }

    fn work_report(&self, ctx: &WorkReportContext) -> PageBody {
        let (title, text) = both(text::zh::work_report(ctx, self.tz), text::en::work_report(ctx, self.tz));
        ctx.body(title, text)
    }

    fn instruction(&self, ctx: &InstructionContext) -> PageBody {
        let (title, text) = both(text::zh::instruction(ctx, self.tz), text::en::instruction(ctx, self.tz));
        ctx.body(title, text)
    }
}

/// The title and text of both languages', Chinese first.
fn both((zh_title, zh_text): (String, String), (en_title, en_text): (String, String)) -> (String, String) {
    (format!("{zh_title} / {en_title}"), format!("{zh_text}{ENGLISH_SEPARATOR}{en_text}"))
}

/// A rendered page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub title: String,
    pub text: String,
}

/// Between the Chinese and the English text of a page.
pub const ENGLISH_SEPARATOR: &str = "\n——\n";

/// One language's part of a bilingual page text (Chinese first, then
/// English); the whole text when it has only one.
pub fn in_lang(text: &str, lang: Lang) -> &str {
    match (text.split_once(ENGLISH_SEPARATOR), lang) {
        (Some((zh, _)), Lang::Zh) => zh,
        (Some((_, en)), Lang::En) => en,
        (None, _) => text,
    }
}

/// At most `max` bytes of `text`, cut at a character boundary (a vendor's
/// limit on a message in bytes).
pub fn cut_bytes(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

pub fn render(ctx: &PageContext, tz: Tz) -> Message {
    let (title, text) = both(text::zh::page(ctx, tz), text::en::page(ctx, tz));
    Message { title, text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::escalation::PageReason;
    use crate::domain::notice::{Category, Severity};
    use chrono::DateTime;

    const TZ: Tz = chrono_tz::Asia::Shanghai;

    #[test]
    fn a_cut_never_splits_a_character() {
        assert_eq!(cut_bytes("确认接收", 7), "确认");
        assert_eq!(cut_bytes("ok", 7), "ok");
    }

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
            promised_secs: 7_200,
            now: t0 + chrono::Duration::minutes(25),
            failed_recipient: None,
        }
    }

    #[test]
    fn a_dispatch_page_is_chinese_first_with_local_times_and_time_left() {
        let m = render(&ctx(PageReason::Dispatch), TZ);
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
        let m = render(&c, TZ);
        assert!(m.text.contains("已超时 3分"), "{}", m.text);
        assert!(m.text.contains("3m overdue"), "{}", m.text);
    }

    #[test]
    fn the_wording_follows_the_assignments_own_policy_not_two_hours() {
        let mut c = ctx(PageReason::Reminder);
        c.deadline_at = c.notified_at + chrono::Duration::minutes(2);
        c.promised_secs = 120;
        c.now = c.notified_at + chrono::Duration::minutes(1);
        let reminder = render(&c, TZ);
        assert!(reminder.text.contains("剩余 1分") && reminder.text.contains("1m left"), "{}", reminder.text);
        c.reason = PageReason::Breach;
        c.now = c.deadline_at + chrono::Duration::seconds(30);
        let breach = render(&c, TZ);
        assert!(breach.text.contains("承诺 2分") && breach.text.contains("2m promised"), "{}", breach.text);
        for m in [reminder, breach] {
            let all = format!("{}{}", m.title, m.text);
            assert!(!["60分钟", "30分钟", "两小时", "two-hour", "60 minutes"].iter().any(|w| all.contains(w)), "{all}");
        }
    }
}
