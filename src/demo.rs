//! Demo data for `onsite serve --demo`: a few Chongqing support units with
//! branches and people, and a bureau user whose password and API token are
//! printed once. Seeding happens only into an empty database.

use crate::domain::access::By;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};

use crate::crypto::random_secret;
use crate::domain::access::{Scope, UserRole};
use crate::domain::people::{ChannelDraft, ChannelKind, Role};
use crate::domain::unit::{BranchDraft, PersonDraft, UnitDraft};
use crate::store::users::NewUser;
use crate::store::{Store, StoreResult};

/// What the operator needs to log in; shown once, never stored in clear.
pub struct DemoCredentials {
    pub username: String,
    pub password: SecretString,
    pub token: SecretString,
}

pub const DEMO_USERNAME: &str = "duty";

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
pub async fn seed(store: &Store, now: DateTime<Utc>) -> StoreResult<Option<DemoCredentials>> {
    if store.any_user_exists().await? {
        return Ok(None);
    }
    let by = By::operator("demo");
    for u in UNITS {
        let unit = store.create_unit(&by, UnitDraft::parse(u.name, Some(u.credit_code), Some(u.hq))?, now).await?;
        let (name, district, address, lat, lon) = u.branch;
        let branch = store
            .create_branch(
                &by,
                Scope::All,
                unit.id,
                BranchDraft::parse(name, Some(district), address, Some(lat), Some(lon))?,
                now,
            )
            .await?;
        for (name, phone, role) in u.people {
            let branch_id = (*role != Role::HqEngineer).then_some(branch.id);
            let person = store
                .create_person(&by, Scope::All, unit.id, PersonDraft::parse(name, Some(phone), *role, branch_id)?, now)
                .await?;
            store
                .create_channel(
                    &by,
                    Scope::All,
                    person.id,
                    ChannelDraft::parse(ChannelKind::Sms, &format!("+86{phone}"))?,
                    now,
                )
                .await?;
        }
    }
    let password = SecretString::from(random_secret("", 9));
    store
        .create_user(
            &by,
            NewUser {
                username: DEMO_USERNAME.into(),
                password: Some(SecretString::from(password.expose_secret().to_owned())),
                role: UserRole::Bureau,
                unit_id: None,
            },
            now,
        )
        .await?;
    let (_, token) = store.create_token(&by, DEMO_USERNAME, "demo", None, now).await?;
    Ok(Some(DemoCredentials { username: DEMO_USERNAME.into(), password, token }))
}
