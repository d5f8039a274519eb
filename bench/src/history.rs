//! Histories written straight into the database for the measurements that
//! need more rows than the API could create in the time (a million closed
//! assignments over a year, twenty thousand open ones with their timers).
//! Each assignment goes through the domain (`AssignmentState::reach`,
//! `escalation::plan`), so the rows are ones the service could have written.

use chrono::{DateTime, Duration, Utc};
use onsite::domain::access::By;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use onsite::domain::access::Scope;
use onsite::domain::assignment::{AssignmentState, Milestone};
use onsite::domain::notice::{Category, Severity};
use onsite::domain::people::{ChannelDraft, ChannelKind, Role};
use onsite::domain::policy::SlaPolicy;
use onsite::domain::unit::{BranchDraft, PersonDraft, UnitDraft};
use onsite::store::Store;
use onsite_store::bulk::{HistoricAssignment, HistoricNotice};

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
            let draft = PersonDraft {
                name: format!("{}{i}", role.code()),
                phone: None,
                role,
                branch_id: None,
                details: Default::default(),
            };
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

/// A notice's category and severity, drawn at random.
fn kind_of(rng: &mut StdRng) -> (Category, Severity) {
    const CATEGORIES: [Category; 5] = [
        Category::WebDefacement,
        Category::MalwareImplant,
        Category::Hijacking,
        Category::Phishing,
        Category::DataLeak,
    ];
    (CATEGORIES[rng.gen_range(0..CATEGORIES.len())], Severity::ALL[rng.gen_range(0..Severity::ALL.len())])
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
        let notices_in_chunk = (count - written).div_ceil(PER_NOTICE).min(CHUNK / PER_NOTICE);
        let mut notices = Vec::with_capacity(notices_in_chunk);
        let mut in_chunk = 0;
        for _ in 0..notices_in_chunk {
            let t0 = from + Duration::seconds(rng.gen_range(0..span));
            let (category, severity) = kind_of(&mut rng);
            let mut assignments = Vec::with_capacity(PER_NOTICE);
            for _ in 0..PER_NOTICE.min(count - written - in_chunk) {
                let (unit_id, branch_id) = units.branches[rng.gen_range(0..units.branches.len())];
                let (state, extended_to) = closed_life(t0, &policy, &mut rng);
                let closure_filed_at = state
                    .milestones
                    .resolved_at
                    .filter(|_| rng.gen_bool(0.33))
                    .map(|resolved| resolved + exp_minutes(&mut rng, 2_880.0));
                assignments.push(HistoricAssignment {
                    unit_id,
                    branch_id,
                    state,
                    extended_to,
                    closure_filed_at,
                    timers: false,
                });
                in_chunk += 1;
            }
            let title = format!("历史事件 {}", t0.timestamp());
            notices.push(HistoricNotice { title, category, severity, issued_at: t0, assignments });
        }
        store.write_history(&notices, &policy).await?;
        written += in_chunk;
    }
    Ok(written)
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
        let n = (count - written).min(CHUNK / 5);
        let mut notices = Vec::with_capacity(n);
        for _ in 0..n {
            let t0 = first_due - Duration::seconds(policy.ack_target_secs)
                + Duration::milliseconds(rng.gen_range(0..span_ms));
            let (category, severity) = kind_of(&mut rng);
            let (unit_id, branch_id) = units.branches[rng.gen_range(0..units.branches.len())];
            let open = HistoricAssignment {
                unit_id,
                branch_id,
                state: AssignmentState::dispatched(t0, policy.deadline_secs, true),
                extended_to: None,
                closure_filed_at: None,
                timers: true,
            };
            let title = format!("待处理事件 {}", t0.timestamp());
            notices.push(HistoricNotice { title, category, severity, issued_at: t0, assignments: vec![open] });
        }
        timers_written += store.write_history(&notices, policy).await?;
        written += n;
    }
    Ok(timers_written)
}
