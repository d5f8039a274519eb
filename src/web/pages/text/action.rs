//! The action-link phone page, both languages at once (Chinese first).
pub struct ActionText {
    pub heading: &'static str,
    pub unit: &'static str,
    pub site: &'static str,
    pub deadline: &'static str,
    pub left: &'static str,
    pub overdue: &'static str,
    pub reached: &'static str,
    pub pending: &'static str,
    pub invalid_link: &'static str,
    pub throttled: &'static str,
    pub done: &'static str,
    pub refused: &'static str,
    /// The button for "I cannot take it, page someone else".
    pub decline: &'static str,
    pub declined: &'static str,
}

pub const ZH: ActionText = ActionText {
    heading: "应急响应派单",
    unit: "支撑单位",
    site: "现场地址",
    deadline: "响应时限",
    left: "剩余",
    overdue: "已超时",
    reached: "已报告",
    pending: "待报告",
    invalid_link: "链接无效或已过期，请使用最新呼叫中的链接，或联系值班人员。",
    throttled: "请求过于频繁，请一分钟后再试；紧急情况请电话联系值班人员。",
    done: "已记录",
    refused: "未执行",
    decline: "无法接单，请通知他人",
    declined: "已告知无法接单，正在通知下一位",
};

pub const EN: ActionText = ActionText {
    heading: "Emergency-response assignment",
    unit: "Unit",
    site: "Site",
    deadline: "Deadline",
    left: "left",
    overdue: "overdue",
    reached: "reported",
    pending: "pending",
    invalid_link: "This link is invalid or has expired; use the link in the latest page, or call the duty officer.",
    throttled: "Too many requests; try again in a minute, or call the duty officer if it is urgent.",
    done: "Recorded",
    refused: "Not done",
    decline: "I cannot take it: page someone else",
    declined: "Declined; the next person is being paged",
};
