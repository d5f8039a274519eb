//! 呼叫文案（中文）。

use crate::domain::duration::{format_duration, format_local};
use crate::domain::escalation::PageReason;
use crate::domain::labels::Lang;
use chrono_tz::Tz;

use crate::domain::instruction::FollowUpStep;
use crate::domain::page::{
    CredentialContext, DutyContext, InstructionContext, PageContext, TestContext, WorkReportContext,
};
use crate::domain::profile::credential::CredentialStep;
use crate::domain::work_report::WorkReportStep;

pub fn page(c: &PageContext, tz: Tz) -> (String, String) {
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
        PageReason::Breach => {
            &format!("已超过响应时限（承诺 {}），请核实情况。", format_duration(c.promised_secs, Lang::Zh))
        }
        PageReason::DeliveryFailed => "以下人员的呼叫无法送达，请电话联系。",
        PageReason::DutyStart
        | PageReason::DutyGap
        | PageReason::Test
        | PageReason::Instruction
        | PageReason::InstructionReminder
        | PageReason::InstructionEscalation
        | PageReason::WorkReportDue
        | PageReason::WorkReportOverdue
        | PageReason::CredentialExpiring
        | PageReason::CredentialExpired => "",
    };
    let mut text = format!(
        "{title}\n支撑单位：{unit}\n事件类型：{category}　分级：{sev_code} {severity}\n检测对象：{target}\n现场地址：{site}\n派单时间：{t0}\n响应时限：{deadline}（{clock}）\n{ask}",
        unit = c.unit_name,
        category = c.category.label(Lang::Zh),
        sev_code = c.severity.code(),
        severity = c.severity.label(Lang::Zh),
        target = c.target_name,
        site = c.site_address,
        t0 = format_local(c.notified_at, tz),
        deadline = format_local(c.deadline_at, tz),
    );
    if let Some(who) = &c.failed_recipient {
        text.push_str(&format!("\n未送达：{who}"));
    }
    text.push_str(&format!("\n派单编号：{}", c.assignment_id));
    (title, text)
}

/// 值班开始提醒（谁接班、值到何时、谁交班），或值班空缺提醒（告知支撑单位工作负责人）。
pub fn duty_start(c: &DutyContext, tz: Tz) -> (String, String) {
    let reason = if c.gap { PageReason::DutyGap } else { PageReason::DutyStart };
    let title = format!("【{}】{} {}", reason.label(Lang::Zh), c.unit_name, c.branch_name);
    let (from, until) = (format_local(c.from, tz), format_local(c.until, tz));
    let text = if c.gap {
        let after = c.after.as_deref().map(|a| format!("（{a}的值班已结束）")).unwrap_or_default();
        format!(
            "{title}\n{name}：{from} 至 {until} 无人值班{after}。\n此期间的应急响应派单将直接呼叫您，请尽快安排值班人员。",
            name = c.person_name,
        )
    } else {
        let after = c.after.as_deref().unwrap_or("无（此前无人值班）");
        format!(
            "{title}\n{name}，您的值班已开始：{from} 至 {until}。\n交班人：{after}\n值班期间本属地机构的应急响应派单将直接呼叫您，请保持通讯畅通。",
            name = c.person_name,
        )
    };
    (title, text)
}

/// 测试呼叫：确认此渠道能收到派单，无需回复。
pub fn test_page(c: &TestContext, tz: Tz) -> (String, String) {
    let title = format!("【{}】onsite 渠道测试", PageReason::Test.label(Lang::Zh));
    let text = format!(
        "{title}\n{name}，这是一条测试消息，用于确认您的{channel}能收到应急响应派单。\n发起人：{by}　时间：{at}\n无需回复或操作。",
        name = c.person_name,
        channel = c.channel.label(Lang::Zh),
        by = c.by,
        at = format_local(c.at, tz),
    );
    (title, text)
}

