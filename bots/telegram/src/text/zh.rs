//! 机器人文案（中文）。

use super::Texts;
use crate::core::{BotError, Lang, Linked, OpenAssignment, PhotoKept, ReadConfirmed, Recorded};

pub static TEXTS: Texts = Texts {
    help: "onsite 应急响应机器人\n\
           /status 查看本单位未完成的派单及剩余时间\n\
           /note 内容 为派单添加备注（或直接回复派单消息）\n\
           /lang zh|en 切换语言\n\
           回复派单消息发送现场照片，即保存为到场凭证（以“文件”方式发送原图可保留拍摄位置）。\n\
           收到派单后，请用消息下方的按钮报告：确认接收、已启动应急方案、已到达现场、总部远程支撑。",
    button_ack: "确认接收",
    button_plan: "已启动应急方案",
    button_site: "已到达现场",
    button_hq: "总部远程支撑",
    button_read: "确认已阅",
    share_location: "发送我的位置",
    ask_location: "请点击下方按钮发送您的当前位置，以记录到达现场。",
    lang_set: "已切换为中文。",
    note_needs_text: "请在 /note 后写上备注内容。",
    no_open: "本单位目前没有未完成的派单。",
    linked: |l: &Linked| match &l.person {
        Some(p) => format!("绑定成功：{p}（{}）。之后的派单会发送到这里。", l.unit),
        None => format!("绑定成功：本群为“{}”的值班群。之后的派单会发送到这里。", l.unit),
    },
    recorded: |r: &Recorded| format!("✅ {} 于 {} 报告“{}”", r.person, r.at_local, r.milestone_zh),
    read_confirmed: |r: &ReadConfirmed| match r.now {
        true => format!("✅ {} 于 {} 确认已阅“{}”", r.by, r.at_local, r.title),
        false => format!("本单位已由 {} 于 {} 确认已阅“{}”，无需再次确认。", r.by, r.at_local, r.title),
    },
    far_from_site: |m: f64| format!("⚠️ 您的位置距现场约 {:.0} 米，已在时间线上标注。", m),
    photo_kept: |p: &PhotoKept| format!("📷 现场照片已保存到派单 {}。", p.assignment_id),
    photo_far: |m: f64| format!("⚠️ 照片拍摄位置距现场约 {:.0} 米，已标注。", m),
    photo_near: |m: f64| format!("照片拍摄位置距现场约 {:.0} 米。", m),
    photo_too_large: |mib: u64| format!("照片过大（上限 {mib} MiB），未保存。"),
    photo_no_position: "照片中没有位置信息（以“文件”方式发送原图可保留位置）。",
    photo_download_failed: "照片下载失败，请稍后重新发送。",
    note_added: |id: i64| format!("备注已记录到派单 {id}。"),
    status_line: |a: &OpenAssignment| {
        let left = if a.remaining_seconds >= 0 {
            format!("剩余 {}", super::duration(a.remaining_seconds, Lang::Zh))
        } else {
            format!("已超时 {}", super::duration(a.remaining_seconds, Lang::Zh))
        };
        format!("#{} {} · {} · {}", a.id, a.title, a.status_zh, left)
    },
    error: |e: &BotError| match e {
        BotError::NotLinked => "此会话尚未绑定人员。请向管理员索取绑定码，然后发送 /start 绑定码。".into(),
        BotError::UnknownCode => "绑定码无效，请核对后重试。".into(),
        BotError::ExpiredCode => "绑定码已过期，请向管理员重新索取。".into(),
        BotError::UsedCode => "绑定码已被使用，请向管理员重新索取。".into(),
        BotError::TooManyAttempts => "绑定尝试过于频繁，请稍后再试，或联系管理员。".into(),
        BotError::NotYourUnit => "这不是本单位的派单，操作未执行。".into(),
        BotError::Refused { zh, .. } => format!("操作未执行：{zh}"),
        BotError::Internal => "服务暂时出错，请稍后重试或电话联系值班人员。".into(),
    },
};
