//! Demo data for `onsite serve --demo`, seeded only into an empty database:
//! three Chongqing support units with a branch, people on SMS (delivered to
//! the demo inbox) and a duty roster each; the bureau's contacts; a bureau
//! user and an administrator whose passwords (and the bureau's API token)
//! are printed once; three months of lived history (`history`), two
//! notices still running, the units' other duties (`duties`), and a
//! protection period starting tomorrow.

mod duties;
mod history;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use secrecy::{ExposeSecret, SecretString};

use crate::AppState;
use crate::app::AppError;
use crate::crypto::random_secret;
use crate::domain::access::{Actor, By, Caller, Scope, Source, UserRole};
use crate::domain::people::{BureauRole, ChannelDraft, ChannelKind, ContactDraft, Role};
use crate::domain::policy::PolicyOverride;
use crate::domain::protection::ProtectionPeriodInput;
use crate::domain::roster::Rotation;
use crate::domain::unit::{BranchDraft, PersonDraft, UnitDraft};
use crate::store::Store;
use crate::store::users::NewUser;

/// What the operator needs to sign in; shown once, never stored in clear.
pub struct DemoCredentials {
    pub username: String,
    pub password: SecretString,
    pub token: SecretString,
    pub admin_username: String,
    pub admin_password: SecretString,
}

pub const DEMO_USERNAME: &str = "duty";
pub const DEMO_ADMIN: &str = "admin";

