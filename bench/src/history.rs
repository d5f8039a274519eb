//! Histories written straight into the database for the measurements that
//! need more rows than the API could create in the time (a million closed
//! assignments over a year, twenty thousand open ones with their timers).
//! Each assignment goes through the domain (`AssignmentState::reach`,
//! `escalation::plan`), so the rows are ones the service could have written.

use chrono::{DateTime, Duration, Utc};
use onsite::domain::access::By;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ActiveValue::NotSet, EntityTrait, Set, TransactionTrait};

use onsite::domain::access::Scope;
use onsite::domain::assignment::{AssignmentState, Milestone};
use onsite::domain::escalation;
use onsite::domain::people::{ChannelDraft, ChannelKind, Role};
use onsite::domain::policy::SlaPolicy;
use onsite::domain::unit::{BranchDraft, PersonDraft, UnitDraft};
use onsite::store::Store;
use onsite_store::entities::{assignment, closure_report, notice, timer};

/// Rows per INSERT statement (well under SQLite's bound-variable limit).
const CHUNK: usize = 500;

/// The units of a history: each with branches and people to page.
#[derive(Debug, Clone)]
pub struct Units {
    pub ids: Vec<i64>,
    /// `(unit, branch)` pairs to spread assignments over.
    pub branches: Vec<(i64, i64)>,
}

/// `count` units with three branches each, and an engineer, a liaison, a
/// support lead and an emergency lead, each on a webhook under `hooks`
/// (`…/hook/{unit}-{role}`).
pub async fn units(store: &Store, count: usize, hooks: &str, now: DateTime<Utc>) -> anyhow::Result<Units> {
    let mut out = Units { ids: Vec::new(), branches: Vec::new() };
    for i in 0..count {
        let draft = UnitDraft { name: format!("历史支撑单位{i:02}"), credit_code: None, hq_address: None };
        let unit = store.create_unit(&By::operator("bench"), draft, now).await?;
        for b in 0..3 {
            let draft = BranchDraft {
                name: format!("{}分公司{b}", unit.name),
                district: None,
                address: "重庆市".into(),
                location: None,
            };
            out.branches.push((
                unit.id,
                store.create_branch(&By::operator("bench"), Scope::All, unit.id, draft, now).await?.id,
            ));
        }
        for role in [Role::Engineer, Role::Liaison, Role::SupportLead, Role::EmergencyLead] {
            let draft = PersonDraft { name: format!("{}{i}", role.code()), phone: None, role, branch_id: None };
            let person = store.create_person(&By::operator("bench"), Scope::All, unit.id, draft, now).await?;
            let hook = format!("{hooks}/hook/{}-{}", unit.id, role.code());
            store
                .create_channel(
                    &By::operator("bench"),
                    Scope::All,
                    person.id,
                    ChannelDraft { kind: ChannelKind::Webhook, address: hook },
                    now,
                )
                .await?;
        }
        out.ids.push(unit.id);
    }
    Ok(out)
}

fn exp_minutes(rng: &mut StdRng, mean: f64) -> Duration {
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    Duration::seconds((-u.ln() * mean * 60.0) as i64)
}

fn notice_row(title: String, issued_at: DateTime<Utc>, rng: &mut StdRng) -> notice::ActiveModel {
    use onsite::domain::notice::{Category, Severity, TargetKind};
    const CATEGORIES: [Category; 5] = [
        Category::WebDefacement,
        Category::MalwareImplant,
        Category::Hijacking,
        Category::Phishing,
        Category::DataLeak,
    ];
    notice::ActiveModel {
        id: NotSet,
        title: Set(title),
        category: Set(CATEGORIES[rng.gen_range(0..CATEGORIES.len())]),
        severity: Set(Severity::ALL[rng.gen_range(0..Severity::ALL.len())]),
        target_name: Set("某互联网企业".into()),
        target_kind: Set(TargetKind::InternetCompany),
        site_address: Set("重庆市渝北区".into()),
        site_lat: Set(None),
        site_lon: Set(None),
        description: Set("历史记录（基准测试生成）".into()),
        requires_onsite: Set(true),
        issued_by: Set(None),
        issued_at: Set(issued_at),
    }
}

