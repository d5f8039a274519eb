//! 呼叫文案（中文）。

use crate::domain::duration::{format_duration, format_local};
use crate::domain::escalation::PageReason;
use crate::domain::labels::Lang;
use crate::notify::message::PageContext;

pub fn page(c: &PageContext) -> (String, String) {
    let title = format!("【{}】{}", c.reason.label(Lang::Zh), c.title);
    let left = (c.deadline_at - c.now).num_seconds();
    let clock = if left >= 0 {
        format!("剩余 {}", format_duration(left, Lang::Zh))
    } else {
        format!("已超时 {}", format_duration(-left, Lang::Zh))
    };
    let ask = match c.reason {
        PageReason::Dispatch | PageReason::AckReminder => {
            "请立即确认接收，并在时限内启动应急支撑方案、到达现场，总部同步远程支撑。"
        }
        PageReason::AckEscalation => "派单仍未确认接收，请负责人立即协调。",
        PageReason::Reminder | PageReason::Warning => "请尽快报告尚未完成的节点。",
        PageReason::Breach => "已超过两小时响应时限，请核实情况。",
        PageReason::DeliveryFailed => "以下人员的呼叫无法送达，请电话联系。",
    };
    let mut text = format!(
        "{title}\n支撑单位：{unit}\n事件类型：{category}　分级：{sev_code} {severity}\n检测对象：{target}\n现场地址：{site}\n派单时间：{t0}\n响应时限：{deadline}（{clock}）\n{ask}",
        unit = c.unit_name,
        category = c.category.label(Lang::Zh),
        sev_code = c.severity.code(),
        severity = c.severity.label(Lang::Zh),
        target = c.target_name,
        site = c.site_address,
        t0 = format_local(c.notified_at, c.tz),
        deadline = format_local(c.deadline_at, c.tz),
    );
    if let Some(who) = &c.failed_recipient {
        text.push_str(&format!("\n未送达：{who}"));
    }
    text.push_str(&format!("\n派单编号：{}", c.assignment_id));
    (title, text)
}
