//! Three months of demo history, lived rather than written: notices issued,
//! answered late or on time, extended, stood down, never acknowledged,
//! closure reports drafted, submitted, returned and accepted. Every step goes
//! through the same use cases and engine as live work, on a clock set to the
//! moment it happened, so timers fire, pages are written and delivered, and
//! the reports count it all as they would have.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::AppState;
use crate::app::{AppError, Core};
use crate::domain::access::{Caller, Scope};
use crate::domain::assignment::Milestone;
use crate::domain::change::Change;
use crate::domain::clock::ManualClock;
use crate::domain::closure::{ClosureDraft, ClosureInput};
use crate::domain::notice::{Category, NoticeDraft, NoticeInput, Severity, TargetKind};
use crate::domain::review::ReviewAction;
use crate::engine::{Engine, earliest};
use crate::store::Store;

/// How far back the history starts, in days.
pub const DAYS: i64 = 90;

/// A unit of the demo as the history uses it: who answers from it.
pub struct Responder {
    pub unit_id: i64,
    /// The branch that goes on site.
    pub branch_id: i64,
    /// The engineer, acting from a chat or an action link.
    pub engineer: Caller,
    /// The liaison, who files the unit's reports and confirms instructions.
    pub liaison: Caller,
}

/// How one assignment goes.
#[derive(Debug, Clone, Copy)]
enum Fate {
    Kept,
    LateByMinutes,
    LateByHours,
    Extended,
    StoodDown,
    NeverAcknowledged,
}

/// What happens to its closure report once it is resolved.
#[derive(Debug, Clone, Copy)]
enum Report {
    Accepted,
    ReturnedThenAccepted,
    Submitted,
    Drafted,
    None,
}

