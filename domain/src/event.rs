//! Names of what appears on a timeline and of a page's delivery state, in
//! both languages, for the pages and reports.

use super::assignment::Milestone;
use super::escalation::TimerKind;
use super::labels::Lang;
use crate::labelled_enum;

labelled_enum! {
    /// Timeline entries that are neither a milestone nor a timer firing.
    pub enum BureauEvent {
        Dispatched => ("dispatched", "已派单", "Dispatched"),
        Note => ("note", "备注", "Note"),
        Extended => ("extended", "延长时限", "Deadline extended"),
        StoodDown => ("stood_down", "撤销", "Stood down"),
        Reassigned => ("reassigned", "改派", "Reassigned"),
        ClosureSubmitted => ("closure_submitted", "提交处置报告", "Closure report submitted"),
        ClosureAccepted => ("closure_accepted", "处置报告通过", "Closure report accepted"),
        ClosureReturned => ("closure_returned", "处置报告退回", "Closure report returned"),
        PageFailed => ("page_failed", "通知发送失败", "Page not delivered"),
        PageFallback => ("page_fallback", "改用备用渠道通知", "Paged on the next channel"),
        Declined => ("declined", "无法接单，请通知他人", "Declined: page someone else"),
        FileAdded => ("file_added", "上传附件", "File added"),
    }
}

/// What a timeline entry records: a milestone, a timer firing or one of
/// the other events. Stored as its code; the three code sets are disjoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum EventKind {
    Milestone(Milestone),
    Timer(TimerKind),
    Other(BureauEvent),
}

impl EventKind {
    pub fn code(self) -> &'static str {
        match self {
            EventKind::Milestone(m) => m.code(),
            EventKind::Timer(t) => t.code(),
            EventKind::Other(e) => e.code(),
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            EventKind::Milestone(m) => m.label(lang),
            EventKind::Timer(t) => t.label(lang),
            EventKind::Other(e) => e.label(lang),
        }
    }

    /// A page that could not be delivered (and perhaps fell over): shown
    /// folded apart from the milestones.
    pub fn is_delivery_failure(self) -> bool {
        matches!(self, EventKind::Other(BureauEvent::PageFailed | BureauEvent::PageFallback))
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Milestone::from_code(code)
            .map(EventKind::Milestone)
            .or_else(|| TimerKind::from_code(code).map(EventKind::Timer))
            .or_else(|| BureauEvent::from_code(code).map(EventKind::Other))
    }
}

crate::stored_as_code!(EventKind);

impl serde::Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

labelled_enum! {
    /// Where a page's delivery stands.
    pub enum DeliveryStatus {
        Queued => ("queued", "排队中", "Queued"),
        Sending => ("sending", "发送中", "Sending"),
        Sent => ("sent", "已发送", "Sent"),
        Failed => ("failed", "发送失败", "Failed"),
        Cancelled => ("cancelled", "已取消", "Cancelled"),
    }
}

labelled_enum! {
    /// What the provider later reported of a sent page, where it reports:
    /// the message delivered or read, the call answered.
    pub enum Receipt {
        Delivered => ("delivered", "已送达", "Delivered"),
        Read => ("read", "已读", "Read"),
        Answered => ("answered", "已接听", "Answered"),
    }
}

labelled_enum! {
    /// Why a page was not delivered (yet), for its reader; the provider's
    /// own words are kept beside it for administrators.
    pub enum DeliveryFailure {
        NoSender => ("no_sender", "未配置该渠道的发送服务", "No sender is configured for this channel"),
        Rejected => ("rejected", "地址无效或被对方拒收", "The address was rejected"),
        Unavailable => ("unavailable", "发送服务暂时不可用，稍后重试", "The provider is unavailable; will retry"),
        Exhausted => ("exhausted", "多次重试后仍未送达", "Not delivered after repeated attempts"),
        CallLimit => ("call_limit", "已达此号码的呼叫次数上限", "The call limit for this number is reached"),
        Undelivered => ("undelivered", "运营商回执：未送达", "The carrier reports it was not delivered"),
        NotAnswered => ("not_answered", "电话未接通（无人接听、忙线或无法接通）", "The call was not answered (no answer, busy or unreachable)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(code: &str, lang: Lang) -> &'static str {
        EventKind::from_code(code).expect("a timeline kind").label(lang)
    }

    #[test]
    fn every_kind_on_a_timeline_has_a_chinese_name() {
        assert_eq!(label("on_site", Lang::Zh), "到达现场");
        assert_eq!(label("breach", Lang::Zh), "超时");
        assert_eq!(label("extended", Lang::En), "Deadline extended");
        assert_eq!(label("page_fallback", Lang::Zh), "改用备用渠道通知");
        assert_eq!(EventKind::from_code("mystery"), None);
    }

    #[test]
    fn no_code_means_two_kinds() {
        let mut codes: Vec<&str> = Milestone::ALL.iter().map(|m| m.code()).collect();
        codes.extend(TimerKind::ALL.iter().map(|t| t.code()));
        codes.extend(BureauEvent::ALL.iter().map(|e| e.code()));
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }
}