/// 工作指示：首次传达、阅读提醒，或逾期未确认时告知支撑单位工作负责人。
pub fn instruction(c: &InstructionContext, tz: Tz) -> (String, String) {
    let title = format!("【{}】{}", c.reason().label(Lang::Zh), c.title);
    let by = format_local(c.confirm_by, tz);
    let ask = match c.step {
        None => format!("{}，通管局向{}传达以下工作指示，请阅读后于 {by} 前确认已阅：", c.person_name, c.unit_name),
        Some(FollowUpStep::Remind) => format!("{}，以下工作指示尚未确认已阅，请于 {by} 前确认：", c.person_name),
        Some(FollowUpStep::Escalate) => format!(
            "{}，{}尚未确认已阅以下工作指示（确认期限 {by} 已过；已传达：{}）。请督促确认，或由您直接确认：",
            c.person_name,
            c.unit_name,
            c.unconfirmed_by.join("、"),
        ),
    };
    let text = format!(
        "{title}\n{ask}\n{body}\n下发时间：{issued}　确认期限：{by}\n指示编号：{id}",
        body = c.body,
        issued = format_local(c.issued_at, tz),
        id = c.instruction_id,
    );
    (title, text)
}

/// 工作汇报：到期前提醒接口人，逾期后告知接口人和支撑单位工作负责人。
pub fn work_report(c: &WorkReportContext, tz: Tz) -> (String, String) {
    let month = c.month.label_zh();
    let title = format!("【{}】{} {month}", c.reason().label(Lang::Zh), c.unit_name);
    let due = format_local(c.due_at, tz);
    let ask = match c.step {
        WorkReportStep::Remind => format!(
            "{}，本单位{month}工作汇报（工作开展情况、存在问题、下一步计划）须于 {due} 前报送，目前尚未报送，请登录 onsite 填报。",
            c.person_name
        ),
        WorkReportStep::Overdue => {
            format!("{}，本单位{month}工作汇报已于 {due} 逾期，尚未报送，请尽快登录 onsite 报送。", c.person_name)
        }
    };
    (title.clone(), format!("{title}\n{ask}"))
}

/// 资质证书：到期前提醒，到期后告知（接口人；无接口人时支撑单位工作负责人）。
pub fn credential(c: &CredentialContext) -> (String, String) {
    let title = format!("【{}】{} {}", c.reason().label(Lang::Zh), c.unit_name, c.name);
    let holder = c.holder.as_deref().map(|h| format!("（持证人：{h}）")).unwrap_or_default();
    let what = format!("本单位{}“{}”{holder}", c.kind.label(Lang::Zh), c.name);
    let until = c.valid_until.format("%Y-%m-%d");
    let ask = match c.step {
        CredentialStep::Expiring => {
            format!("{what}将于 {until} 到期（剩余 {} 天），请及时办理续期，并在 onsite 更新有效期。", c.days)
        }
        CredentialStep::Expired => format!("{what}已于 {until} 到期，请尽快办理续期，并在 onsite 更新有效期。"),
    };
    (title.clone(), format!("{title}\n{}，{ask}", c.person_name))
}

pub const CHAT: super::ChatText = super::ChatText {
    button_ack: "确认接收",
    button_plan: "已启动应急方案",
    button_site: "已到达现场",
    button_hq: "总部远程支撑",
    button_open: "打开操作页",
    recorded: "已记录",
    unknown_reply: "无法识别此回复，未记录任何操作。请按派单消息中的提示回复，例如 1A 表示确认接收。",
    expired_code: "此回复码已过期，未记录任何操作。请使用最新派单消息中的回复码，或打开其中的操作链接。",
    unknown_code: "没有发给你的派单使用此编号，未记录任何操作。请核对派单消息中的回复码。",
    page_number: "号派单",
    source: "onsite 应急响应",
    unknown_user: "你的账号未登记为任何支撑单位人员的接收渠道，未记录任何操作。请联系单位接口人在 onsite 中添加。",
    unknown_button: "无法识别此按钮，未记录任何操作。请使用最新的派单消息。",
    not_your_unit: "这不是你所在单位的派单，未记录任何操作。",
    failed: "系统暂时无法记录，请稍后重试，或打开派单消息中的操作链接。",
};
