//! A closure report as the API shows it (indicators defanged, the response
//! timeline and two-hour verdict filled in by the system) and as a DOCX a
//! bureau would file: Chinese fonts named (宋体 body, 黑体 headings).

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use super::exhibits::{Exhibit, section};
use super::house_style::{document, heading, or_none, pack, table, text, when};
use super::local;
use crate::app::attachments::Preview;
use crate::domain::assignment::Milestone;
use crate::domain::closure::{C2Address, FiveTuple, Protocol};
use crate::domain::duration::format_duration;
use crate::domain::duration::format_local;
use crate::domain::labels::Lang;
use crate::domain::record::{Assignment, ClosureReport};
use crate::domain::report::kept;
use crate::domain::review::ReviewStatus;
use crate::domain::sla::{SlaState, evaluate};

#[derive(Debug, Serialize, ToSchema)]
pub struct FiveTupleView {
    pub src_ip: String,
    pub src_port: Option<u16>,
    pub dst_ip: String,
    pub dst_port: Option<u16>,
    pub protocol: Protocol,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct C2View {
    /// `ip`, `domain` or `url`.
    pub kind: &'static str,
    pub value: String,
    /// Safe to show: `hxxp://evil[.]com`.
    pub defanged: String,
}

impl From<&FiveTuple> for FiveTupleView {
    fn from(t: &FiveTuple) -> Self {
        Self {
            src_ip: t.src_ip.to_string(),
            src_port: t.src_port,
            dst_ip: t.dst_ip.to_string(),
            dst_port: t.dst_port,
            protocol: t.protocol,
        }
    }
}

impl FiveTupleView {
    /// One line: `10.0.0.5:51234 -> 203.0.113.7:23 TCP`.
    pub fn line(&self) -> String {
        let end = |ip: &str, port: Option<u16>| match port {
            Some(p) if ip.contains(':') => format!("[{ip}]:{p}"),
            Some(p) => format!("{ip}:{p}"),
            None => ip.to_owned(),
        };
        format!(
            "{} -> {} {}",
            end(&self.src_ip, self.src_port),
            end(&self.dst_ip, self.dst_port),
            self.protocol.label(Lang::En)
        )
    }
}

impl From<&C2Address> for C2View {
    fn from(c: &C2Address) -> Self {
        let (kind, value) = match c {
            C2Address::Ip(ip) => ("ip", ip.to_string()),
            C2Address::Domain(d) => ("domain", d.clone()),
            C2Address::Url(u) => ("url", u.clone()),
        };
        C2View { kind, value, defanged: c.defanged() }
    }
}

/// The response as the system recorded it, and the two-hour verdict.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResponseView {
    pub notified_at: DateTime<FixedOffset>,
    pub deadline_at: DateTime<FixedOffset>,
    pub acknowledged_at: Option<DateTime<FixedOffset>>,
    pub plan_activated_at: Option<DateTime<FixedOffset>>,
    pub on_site_at: Option<DateTime<FixedOffset>>,
    pub hq_remote_at: Option<DateTime<FixedOffset>>,
    pub resolved_at: Option<DateTime<FixedOffset>>,
    /// Every required milestone within two hours of T0.
    pub kept: bool,
    pub sla_state: SlaState,
    pub lateness_seconds: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureReportView {
    pub assignment_id: i64,
    pub notice_id: i64,
    pub title: String,
    pub unit_name: String,
    pub status: ReviewStatus,
    pub event_time: Option<DateTime<FixedOffset>>,
    pub description: String,
    pub cause: String,
    pub impact: String,
    pub countermeasures: String,
    pub analysis: String,
    pub five_tuples: Vec<FiveTupleView>,
    pub propagation_path: String,
    pub c2_addresses: Vec<C2View>,
    pub disposal_recommendations: String,
    pub response: ResponseView,
    pub submitted_at: Option<DateTime<FixedOffset>>,
    pub reviewed_at: Option<DateTime<FixedOffset>>,
    pub review_comment: Option<String>,
    pub updated_at: DateTime<FixedOffset>,
}

impl ClosureReportView {
    pub fn new(r: ClosureReport, a: &Assignment, title: String, unit_name: String, tz: Tz, now: DateTime<Utc>) -> Self {
        let state = &a.state;
        let policy = &a.policy;
        let verdict = evaluate(state, policy, now);
        let draft = r.content;
        let at = |m: Milestone| state.milestones.get(m).map(|t| local(t, tz));
        Self {
            assignment_id: a.id,
            notice_id: a.notice_id,
            title,
            unit_name,
            status: r.status,
            event_time: draft.event_time.map(|t| local(t, tz)),
            description: draft.description,
            cause: draft.cause,
            impact: draft.impact,
            countermeasures: draft.countermeasures,
            analysis: draft.analysis,
            five_tuples: draft.five_tuples.iter().map(FiveTupleView::from).collect(),
            propagation_path: draft.propagation_path,
            c2_addresses: draft.c2_addresses.iter().map(C2View::from).collect(),
            disposal_recommendations: draft.disposal_recommendations,
            response: ResponseView {
                notified_at: local(a.state.notified_at, tz),
                deadline_at: local(a.state.deadline_at, tz),
                acknowledged_at: at(Milestone::Acknowledged),
                plan_activated_at: at(Milestone::PlanActivated),
                on_site_at: at(Milestone::OnSite),
                hq_remote_at: at(Milestone::HqRemote),
                resolved_at: at(Milestone::Resolved),
                kept: kept(state, policy),
                sla_state: verdict.state,
                lateness_seconds: verdict.lateness_seconds,
            },
            submitted_at: r.submitted_at.map(|t| local(t, tz)),
            reviewed_at: r.reviewed_at.map(|t| local(t, tz)),
            review_comment: r.review_comment,
            updated_at: local(r.updated_at, tz),
        }
    }
}

/// The assignment's files as exhibits of its report, in Chinese: which
/// milestone or the report, the name, when, and a photo's distance from
/// the site.
pub fn exhibits(files: Vec<Preview>, tz: Tz) -> Vec<Exhibit> {
    files
        .into_iter()
        .map(|d| {
            let a = &d.attachment;
            let on = a.subject.milestone.map_or("处置报告", |m| m.label(Lang::Zh));
            let mut caption = format!("{on} · {} · {}", a.name, format_local(a.uploaded_at, tz));
            if let Some(m) = a.place.and_then(|p| p.distance_m) {
                caption.push_str(&format!(" · 距现场 {m:.0} 米"));
            }
            if a.place.is_some_and(|p| p.far_from_site) {
                caption.push_str("（超出到场范围）");
            }
            Exhibit::new(d, caption)
        })
        .collect()
}

/// The report as a DOCX document, its files after it.
pub fn docx(v: &ClosureReportView, exhibits: &[Exhibit]) -> Result<Vec<u8>, String> {
    let r = &v.response;
    let verdict = if r.kept {
        "两小时承诺：已履约（启动应急支撑方案、到达现场、总部远程支撑均在派单后两小时内完成）".to_owned()
    } else {
        format!(
            "两小时承诺：未履约（{}；超时 {}）",
            r.sla_state.label(Lang::Zh),
            format_duration(r.lateness_seconds, Lang::Zh)
        )
    };
    let doc = document("网络安全事件处置报告", &v.title)
        .add_table(table(
            &["项目", "内容"],
            vec![
                vec!["支撑单位".into(), v.unit_name.clone()],
                vec!["派单编号".into(), format!("{}（通知 {}）", v.assignment_id, v.notice_id)],
                vec!["事件时间".into(), when(v.event_time)],
                vec!["报告状态".into(), v.status.label(Lang::Zh).to_owned()],
            ],
        ))
        .add_paragraph(heading("一、事件基本情况"))
        .add_paragraph(text(&or_none(&v.description)))
        .add_paragraph(heading("二、事件原因"))
        .add_paragraph(text(&or_none(&v.cause)))
        .add_paragraph(heading("三、影响范围"))
        .add_paragraph(text(&or_none(&v.impact)))
        .add_paragraph(heading("四、恶意代码、漏洞及攻击工具分析"))
        .add_paragraph(text(&or_none(&v.analysis)))
        .add_paragraph(heading("五、威胁处置信息"))
        .add_paragraph(text("（一）五元组"))
        .add_table(table(
            &["源IP", "源端口", "目的IP", "目的端口", "协议"],
            v.five_tuples
                .iter()
                .map(|t| {
                    vec![
                        t.src_ip.clone(),
                        t.src_port.map(|p| p.to_string()).unwrap_or_default(),
                        t.dst_ip.clone(),
                        t.dst_port.map(|p| p.to_string()).unwrap_or_default(),
                        t.protocol.label(Lang::Zh).to_owned(),
                    ]
                })
                .collect(),
        ))
        .add_paragraph(text("（二）传播路径"))
        .add_paragraph(text(&or_none(&v.propagation_path)))
        .add_paragraph(text("（三）恶意控制端（C&C）地址（已去活化显示）"))
        .add_table(table(
            &["类型", "地址"],
            v.c2_addresses.iter().map(|c| vec![c.kind.to_owned(), c.defanged.clone()]).collect(),
        ))
        .add_paragraph(text("（四）处置建议"))
        .add_paragraph(text(&or_none(&v.disposal_recommendations)))
        .add_paragraph(heading("六、应对措施及建议"))
        .add_paragraph(text(&or_none(&v.countermeasures)))
        .add_paragraph(heading("七、响应时间线"))
        .add_table(table(
            &["节点", "时间"],
            vec![
                vec!["派单（T0）".into(), when(Some(r.notified_at))],
                vec![Milestone::Acknowledged.label(Lang::Zh).into(), when(r.acknowledged_at)],
                vec![Milestone::PlanActivated.label(Lang::Zh).into(), when(r.plan_activated_at)],
                vec![Milestone::OnSite.label(Lang::Zh).into(), when(r.on_site_at)],
                vec![Milestone::HqRemote.label(Lang::Zh).into(), when(r.hq_remote_at)],
                vec![Milestone::Resolved.label(Lang::Zh).into(), when(r.resolved_at)],
                vec!["时限".into(), when(Some(r.deadline_at))],
            ],
        ))
        .add_paragraph(text(&verdict));
    pack(section(doc, "八、现场照片及附件", exhibits))
}
