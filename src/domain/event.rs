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
    }
}

labelled_enum! {
    /// Where a page's delivery stands.
    pub enum DeliveryStatus {
        Queued => ("queued", "排队中", "Queued"),
        Sending => ("sending", "发送中", "Sending"),
        Sent => ("sent", "已送达", "Sent"),
        Failed => ("failed", "发送失败", "Failed"),
        Cancelled => ("cancelled", "已取消", "Cancelled"),
    }
}

/// The label of a timeline entry's kind; an unknown kind shows as stored.
pub fn event_label(kind: &str, lang: Lang) -> String {
    if let Some(m) = Milestone::from_code(kind) {
        return m.label(lang).to_owned();
    }
    if let Some(t) = TimerKind::from_code(kind) {
        return t.label(lang).to_owned();
    }
    BureauEvent::from_code(kind).map_or_else(|| kind.to_owned(), |e| e.label(lang).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_on_a_timeline_has_a_chinese_name() {
        assert_eq!(event_label("on_site", Lang::Zh), "到达现场");
        assert_eq!(event_label("breach", Lang::Zh), "超时");
        assert_eq!(event_label("extended", Lang::En), "Deadline extended");
        assert_eq!(event_label("mystery", Lang::Zh), "mystery");
    }
}
