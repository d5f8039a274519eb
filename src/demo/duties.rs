//! The demo units' other duties, lived like the history: the registry of
//! detection objects, special reports accepted and awaiting review, threat
//! reports (one indicator reported by two units), instructions confirmed on
//! time, late and not yet, and the last two months' work reports on time,
//! late and missing; so the scorecard and the duties' pages have something
//! to show. Every step goes through the use cases on the simulation's clock.

use chrono::{DateTime, Duration, Utc};

use super::history::{Responder, Simulation};
use crate::AppState;
use crate::app::AppError;
use crate::domain::access::Caller;
use crate::domain::enterprise::{Business, EnterpriseDraft, EnterpriseInput};
use crate::domain::instruction::InstructionInput;
use crate::domain::notice::{Category, Severity, TargetKind};
use crate::domain::review::ReviewAction;
use crate::domain::special_report::{SpecialReportDraft, SpecialReportInput};
use crate::domain::threat::{ThreatFindingInput, ThreatKind, ThreatReportDraft, ThreatReportInput};
use crate::domain::work_report::{Month, WorkReportDraft, WorkReportInput};

/// How far back the duties start, in days.
const DAYS: i64 = 70;

/// A detection object of the demo's registry.
struct DemoEnterprise {
    name: &'static str,
    credit_code: &'static str,
    kind: TargetKind,
    businesses: &'static [Business],
    address: &'static str,
    at: (f64, f64),
}

const ENTERPRISES: &[DemoEnterprise] = &[
    DemoEnterprise {
        name: "中国电信股份有限公司重庆分公司",
        credit_code: "91500000DEMO00001A",
        kind: TargetKind::TelecomOperator,
        businesses: &[],
        address: "重庆市渝中区中山三路",
        at: (29.5570, 106.5520),
    },
    DemoEnterprise {
        name: "重庆某云计算有限公司",
        credit_code: "91500000DEMO00002B",
        kind: TargetKind::InternetCompany,
        businesses: &[Business::Idc],
        address: "重庆市两江新区云计算产业园",
        at: (29.6700, 106.6300),
    },
    DemoEnterprise {
        name: "重庆某直播科技有限公司",
        credit_code: "91500000DEMO00003C",
        kind: TargetKind::InternetCompany,
        businesses: &[Business::LiveStreaming],
        address: "重庆市渝北区金开大道",
        at: (29.6160, 106.5010),
    },
    DemoEnterprise {
        name: "重庆某出行服务有限公司",
        credit_code: "91500000DEMO00004D",
        kind: TargetKind::InternetCompany,
        businesses: &[Business::RideHailing],
        address: "重庆市江北区观音桥",
        at: (29.5750, 106.5330),
    },
    DemoEnterprise {
        name: "重庆某域名服务有限公司",
        credit_code: "91500000DEMO00005E",
        kind: TargetKind::DomainRegistry,
        businesses: &[Business::DomainRegistration, Business::DomainResolution],
        address: "重庆市南岸区南坪",
        at: (29.5280, 106.5700),
    },
];

