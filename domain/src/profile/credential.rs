//! The unit's qualifications (服务资质, form 一(五)) and its staff's
//! certificates (资质证书, form 三): what each is, who holds it, and the day
//! it lapses, so the bureau sees what is about to.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, FieldError, Validator};
use crate::labelled_enum;
use crate::text::{self, NAME, TITLE};

labelled_enum! {
    /// Whose credential it is.
    pub enum CredentialKind {
        Qualification => ("qualification", "服务资质", "Service qualification"),
        StaffCertificate => ("staff_certificate", "人员资质证书", "Staff certificate"),
    }
}

/// A credential as typed.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CredentialInput {
    pub kind: CredentialKind,
    /// `CISP`, `信息安全服务资质（应急处理类）一级`, …
    pub name: String,
    /// The staff member holding a certificate (a unit's qualification has none).
    #[serde(default)]
    pub holder: String,
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub issuer: String,
    /// The last day it is valid; none when it does not lapse.
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
}

/// A checked credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialDraft {
    pub kind: CredentialKind,
    pub name: String,
    pub holder: Option<String>,
    pub number: Option<String>,
    pub issuer: Option<String>,
    pub valid_until: Option<NaiveDate>,
}

impl CredentialDraft {
    /// A staff certificate names its holder.
    pub fn parse(input: &CredentialInput) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let name = v.check(text::required("name", &input.name, TITLE));
        let holder = v.check(text::optional("holder", Some(&input.holder), NAME)).flatten();
        let number = v.check(text::optional("number", Some(&input.number), NAME)).flatten();
        let issuer = v.check(text::optional("issuer", Some(&input.issuer), TITLE)).flatten();
        if input.kind == CredentialKind::StaffCertificate && holder.is_none() && input.holder.trim().is_empty() {
            v.push(FieldError::new("holder", "required", "name who holds the certificate", "请填写持证人员"));
        }
        v.finish()?;
        Ok(Self {
            kind: input.kind,
            name: name.unwrap_or_default(),
            holder,
            number,
            issuer,
            valid_until: input.valid_until,
        })
    }
}

/// A stored credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub id: i64,
    pub unit_id: i64,
    pub content: CredentialDraft,
    pub created_at: DateTime<Utc>,
}

/// Days ahead a credential is shown as lapsing.
pub const WARN_DAYS: i64 = 60;

/// Where a credential stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", content = "days", rename_all = "snake_case")]
pub enum Expiry {
    /// It does not lapse.
    Lasting,
    /// Valid for more than the warning's days.
    Valid(i64),
    /// Lapses within the warning's days (the days left, 0 on its last day).
    Expiring(i64),
    /// Lapsed this many days ago.
    Expired(i64),
}

impl CredentialDraft {
    /// Where it stands on `today`, warning `warn_days` ahead.
    pub fn expiry(&self, today: NaiveDate, warn_days: i64) -> Expiry {
        Expiry::on(self.valid_until, today, warn_days)
    }
}

impl Expiry {
    /// Where a credential valid until `valid_until` (through that day)
    /// stands on `today`, warning `warn_days` ahead.
    pub fn on(valid_until: Option<NaiveDate>, today: NaiveDate, warn_days: i64) -> Self {
        match valid_until {
            None => Expiry::Lasting,
            Some(last) => {
                let left = (last - today).num_days();
                if left < 0 {
                    Expiry::Expired(-left)
                } else if left <= warn_days {
                    Expiry::Expiring(left)
                } else {
                    Expiry::Valid(left)
                }
            }
        }
    }
}

labelled_enum! {
    /// What a unit is told about one of its credentials, once each.
    pub enum CredentialStep {
        Expiring => ("expiring", "资质证书即将到期", "Credential expiring"),
        Expired => ("expired", "资质证书已过期", "Credential expired"),
    }
}

impl Expiry {
    /// What the unit is owed now: warned of a lapsing one, told of a
    /// lapsed one.
    pub fn step(self) -> Option<CredentialStep> {
        match self {
            Expiry::Expiring(_) => Some(CredentialStep::Expiring),
            Expiry::Expired(_) => Some(CredentialStep::Expired),
            Expiry::Lasting | Expiry::Valid(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(valid_until: Option<NaiveDate>) -> CredentialDraft {
        CredentialDraft::parse(&CredentialInput {
            kind: CredentialKind::StaffCertificate,
            name: "CISP".into(),
            holder: "赵磊".into(),
            number: String::new(),
            issuer: "中国信息安全测评中心".into(),
            valid_until,
        })
        .unwrap()
    }

    #[test]
    fn a_credential_warns_before_it_lapses() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        assert_eq!(cert(None).expiry(day(1), 60), Expiry::Lasting);
        assert_eq!(cert(Some(day(31))).expiry(day(1), 60), Expiry::Expiring(30));
        assert_eq!(cert(Some(day(1))).expiry(day(1), 60), Expiry::Expiring(0));
        assert_eq!(cert(Some(day(1))).expiry(day(3), 60), Expiry::Expired(2));
        assert_eq!(cert(Some(day(31))).expiry(day(1), 10), Expiry::Valid(30));
    }

    #[test]
    fn a_staff_certificate_names_its_holder() {
        let input = CredentialInput {
            kind: CredentialKind::StaffCertificate,
            name: " ".into(),
            holder: String::new(),
            number: String::new(),
            issuer: String::new(),
            valid_until: None,
        };
        let Err(DomainError::Invalid(errors)) = CredentialDraft::parse(&input) else { panic!("refused") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "holder"]);
        let unit_wide =
            CredentialInput { kind: CredentialKind::Qualification, name: "CCRC 应急处理一级".into(), ..input };
        assert_eq!(CredentialDraft::parse(&unit_wide).unwrap().holder, None);
    }
}
