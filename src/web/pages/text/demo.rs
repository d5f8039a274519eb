//! The demo inbox's words.
pub struct DemoText {
    pub title: &'static str,
    pub intro: &'static str,
    pub empty: &'static str,
    pub refresh: &'static str,
    pub recipient: &'static str,
    pub channel: &'static str,
    pub at: &'static str,
    pub status: &'static str,
    pub open_action: &'static str,
}

pub const ZH: DemoText = DemoText {
    title: "演示收件箱",
    intro: "演示模式下，所有呼叫都投递到这里（不经短信网关或机器人）。点“打开操作页”即以该工程师身份报告接收、启动方案、到达现场、总部远程支撑，然后回到值守看板查看变化。",
    empty: "还没有呼叫。请先签发一份通知。",
    refresh: "刷新",
    recipient: "接收人",
    channel: "渠道",
    at: "时间",
    status: "状态",
    open_action: "打开操作页",
};

pub const EN: DemoText = DemoText {
    title: "Demo inbox",
    intro: "In demo mode every page is delivered here instead of an SMS gateway or a robot. Open a page's action page to report, as that engineer, acknowledged, plan activated, on site or HQ remote assistance, then watch the live board change.",
    empty: "No pages yet. Issue a notice first.",
    refresh: "Refresh",
    recipient: "Recipient",
    channel: "Channel",
    at: "Time",
    status: "Status",
    open_action: "Open the action page",
};

/// The inbox's words in `lang`.
pub fn demo(lang: crate::domain::labels::Lang) -> &'static DemoText {
    match lang {
        crate::domain::labels::Lang::Zh => &ZH,
        crate::domain::labels::Lang::En => &EN,
    }
}