/// One step of the duties, by unit index (0 to 2) where a unit acts.
enum Act {
    Special { unit: usize, title: &'static str, enterprise: usize },
    SpecialStep { report: usize, action: ReviewAction },
    Threat { unit: usize, c2: &'static str, enterprise: usize },
    ThreatStep { report: usize, action: ReviewAction },
    Instruct { title: &'static str, body: &'static str, within: Duration },
    Confirm { unit: usize, instruction: usize },
    WorkReport { unit: usize, month: Month },
}

fn plan(now: DateTime<Utc>, tz: chrono_tz::Tz) -> Vec<(DateTime<Utc>, Act)> {
    let day = |d: i64| now - Duration::days(d);
    let last = Month::of(now, tz).previous();
    let older = last.previous();
    let mut steps = vec![
        (day(20), Act::Special { unit: 0, title: "某开源组件远程代码执行漏洞预警", enterprise: 1 }),
        (day(20) + Duration::hours(2), Act::SpecialStep { report: 0, action: ReviewAction::Submit }),
        (day(19), Act::SpecialStep { report: 0, action: ReviewAction::Accept }),
        (day(3), Act::Special { unit: 1, title: "直播平台账号批量被盗情况分析", enterprise: 2 }),
        (day(3) + Duration::hours(1), Act::SpecialStep { report: 1, action: ReviewAction::Submit }),
        (day(12), Act::Threat { unit: 2, c2: "203.0.113.45", enterprise: 2 }),
        (day(12) + Duration::hours(1), Act::ThreatStep { report: 0, action: ReviewAction::Submit }),
        (day(11), Act::ThreatStep { report: 0, action: ReviewAction::Accept }),
        (day(6), Act::Threat { unit: 0, c2: "203.0.113[.]45", enterprise: 3 }),
        (day(6) + Duration::hours(2), Act::ThreatStep { report: 1, action: ReviewAction::Submit }),
        (
            day(12),
            Act::Instruct {
                title: "关于开展年末网络安全隐患排查的通知",
                body: "请各单位于本周内完成对所支撑企业的隐患排查，并将排查情况随月度工作汇报报送。",
                within: Duration::days(2),
            },
        ),
        (day(12) + Duration::minutes(40), Act::Confirm { unit: 0, instruction: 0 }),
        (day(12) + Duration::hours(5), Act::Confirm { unit: 1, instruction: 0 }),
        (day(9), Act::Confirm { unit: 2, instruction: 0 }),
        (
            day(1),
            Act::Instruct {
                title: "关于做好元旦期间网络安全保障工作的通知",
                body: "请各单位即日起落实 7×24 小时值守，确认值班人员和联系方式。",
                within: Duration::days(3),
            },
        ),
        (day(1) + Duration::minutes(25), Act::Confirm { unit: 0, instruction: 1 }),
    ];
    // The month before last: on time, late, never. Last month: the first unit on time.
    steps.push((older.end(tz) + Duration::days(2), Act::WorkReport { unit: 0, month: older }));
    steps.push((older.end(tz) + Duration::days(7), Act::WorkReport { unit: 1, month: older }));
    steps.push((last.end(tz) + Duration::hours(30), Act::WorkReport { unit: 0, month: last }));
    steps.retain(|(at, _)| *at <= now);
    steps.sort_by_key(|(at, _)| *at);
    steps
}

/// Lives the duties from `DAYS` ago up to `now` on `state`'s store.
pub async fn live(state: &AppState, bureau: &Caller, units: &[Responder], now: DateTime<Utc>) -> Result<(), AppError> {
    let sim = Simulation::from(state, now - Duration::days(DAYS));
    let app = &sim.state.app;
    let mut enterprises = Vec::new();
    for e in ENTERPRISES {
        let input = EnterpriseInput {
            name: e.name.into(),
            credit_code: Some(e.credit_code.into()),
            kind: e.kind,
            businesses: e.businesses.to_vec(),
            address: Some(e.address.into()),
            lat: Some(e.at.0),
            lon: Some(e.at.1),
        };
        enterprises.push(app.create_enterprise(bureau, EnterpriseDraft::parse(&input)?).await?.id);
    }
    let (mut specials, mut threats, mut instructions) = (Vec::new(), Vec::new(), Vec::new());
    for (at, act) in plan(now, state.tz) {
        sim.catch_up(at).await?;
        let liaison = |unit: usize| &units[unit].liaison;
        match act {
            Act::Special { unit, title, enterprise } => {
                let draft = SpecialReportDraft::parse(&special(title, enterprises[enterprise], at))?;
                specials.push((unit, app.file_special_report(liaison(unit), None, draft).await?.id));
            }
            Act::SpecialStep { report, action } => {
                let (unit, id) = specials[report];
                let caller = if action == ReviewAction::Submit { liaison(unit) } else { bureau };
                app.special_report_step(caller, id, action, None).await?;
            }
            Act::Threat { unit, c2, enterprise } => {
                let draft = ThreatReportDraft::parse(&threat(c2, enterprises[enterprise], at))?;
                threats.push((unit, app.file_threat_report(liaison(unit), None, draft).await?.id));
            }
            Act::ThreatStep { report, action } => {
                let (unit, id) = threats[report];
                let caller = if action == ReviewAction::Submit { liaison(unit) } else { bureau };
                app.threat_report_step(caller, id, action, None).await?;
            }
            Act::Instruct { title, body, within } => {
                let input = InstructionInput {
                    title: title.into(),
                    body: body.into(),
                    unit_ids: Vec::new(),
                    confirm_by: Some((at + within).fixed_offset()),
                };
                instructions.push(app.issue_instruction(bureau, &input).await?.id);
            }
            Act::Confirm { unit, instruction } => {
                app.confirm_instruction(liaison(unit), instructions[instruction]).await?;
            }
            Act::WorkReport { unit, month } => {
                let draft = WorkReportDraft::parse(&work_report(month))?;
                app.save_work_report(liaison(unit), None, month, draft).await?;
                app.submit_work_report(liaison(unit), None, month).await?;
            }
        }
    }
    sim.catch_up(now).await?;
    sim.engine.tick().await?;
    Ok(())
}

fn special(title: &str, enterprise: i64, at: DateTime<Utc>) -> SpecialReportInput {
    SpecialReportInput {
        title: title.into(),
        category: Category::Vulnerability,
        severity: Severity::III,
        event_time: Some((at - Duration::hours(6)).fixed_offset()),
        description: "监测发现境外安全社区公开了利用代码，省内多家企业的对外服务使用该组件。".into(),
        cause: "组件反序列化时未校验类型，可被远程构造载荷执行命令。".into(),
        impact: "初步排查省内 12 家企业的 37 个对外系统受影响。".into(),
        countermeasures: "建议立即升级至修复版本；暂不能升级的关闭相关接口并加强访问控制。".into(),
        analysis: "利用链依赖常见 gadget 类，攻击载荷经 HTTP 请求头注入。".into(),
        enterprise_ids: vec![enterprise],
        other_targets: String::new(),
    }
}

fn threat(c2: &str, enterprise: i64, at: DateTime<Utc>) -> ThreatReportInput {
    let finding = |kind, name: &str, hash: &str| ThreatFindingInput {
        kind,
        name: name.into(),
        found_at: (at - Duration::days(1)).fixed_offset(),
        description: "监测发现受控主机周期性连接 C&C 服务器".into(),
        enterprise_id: Some(enterprise),
        other_target: String::new(),
        five_tuples: Vec::new(),
        propagation_path: "弱口令爆破后下载执行".into(),
        c2_addresses: vec![c2.into()],
        hashes: vec![hash.into()],
        disposal_advice: "封堵 C&C 地址，排查并修改弱口令".into(),
    };
    ThreatReportInput {
        title: "本月威胁信息（第一批）".into(),
        findings: vec![
            finding(ThreatKind::Botnet, "Mirai 变种", "44d88612fea8a8f36de82e1278abb02f"),
            finding(ThreatKind::Trojan, "远控木马", "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"),
        ],
    }
}

fn work_report(month: Month) -> WorkReportInput {
    WorkReportInput {
        work_done: format!("{}完成所支撑企业远程巡检 4 次、应急演练 1 次，响应通报 2 起。", month.label_zh()),
        problems: "个别企业联系人变更未及时报备。".into(),
        next_plans: "完成年末隐患排查，落实元旦期间值守安排。".into(),
    }
}