fn assignment_row(
    notice_id: i64,
    (unit_id, branch_id): (i64, i64),
    state: &AssignmentState,
    extended_to: Option<DateTime<Utc>>,
    policy: &SlaPolicy,
) -> assignment::ActiveModel {
    let m = &state.milestones;
    let deadline = extended_to.unwrap_or(state.deadline_at);
    let late = [m.plan_activated_at, m.on_site_at, m.hq_remote_at].iter().any(|t| t.is_none_or(|t| t > deadline));
    let finished = m.closed_at.is_some() || state.stood_down_at.is_some();
    assignment::ActiveModel {
        id: NotSet,
        notice_id: Set(notice_id),
        unit_id: Set(unit_id),
        branch_id: Set(Some(branch_id)),
        status: Set(state.status),
        requires_onsite: Set(state.requires_onsite),
        notified_at: Set(state.notified_at),
        deadline_at: Set(deadline),
        original_deadline_at: Set(state.deadline_at),
        acknowledged_at: Set(m.acknowledged_at),
        plan_activated_at: Set(m.plan_activated_at),
        on_site_at: Set(m.on_site_at),
        hq_remote_at: Set(m.hq_remote_at),
        resolved_at: Set(m.resolved_at),
        closed_at: Set(m.closed_at),
        stood_down_at: Set(state.stood_down_at),
        stand_down_reason: Set(state.stood_down_at.map(|_| "误报".to_owned())),
        extension_count: Set(i32::from(extended_to.is_some())),
        breached_at: Set((finished && late && state.stood_down_at.is_none()).then_some(deadline)),
        reassigned_from: Set(None),
        policy: Set(policy.clone().into()),
        protection_period_id: Set(None),
        version: Set(1),
        updated_at: Set(state.notified_at),
    }
}

/// A closed assignment's life, drawn at random: most on time, some late,
/// some extended, some stood down.
fn closed_life(t0: DateTime<Utc>, policy: &SlaPolicy, rng: &mut StdRng) -> (AssignmentState, Option<DateTime<Utc>>) {
    let mut s = AssignmentState::dispatched(t0, policy.deadline_secs, true);
    if rng.gen_bool(0.03) {
        let at = t0 + exp_minutes(rng, 15.0);
        s.status = onsite::domain::assignment::Status::StoodDown;
        s.stood_down_at = Some(at);
        return (s, None);
    }
    let ack = t0 + exp_minutes(rng, 6.0);
    let plan = ack + exp_minutes(rng, 15.0);
    let hq = ack + exp_minutes(rng, 20.0);
    let on_site = plan + exp_minutes(rng, 45.0);
    let resolved = on_site + exp_minutes(rng, 180.0);
    let closed = resolved + exp_minutes(rng, 1_440.0);
    let extended = rng.gen_bool(0.05).then(|| s.deadline_at + Duration::minutes(60));
    for (m, at) in [
        (Milestone::Acknowledged, ack),
        (Milestone::PlanActivated, plan),
        (Milestone::HqRemote, hq.max(ack)),
        (Milestone::OnSite, on_site),
        (Milestone::Resolved, resolved),
        (Milestone::Closed, closed),
    ] {
        if let Ok(next) = s.reach(m, at, closed) {
            s = next;
        }
    }
    (s, extended)
}

/// `closed_year` in `writers` concurrent parts (PostgreSQL takes several
/// writers; SQLite one), each with its own seed.
pub async fn closed_year_by(
    store: &Store,
    units: &Units,
    count: usize,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    seed: u64,
    writers: usize,
) -> anyhow::Result<usize> {
    let writers = writers.max(1);
    let parts: Vec<_> = (0..writers)
        .map(|w| {
            let (store, units) = (store.clone(), units.clone());
            let part = count / writers + usize::from(w < count % writers);
            tokio::spawn(async move { closed_year(&store, &units, part, from, to, seed + w as u64).await })
        })
        .collect();
    let mut written = 0;
    for p in parts {
        written += p.await??;
    }
    Ok(written)
}