enum Step {
    Issue { units: Vec<usize>, title: &'static str, category: Category, severity: Severity },
    Reach { unit: usize, notice: usize, milestone: Milestone },
    Extend { unit: usize, notice: usize, by: Duration },
    StandDown { unit: usize, notice: usize, reason: &'static str },
    Close { unit: usize, notice: usize },
    Report { unit: usize, notice: usize, step: ClosureStep },
}

#[derive(Clone, Copy)]
enum ClosureStep {
    Draft,
    Submit,
    Return,
    Accept,
}

const INCIDENTS: &[(&str, Category, Severity)] = &[
    ("某区政务网站首页被篡改", Category::WebDefacement, Severity::III),
    ("某医院挂号系统被植入恶意代码", Category::MalwareImplant, Severity::II),
    ("某运营商DNS解析被劫持", Category::Hijacking, Severity::II),
    ("仿冒某银行的钓鱼网站", Category::Phishing, Severity::IV),
    ("某电商平台用户数据疑似泄露", Category::DataLeak, Severity::II),
    ("某高校服务器感染挖矿木马", Category::Botnet, Severity::IV),
    ("某门户网站遭拒绝服务攻击", Category::Ddos, Severity::III),
    ("某视频平台存在高危漏洞被利用", Category::Vulnerability, Severity::III),
];

/// Lives the history on `state`'s store, from `DAYS` ago up to `now`, with
/// `bureau` issuing and reviewing and each responder answering.
pub async fn live(state: &AppState, bureau: &Caller, units: &[Responder], now: DateTime<Utc>) -> Result<(), AppError> {
    let sim = Simulation::from(state, now - Duration::days(DAYS));
    let mut rng = StdRng::seed_from_u64(2026);
    let mut steps = plan(&mut rng, units.len(), now);
    steps.retain(|(at, _)| *at <= now);
    steps.sort_by_key(|(at, _)| *at);
    // Assignments by notice number, then by unit.
    let mut issued: Vec<Vec<(usize, i64)>> = Vec::new();
    for (at, step) in steps {
        sim.catch_up(at).await?;
        let assignment = |unit: usize, notice: usize| {
            issued.get(notice).and_then(|a| a.iter().find(|(u, _)| *u == unit)).map(|(_, id)| *id)
        };
        let app = &sim.state.app;
        let step: Result<(), AppError> = match step {
            Step::Issue { units: chosen, title, category, severity } => {
                let (unit_ids, branch_ids) = chosen.iter().map(|u| (units[*u].unit_id, units[*u].branch_id)).unzip();
                let draft = notice(title, category, severity, unit_ids, branch_ids)?;
                let record = app.issue_notice(bureau, draft).await?.record;
                let ids = chosen.iter().zip(&record.assignments).map(|(u, a)| (*u, a.id)).collect();
                issued.push(ids);
                Ok(())
            }
            Step::Reach { unit, notice, milestone } => match assignment(unit, notice) {
                Some(id) => {
                    app.change_assignment(&units[unit].engineer, id, Change::milestone(milestone)).await.map(drop)
                }
                None => Ok(()),
            },
            Step::Extend { unit, notice, by } => match assignment(unit, notice) {
                Some(id) => {
                    let deadline_at = state.store.assignment(Scope::All, id).await?.state.deadline_at + by;
                    let change =
                        Change::Extend { deadline_at, reason: "现场交通管制，申请延长时限".into() };
                    app.change_assignment(bureau, id, change).await.map(drop)
                }
                None => Ok(()),
            },
            Step::StandDown { unit, notice, reason } => match assignment(unit, notice) {
                Some(id) => {
                    app.change_assignment(bureau, id, Change::StandDown { reason: reason.into() }).await.map(drop)
                }
                None => Ok(()),
            },
            Step::Close { unit, notice } => match assignment(unit, notice) {
                Some(id) => app.change_assignment(bureau, id, Change::milestone(Milestone::Closed)).await.map(drop),
                None => Ok(()),
            },
            Step::Report { unit, notice, step } => match assignment(unit, notice) {
                Some(id) => report(app, &state.store, (bureau, &units[unit].engineer), id, step).await,
                None => Ok(()),
            },
        };
        step?;
    }
    sim.catch_up(now).await
}

/// The service on a clock of its own, set to each moment as it is lived.
#[derive(Clone)]
pub struct Simulation {
    pub clock: Arc<ManualClock>,
    pub state: AppState,
    pub engine: Engine,
}

impl Simulation {
    pub fn from(state: &AppState, start: DateTime<Utc>) -> Self {
        let clock = Arc::new(ManualClock::new(start));
        let mut sim = state.clone();
        sim.clock = clock.clone();
        sim.app = state.app.on_clock(clock.clone());
        Self { engine: Engine::new(sim.clone()), state: sim, clock }
    }

    /// Lives every timer and follow-up due up to `at`, then sets the clock there.
    pub async fn catch_up(&self, at: DateTime<Utc>) -> Result<(), AppError> {
        let store = &self.state.store;
        while let Some(due) =
            earliest(store.next_timer_due().await?, store.next_instruction_due().await?).filter(|due| *due <= at)
        {
            self.clock.set(due);
            self.engine.tick().await?;
        }
        self.clock.set(at);
        Ok(())
    }
}

async fn report(
    app: &Core,
    store: &Store,
    (bureau, engineer): (&Caller, &Caller),
    id: i64,
    step: ClosureStep,
) -> Result<(), AppError> {
    match step {
        ClosureStep::Draft => {
            let notified_at = store.assignment(Scope::All, id).await?.state.notified_at;
            app.save_closure_report(engineer, id, closure(notified_at - Duration::minutes(20))?).await.map(drop)
        }
        ClosureStep::Submit => app.closure_step(engineer, id, ReviewAction::Submit, None).await.map(drop),
        ClosureStep::Return => {
            let comment = Some("请补充攻击来源地址和处置建议");
            app.closure_step(bureau, id, ReviewAction::Return, comment).await.map(drop)
        }
        ClosureStep::Accept => app.closure_step(bureau, id, ReviewAction::Accept, None).await.map(drop),
    }
}

fn notice(
    title: &str,
    category: Category,
    severity: Severity,
    unit_ids: Vec<i64>,
    branch_ids: Vec<i64>,
) -> Result<NoticeDraft, AppError> {
    Ok(NoticeDraft::parse(NoticeInput {
        title: title.into(),
        category,
        severity,
        target_name: "重庆某单位".into(),
        target_kind: Some(TargetKind::Other),
        enterprise_id: None,
        site_address: "重庆市渝中区解放碑".into(),
        site_lat: Some(29.557),
        site_lon: Some(106.577),
        description: "通管局监测发现，请立即启动应急预案并派员到场处置。".into(),
        requires_onsite: true,
        unit_ids,
        branch_ids,
    })?)
}

fn closure(event_time: DateTime<Utc>) -> Result<ClosureDraft, AppError> {
    let input = ClosureInput {
        event_time: Some(event_time.fixed_offset()),
        description: "监测发现目标系统异常，已到场核查确认。".into(),
        cause: "中间件存在未修复漏洞，被利用上传恶意文件。".into(),
        impact: "相关页面约一小时内不可信，未发现数据外泄。".into(),
        countermeasures: "下线受影响页面，清除恶意文件，修补漏洞并加固口令。".into(),
        ..ClosureInput::default()
    };
    Ok(ClosureDraft::parse(&input)?)
}

fn minutes(rng: &mut StdRng, range: std::ops::Range<i64>) -> Duration {
    Duration::minutes(rng.gen_range(range))
}

/// Every step of the history, unsorted: about one notice a day.
fn plan(rng: &mut StdRng, unit_count: usize, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, Step)> {
    let mut steps = Vec::new();
    let mut notice = 0;
    for day in (1..=DAYS).rev() {
        if !rng.gen_bool(0.7) {
            continue;
        }
        // Any hour of the day or night, local time being UTC+8.
        let t0 = now - Duration::days(day) + minutes(rng, 0..24 * 60);
        let first = rng.gen_range(0..unit_count);
        let mut chosen = vec![first];
        if rng.gen_bool(0.3) {
            chosen.push((first + 1) % unit_count);
        }
        let (title, category, severity) = INCIDENTS[rng.gen_range(0..INCIDENTS.len())];
        steps.push((t0, Step::Issue { units: chosen.clone(), title, category, severity }));
        for unit in chosen {
            let fate = match rng.gen_range(0..100) {
                0..62 => Fate::Kept,
                62..72 => Fate::LateByMinutes,
                72..80 => Fate::LateByHours,
                80..87 => Fate::Extended,
                87..95 => Fate::StoodDown,
                _ => Fate::NeverAcknowledged,
            };
            let report = match rng.gen_range(0..10) {
                0..6 => Report::Accepted,
                6 => Report::ReturnedThenAccepted,
                7 => Report::Submitted,
                8 => Report::Drafted,
                _ => Report::None,
            };
            steps.extend(life(rng, t0 + Duration::seconds(1), unit, notice, fate, report));
        }
        notice += 1;
    }
    // Two still running when the demo starts: one the unit is working on,
    // one just issued that nobody has acknowledged yet.
    let (working, fresh) = (now - Duration::minutes(50), now - Duration::minutes(4));
    let (title, category, severity) = INCIDENTS[0];
    steps.push((working, Step::Issue { units: vec![0], title, category, severity }));
    steps.push((working + Duration::minutes(6), Step::Reach { unit: 0, notice, milestone: Milestone::Acknowledged }));
    steps.push((working + Duration::minutes(20), Step::Reach { unit: 0, notice, milestone: Milestone::PlanActivated }));
    let (title, category, severity) = INCIDENTS[4];
    steps.push((fresh, Step::Issue { units: vec![1 % unit_count], title, category, severity }));
    steps
}

/// One assignment's steps from its dispatch at `t0`.
fn life(
    rng: &mut StdRng,
    t0: DateTime<Utc>,
    unit: usize,
    notice: usize,
    fate: Fate,
    report: Report,
) -> Vec<(DateTime<Utc>, Step)> {
    let reach = |milestone| Step::Reach { unit, notice, milestone };
    match fate {
        Fate::StoodDown => {
            let at = t0 + minutes(rng, 10..40);
            return vec![(at, Step::StandDown { unit, notice, reason: "经核实为误报，撤销派单" })];
        }
        Fate::NeverAcknowledged => {
            let at = t0 + minutes(rng, 180..300);
            return vec![(at, Step::StandDown { unit, notice, reason: "支撑单位始终未响应，改派其他力量处置" })];
        }
        _ => {}
    }
    let ack = t0 + minutes(rng, 1..12);
    let plan = ack + minutes(rng, 5..30);
    let hq = ack + minutes(rng, 5..25);
    let on_site = match fate {
        Fate::LateByMinutes => t0 + Duration::hours(2) + minutes(rng, 3..30),
        Fate::LateByHours => t0 + minutes(rng, 180..420),
        Fate::Extended => t0 + minutes(rng, 130..170),
        _ => plan + minutes(rng, 20..70),
    }
    .max(plan + Duration::minutes(1));
    let resolved = on_site + minutes(rng, 60..300);
    let mut steps = vec![
        (ack, reach(Milestone::Acknowledged)),
        (plan, reach(Milestone::PlanActivated)),
        (hq, reach(Milestone::HqRemote)),
        (on_site, reach(Milestone::OnSite)),
        (resolved, reach(Milestone::Resolved)),
    ];
    if matches!(fate, Fate::Extended) {
        steps.push((t0 + minutes(rng, 80..100), Step::Extend { unit, notice, by: Duration::hours(1) }));
    }
    let drafted = resolved + minutes(rng, 60..600);
    let submitted = drafted + minutes(rng, 30..240);
    let reviewed = submitted + minutes(rng, 60..1_440);
    let report_step = |step| Step::Report { unit, notice, step };
    match report {
        Report::None => {}
        Report::Drafted => steps.push((drafted, report_step(ClosureStep::Draft))),
        Report::Submitted | Report::Accepted | Report::ReturnedThenAccepted => {
            steps.push((drafted, report_step(ClosureStep::Draft)));
            steps.push((submitted, report_step(ClosureStep::Submit)));
        }
    }
    match report {
        Report::Accepted => steps.push((reviewed, report_step(ClosureStep::Accept))),
        Report::ReturnedThenAccepted => {
            let resubmitted = reviewed + minutes(rng, 120..1_440);
            steps.push((reviewed, report_step(ClosureStep::Return)));
            steps.push((resubmitted - Duration::minutes(10), report_step(ClosureStep::Draft)));
            steps.push((resubmitted, report_step(ClosureStep::Submit)));
            steps.push((resubmitted + minutes(rng, 60..600), report_step(ClosureStep::Accept)));
        }
        _ => {}
    }
    if matches!(report, Report::Accepted | Report::ReturnedThenAccepted) {
        steps.push((resolved + Duration::days(3), Step::Close { unit, notice }));
    }
    steps
}
