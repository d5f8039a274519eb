//! The detection objects (检测对象, duty 一): the enterprises the units
//! watch. A basic telecom operator, an internet company with the kinds of
//! business the duties single out (app stores, IDC, content distribution,
//! …), a domain registrar or resolver. Notices, screening tasks and the
//! units' reports name their target from this registry, or in free text.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::error::{DomainError, FieldError, Validator};
use super::geo::Coordinates;
use super::notice::TargetKind;
use super::text::{self, ADDRESS, NAME};
use super::unit::optional_credit_code;
use crate::labelled_enum;

labelled_enum! {
    /// What an enterprise runs that the duties name for closer checks.
    pub enum Business {
        AppStore => ("app_store", "移动应用分发平台", "App store"),
        Idc => ("idc", "互联网数据中心", "Internet data centre"),
        ContentDistribution => ("content_distribution", "内容分发平台", "Content distribution platform"),
        IndustrialInternet => ("industrial_internet", "工业互联网平台", "Industrial internet platform"),
        RideHailing => ("ride_hailing", "网约车平台", "Ride-hailing platform"),
        LiveStreaming => ("live_streaming", "直播平台", "Live-streaming platform"),
        Gaming => ("gaming", "游戏互动平台", "Online gaming platform"),
        ECommerce => ("e_commerce", "电商平台", "E-commerce platform"),
        DomainRegistration => ("domain_registration", "域名注册", "Domain registration"),
        DomainResolution => ("domain_resolution", "域名解析", "Domain resolution"),
    }
}

impl Business {
    /// The kind of enterprise that runs this business.
    pub fn kind(self) -> TargetKind {
        match self {
            Business::DomainRegistration | Business::DomainResolution => TargetKind::DomainRegistry,
            _ => TargetKind::InternetCompany,
        }
    }
}

/// An enterprise as typed.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnterpriseInput {
    pub name: String,
    /// 统一社会信用代码 (18 digits or capital letters).
    #[serde(default)]
    pub credit_code: Option<String>,
    pub kind: TargetKind,
    /// The businesses the duties single out, each belonging to `kind`.
    #[serde(default)]
    pub businesses: Vec<Business>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
}

/// A checked enterprise, not yet stored.
#[derive(Debug, Clone, PartialEq)]
pub struct EnterpriseDraft {
    pub name: String,
    pub credit_code: Option<String>,
    pub kind: TargetKind,
    /// Sorted, without repeats.
    pub businesses: Vec<Business>,
    pub address: Option<String>,
    pub location: Option<Coordinates>,
}

impl EnterpriseDraft {
    /// Checks every field at once; a business must belong to the kind (an
    /// app store is an internet company's, domain resolution a registry's).
    pub fn parse(input: &EnterpriseInput) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let name = v.check(text::required("name", &input.name, NAME));
        let credit_code = v.check(optional_credit_code(input.credit_code.as_deref()));
        let address = v.check(text::optional("address", input.address.as_deref(), ADDRESS));
        let location = v.check(Coordinates::parse_optional("location", input.lat, input.lon));
        for (i, b) in input.businesses.iter().enumerate() {
            if b.kind() != input.kind {
                v.push(FieldError::new(
                    format!("businesses[{i}]"),
                    "wrong_kind",
                    format!("{} is not a business of a {}", b.code(), input.kind.code()),
                    format!(
                        "“{}”不属于{}",
                        b.label(crate::labels::Lang::Zh),
                        input.kind.label(crate::labels::Lang::Zh)
                    ),
                ));
            }
        }
        v.finish()?;
        let mut businesses = input.businesses.clone();
        businesses.sort_unstable();
        businesses.dedup();
        Ok(Self {
            name: name.unwrap_or_default(),
            credit_code: credit_code.flatten(),
            kind: input.kind,
            businesses,
            address: address.flatten(),
            location: location.flatten(),
        })
    }
}

/// A registered enterprise, as the store returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct Enterprise {
    pub id: i64,
    pub name: String,
    pub credit_code: Option<String>,
    pub kind: TargetKind,
    pub businesses: Vec<Business>,
    pub address: Option<String>,
    pub location: Option<Coordinates>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: TargetKind, businesses: Vec<Business>) -> EnterpriseInput {
        EnterpriseInput {
            name: "重庆某云计算有限公司".into(),
            credit_code: Some("91500000MA5U000001".into()),
            kind,
            businesses,
            address: Some("重庆市两江新区".into()),
            lat: Some(29.65),
            lon: Some(106.56),
        }
    }

    #[test]
    fn businesses_belong_to_the_kind_and_are_kept_once_in_order() {
        use Business::*;
        let d = EnterpriseDraft::parse(&input(TargetKind::InternetCompany, vec![Idc, AppStore, Idc])).unwrap();
        assert_eq!(d.businesses, [AppStore, Idc]);
        assert_eq!(d.location.map(|c| c.lat), Some(29.65));
        let Err(DomainError::Invalid(errors)) =
            EnterpriseDraft::parse(&input(TargetKind::TelecomOperator, vec![Idc, DomainResolution]))
        else {
            panic!("a telecom operator runs none of the listed businesses")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["businesses[0]", "businesses[1]"]);
        assert_eq!(errors[1].message_zh, "“域名解析”不属于基础电信企业");
        assert!(EnterpriseDraft::parse(&input(TargetKind::DomainRegistry, vec![DomainRegistration])).is_ok());
    }

    #[test]
    fn name_code_and_place_are_checked_together() {
        let bad = EnterpriseInput {
            name: " ".into(),
            credit_code: Some("12345".into()),
            lat: Some(95.0),
            ..input(TargetKind::Other, vec![])
        };
        let Err(DomainError::Invalid(errors)) = EnterpriseDraft::parse(&bad) else { panic!("refused") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "credit_code", "location.lat"]);
    }
}