struct DemoUnit {
    name: &'static str,
    credit_code: &'static str,
    hq: &'static str,
    branch: (&'static str, &'static str, &'static str, f64, f64),
    people: &'static [(&'static str, &'static str, Role)],
}

const UNITS: &[DemoUnit] = &[
    DemoUnit {
        name: "重庆安盾网络安全技术有限公司",
        credit_code: "91500000MA5UDEMO01",
        hq: "北京市海淀区中关村大街1号",
        branch: ("渝中分公司", "渝中区", "重庆市渝中区民族路188号", 29.5610, 106.5790),
        people: &[
            ("王敏", "13800000001", Role::Liaison),
            ("李强", "13800000002", Role::SupportLead),
            ("陈静", "13800000003", Role::EmergencyLead),
            ("赵磊", "13800000004", Role::Engineer),
            ("孙悦", "13800000005", Role::HqEngineer),
        ],
    },
    DemoUnit {
        name: "山城信息安全服务股份有限公司",
        credit_code: "91500000MA5UDEMO02",
        hq: "重庆市渝北区金开大道68号",
        branch: ("两江新区办事处", "渝北区", "重庆市渝北区星光大道99号", 29.6180, 106.5030),
        people: &[
            ("刘洋", "13900000001", Role::Liaison),
            ("周凯", "13900000002", Role::SupportLead),
            ("吴芳", "13900000003", Role::EmergencyLead),
            ("郑浩", "13900000004", Role::Engineer),
        ],
    },
    DemoUnit {
        name: "巴渝数安科技有限公司",
        credit_code: "91500000MA5UDEMO03",
        hq: "上海市浦东新区张江路200号",
        branch: ("南岸分公司", "南岸区", "重庆市南岸区南坪西路12号", 29.5280, 106.5660),
        people: &[
            ("黄婷", "13700000001", Role::Liaison),
            ("何军", "13700000002", Role::SupportLead),
            ("马丽", "13700000003", Role::Engineer),
        ],
    },
];

/// Seeds the demo into an empty database; `None` if it already has users.
pub async fn seed(state: &AppState, now: DateTime<Utc>) -> Result<Option<DemoCredentials>, AppError> {
    let store = &state.store;
    if store.any_user_exists().await? {
        return Ok(None);
    }
    let by = By::operator("demo");
    let start = now - Duration::days(history::DAYS + 1);
    let mut responders = Vec::new();
    let mut rosters = Vec::new();
    for u in UNITS {
        let unit = store.create_unit(&by, UnitDraft::parse(u.name, Some(u.credit_code), Some(u.hq))?, start).await?;
        let (name, district, address, lat, lon) = u.branch;
        let branch = BranchDraft::parse(name, Some(district), address, Some(lat), Some(lon))?;
        let branch = store.create_branch(&by, Scope::All, unit.id, branch, start).await?;
        let (mut engineer, mut liaison) = (None, None);
        let mut on_duty = Vec::new();
        for (name, phone, role) in u.people {
            let branch_id = (*role != Role::HqEngineer).then_some(branch.id);
            let draft = PersonDraft::parse(name, Some(phone), *role, branch_id)?;
            let person = store.create_person(&by, Scope::All, unit.id, draft, start).await?;
            let sms = ChannelDraft::parse(ChannelKind::Sms, &format!("+86{phone}"))?;
            store.create_channel(&by, Scope::All, person.id, sms, start).await?;
            if matches!(role, Role::Engineer | Role::Liaison) {
                on_duty.push(person.id);
            }
            match role {
                Role::Engineer => engineer = Some(person.caller(Source::Web)),
                Role::Liaison => liaison = Some(person.caller(Source::Web)),
                _ => {}
            }
        }
        rosters.push((branch.id, on_duty));
        if let (Some(engineer), Some(liaison)) = (engineer, liaison) {
            responders.push(history::Responder { unit_id: unit.id, branch_id: branch.id, engineer, liaison });
        }
    }
    for (name, role, phone) in [
        ("值班员 刘明", BureauRole::DutyOfficer, "+8613600000001"),
        ("处长 陈刚", BureauRole::Manager, "+8613600000002"),
    ] {
        store.create_bureau_contact(&by, ContactDraft::parse(name, role, ChannelKind::Sms, phone)?, start).await?;
    }
    let password = SecretString::from(random_secret("", 9));
    let admin_password = SecretString::from(random_secret("", 9));
    let bureau = user(store, &by, DEMO_USERNAME, &password, UserRole::Bureau, start).await?;
    user(store, &by, DEMO_ADMIN, &admin_password, UserRole::Admin, start).await?;
    let (_, token) = store.create_token(&by, DEMO_USERNAME, "demo", None, start).await?;

    history::live(state, &bureau, &responders, now).await?;
    duties::live(state, &bureau, &responders, now).await?;
    for (branch_id, members) in rosters {
        state.app.set_roster(&bureau, branch_id, rotation(members, now)).await?;
    }
    protection_period(state, &bureau, now).await?;
    Ok(Some(DemoCredentials {
        username: DEMO_USERNAME.into(),
        password,
        token,
        admin_username: DEMO_ADMIN.into(),
        admin_password,
    }))
}

async fn user(
    store: &Store,
    by: &By,
    username: &str,
    password: &SecretString,
    role: UserRole,
    now: DateTime<Utc>,
) -> Result<Caller, AppError> {
    let new = NewUser {
        username: username.into(),
        password: Some(SecretString::from(password.expose_secret().to_owned())),
        role,
        unit_id: None,
    };
    let u = store.create_user(by, new, now).await?;
    Ok(Caller::User(Actor {
        user_id: u.id,
        username: u.username,
        role,
        unit_id: None,
        source: Source::System,
        address: None,
    }))
}

/// A daily rotation of the branch's engineer and liaison, handing over at
/// 09:00 from today.
fn rotation(members: Vec<i64>, now: DateTime<Utc>) -> Rotation {
    let zone = chrono_tz::Asia::Shanghai;
    Rotation {
        zone,
        starts_on: now.with_timezone(&zone).date_naive(),
        handover: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
        shift_days: 1,
        members,
    }
}

/// A week of heightened watch from tomorrow: acknowledgement within five
/// minutes, arrival within ninety.
async fn protection_period(state: &AppState, bureau: &Caller, now: DateTime<Utc>) -> Result<(), AppError> {
    let zone = chrono_tz::Asia::Shanghai;
    let tomorrow = now.with_timezone(&zone).date_naive() + Duration::days(1);
    let starts_at = tomorrow.and_hms_opt(0, 0, 0).and_then(|t| t.and_local_timezone(zone).single());
    let Some(starts_at) = starts_at else { return Ok(()) };
    let input = ProtectionPeriodInput {
        name: "元旦重要时期网络安全保障".into(),
        starts_at: starts_at.fixed_offset(),
        ends_at: (starts_at + Duration::days(7)).fixed_offset(),
        unit_ids: Vec::new(),
        policy: PolicyOverride {
            ack_target: Some("5m".into()),
            warn_at: Some("75m".into()),
            deadline: Some("90m".into()),
            ..PolicyOverride::default()
        },
    };
    state.app.create_protection_period(bureau, &input).await?;
    Ok(())
}