/// `count` closed assignments over `[from, to)`, four units to a notice, and
/// a closure report for a third of them. Returns how many were written.
pub async fn closed_year(
    store: &Store,
    units: &Units,
    count: usize,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    seed: u64,
) -> anyhow::Result<usize> {
    const PER_NOTICE: usize = 4;
    let mut rng = StdRng::seed_from_u64(seed);
    let policy = SlaPolicy::default();
    let span = (to - from).num_seconds().max(1);
    let mut written = 0;
    while written < count {
        let txn = store.db().begin().await?;
        let notices_in_chunk = (count - written).div_ceil(PER_NOTICE).min(CHUNK / PER_NOTICE);
        let times: Vec<DateTime<Utc>> =
            (0..notices_in_chunk).map(|_| from + Duration::seconds(rng.gen_range(0..span))).collect();
        let rows: Vec<_> =
            times.iter().map(|t| notice_row(format!("历史事件 {}", t.timestamp()), *t, &mut rng)).collect();
        let notice_ids = notice::Entity::insert_many(rows).exec_with_returning_keys(&txn).await?;
        let mut assignments = Vec::with_capacity(CHUNK);
        let mut lives = Vec::with_capacity(CHUNK);
        for (k, t0) in times.iter().enumerate() {
            for _ in 0..PER_NOTICE.min(count - written - assignments.len()) {
                let place = units.branches[rng.gen_range(0..units.branches.len())];
                let (state, extended) = closed_life(*t0, &policy, &mut rng);
                assignments.push(assignment_row(notice_ids[k], place, &state, extended, &policy));
                lives.push(state);
            }
        }
        let n = assignments.len();
        let assignment_ids = assignment::Entity::insert_many(assignments).exec_with_returning_keys(&txn).await?;
        let reports: Vec<_> = lives
            .iter()
            .enumerate()
            .filter_map(|(k, s)| {
                let resolved = s.milestones.resolved_at?;
                rng.gen_bool(0.33).then(|| closure_row(assignment_ids[k], resolved + exp_minutes(&mut rng, 2_880.0)))
            })
            .collect();
        if !reports.is_empty() {
            closure_report::Entity::insert_many(reports).exec(&txn).await?;
        }
        txn.commit().await?;
        written += n;
    }
    Ok(written)
}

fn closure_row(assignment_id: i64, submitted_at: DateTime<Utc>) -> closure_report::ActiveModel {
    closure_report::ActiveModel {
        id: NotSet,
        assignment_id: Set(assignment_id),
        status: Set(onsite::domain::closure::ClosureStatus::Accepted),
        event_time: Set(None),
        description: Set("首页被篡改".into()),
        cause: Set("弱口令".into()),
        impact: Set("首页不可用".into()),
        countermeasures: Set("恢复页面，修改口令".into()),
        analysis: Set(String::new()),
        five_tuples: Set(Vec::new().into()),
        propagation_path: Set(String::new()),
        c2_addresses: Set(Vec::new().into()),
        disposal_recommendations: Set(String::new()),
        submitted_at: Set(Some(submitted_at)),
        reviewed_at: Set(Some(submitted_at)),
        reviewed_by: Set(None),
        review_comment: Set(None),
        created_at: Set(submitted_at),
        updated_at: Set(submitted_at),
    }
}

/// `count` open, unacknowledged assignments dispatched so that their first
/// timers fall due spread over `[first_due, first_due + spread)`, each with
/// the five timers of its policy. Returns how many timers were written.
pub async fn open_with_timers(
    store: &Store,
    units: &Units,
    count: usize,
    policy: &SlaPolicy,
    first_due: DateTime<Utc>,
    spread: Duration,
    seed: u64,
) -> anyhow::Result<usize> {
    let mut rng = StdRng::seed_from_u64(seed);
    let span_ms = spread.num_milliseconds().max(1);
    let mut written = 0;
    let mut timers_written = 0;
    while written < count {
        let txn = store.db().begin().await?;
        let n = (count - written).min(CHUNK / 5);
        let t0s: Vec<DateTime<Utc>> = (0..n)
            .map(|_| {
                first_due - Duration::seconds(policy.ack_target_secs)
                    + Duration::milliseconds(rng.gen_range(0..span_ms))
            })
            .collect();
        let rows: Vec<_> =
            t0s.iter().map(|t| notice_row(format!("待处理事件 {}", t.timestamp()), *t, &mut rng)).collect();
        let notice_ids = notice::Entity::insert_many(rows).exec_with_returning_keys(&txn).await?;
        let states: Vec<AssignmentState> =
            t0s.iter().map(|t0| AssignmentState::dispatched(*t0, policy.deadline_secs, true)).collect();
        let rows: Vec<_> = states
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let place = units.branches[rng.gen_range(0..units.branches.len())];
                assignment_row(notice_ids[k], place, s, None, policy)
            })
            .collect();
        let assignment_ids = assignment::Entity::insert_many(rows).exec_with_returning_keys(&txn).await?;
        let timers: Vec<_> = states
            .iter()
            .enumerate()
            .flat_map(|(k, s)| {
                let assignment_id = assignment_ids[k];
                escalation::plan(policy, s).into_iter().map(move |t| timer::ActiveModel {
                    assignment_id: Set(assignment_id),
                    kind: Set(t.kind),
                    due_at: Set(t.due_at),
                    status: Set(onsite::domain::escalation::TimerStatus::Pending),
                    created_at: Set(s.notified_at),
                    ..Default::default()
                })
            })
            .collect();
        timers_written += timers.len();
        timer::Entity::insert_many(timers).exec(&txn).await?;
        txn.commit().await?;
        written += n;
    }
    Ok(timers_written)
}
