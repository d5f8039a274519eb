//! A small world for the use cases: two units with a branch and an engineer
//! each, and a user of every role, on a fresh SQLite file.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use onsite::app::{AppError, Core};
use onsite::config::Config;
use onsite::domain::access::By;
use onsite::domain::access::{Actor, Caller, Need, PersonCaller, Scope, Source, UserRole};
use onsite::domain::clock::ManualClock;
use onsite::domain::notice::{Category, NoticeDraft, NoticeInput, Severity, TargetKind};
use onsite::domain::people::Role;
use onsite::domain::unit::{BranchDraft, PersonDraft, UnitDraft};
use onsite::store::users::NewUser;
use onsite::store::{Store, StoreError};

/// 2026-11-24 19:00 UTC: 03:00 in Shanghai.
pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-24T19:00:00Z").unwrap().to_utc()
}

pub struct World {
    pub core: Core,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub unit: i64,
    pub other_unit: i64,
    /// `unit`'s branch, and the one of `other_unit`.
    pub branch: i64,
    pub other_branch: i64,
    pub bureau: Caller,
    pub manager: Caller,
    /// A user of `unit`.
    pub unit_user: Caller,
    /// A user of `other_unit`.
    pub stranger: Caller,
    /// `unit`'s engineer, as the bot or an action link presents them.
    pub engineer: Caller,
    _dir: tempfile::TempDir,
}

impl World {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.database.url = format!("sqlite://{}", dir.path().join("onsite.db").display());
        let tz = config.timezone().unwrap();
        let wording = Arc::new(onsite::notify::message::Wording { tz });
        let store = Store::connect(&config.database, wording).await.unwrap().with_zone(tz);
        store.migrate().await.unwrap();
        let clock = Arc::new(ManualClock::new(t0()));
        let core = Core::new(store.clone(), clock.clone(), Arc::new(config.sla_policy()));
        let by = By::operator("test");
        let now = t0() - Duration::days(1);
        let mut units = Vec::new();
        let mut branches = Vec::new();
        let mut engineers = Vec::new();
        for name in ["安恒信息", "奇安信"] {
            let unit = store.create_unit(&by, UnitDraft::parse(name, None, None).unwrap(), now).await.unwrap();
            let branch = BranchDraft::parse("重庆分公司", None, "重庆市渝北区", None, None).unwrap();
            let branch = store.create_branch(&by, Scope::All, unit.id, branch, now).await.unwrap();
            let person = PersonDraft::parse("王工", None, Role::Engineer, Some(branch.id)).unwrap();
            engineers.push(store.create_person(&by, Scope::All, unit.id, person, now).await.unwrap());
            branches.push(branch.id);
            units.push(unit.id);
        }
        let user = |name: &str, role, unit_id| {
            let store = store.clone();
            let name = name.to_owned();
            async move {
                let new = NewUser { username: name.clone(), password: None, role, unit_id };
                let u = store.create_user(&By::operator("test"), new, now).await.unwrap();
                Caller::User(Actor { user_id: u.id, username: name, role, unit_id, source: Source::Api, address: None })
            }
        };
        let engineer = &engineers[0];
        Self {
            bureau: user("duty", UserRole::Bureau, None).await,
            manager: user("boss", UserRole::Manager, None).await,
            unit_user: user("anheng", UserRole::Unit, Some(units[0])).await,
            stranger: user("qianxin", UserRole::Unit, Some(units[1])).await,
            engineer: Caller::Person(PersonCaller {
                person_id: engineer.id,
                name: engineer.name.clone(),
                unit_id: units[0],
                source: Source::Bot,
            }),
            unit: units[0],
            other_unit: units[1],
            branch: branches[0],
            other_branch: branches[1],
            core,
            store,
            clock,
            _dir: dir,
        }
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        onsite::domain::clock::Clock::now(self.clock.as_ref())
    }

    /// A notice to `unit`, issued by the bureau now; returns its assignment.
    pub async fn assignment(&self) -> i64 {
        let record = self.core.issue_notice(&self.bureau, notice(vec![self.unit])).await.unwrap().record;
        record.assignments[0].id
    }
}

pub fn notice(unit_ids: Vec<i64>) -> NoticeDraft {
    NoticeDraft::parse(NoticeInput {
        title: "某政务网站被篡改".into(),
        category: Category::WebDefacement,
        severity: Severity::II,
        target_name: "重庆某局".into(),
        target_kind: Some(TargetKind::Other),
        enterprise_id: None,
        site_address: "重庆市渝北区".into(),
        site_lat: Some(29.6),
        site_lon: Some(106.5),
        description: "首页被篡改".into(),
        requires_onsite: true,
        unit_ids,
        branch_ids: vec![],
    })
    .unwrap()
}

/// The refusal a caller without `need` gets, whatever the subject.
pub fn denied<T: std::fmt::Debug>(result: Result<T, AppError>, need: Need) {
    match result {
        Err(AppError::Denied(n)) => assert_eq!(n, need),
        other => panic!("expected a refusal for want of {need:?}, got {other:?}"),
    }
}

/// The answer outside the caller's scope: the subject does not exist for them.
pub fn not_found<T: std::fmt::Debug>(result: Result<T, AppError>) {
    assert!(matches!(result, Err(AppError::Store(StoreError::NotFound { .. }))), "expected not found, got {result:?}");
}

/// A rule of the domain refused it (a state conflict or an invalid value).
pub fn refused<T: std::fmt::Debug>(result: Result<T, AppError>, code: &str) {
    match result {
        Err(AppError::Store(StoreError::Domain(onsite::domain::DomainError::Conflict { code: c, .. }))) => {
            assert_eq!(c, code)
        }
        Err(AppError::Store(StoreError::Domain(onsite::domain::DomainError::Invalid(fields)))) => {
            assert!(fields.iter().any(|f| f.code == code), "expected {code}, got {fields:?}")
        }
        other => panic!("expected the rule {code}, got {other:?}"),
    }
}
