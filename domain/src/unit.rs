//! The registry of support units: validated drafts of units, branches and
//! people, checked once at the edge before they reach the store.

use super::error::{DomainError, FieldError, Validator};
use super::geo::Coordinates;
use super::people::{Role, is_phone};
use super::text::{self, ADDRESS, NAME};

#[derive(Debug, Clone, PartialEq)]
pub struct UnitDraft {
    pub name: String,
    pub credit_code: Option<String>,
    pub hq_address: Option<String>,
}

impl UnitDraft {
    pub fn parse(name: &str, credit_code: Option<&str>, hq_address: Option<&str>) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let name = v.check(text::required("name", name, NAME));
        let credit_code = v.check(optional_credit_code(credit_code));
        let hq_address = v.check(text::optional("hq_address", hq_address, ADDRESS));
        v.finish()?;
        Ok(Self {
            name: name.unwrap_or_default(),
            credit_code: credit_code.flatten(),
            hq_address: hq_address.flatten(),
        })
    }
}

/// An optional 统一社会信用代码 as typed in a `credit_code` field.
pub fn optional_credit_code(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    match text::optional("credit_code", raw, text::Limit::line(18))? {
        Some(code) if !is_credit_code(&code) => Err(FieldError::new(
            "credit_code",
            "invalid_credit_code",
            "a unified social credit code is 18 digits or capital letters",
            "统一社会信用代码应为 18 位数字或大写字母",
        )),
        other => Ok(other),
    }
}

/// 统一社会信用代码: 18 characters of digits and capital letters (the check
/// digit is not verified; the bureau enters codes from signed contracts).
fn is_credit_code(code: &str) -> bool {
    code.len() == 18 && code.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
}

#[derive(Debug, Clone, PartialEq)]
pub struct BranchDraft {
    pub name: String,
    pub district: Option<String>,
    pub address: String,
    pub location: Option<Coordinates>,
}

impl BranchDraft {
    pub fn parse(
        name: &str,
        district: Option<&str>,
        address: &str,
        lat: Option<f64>,
        lon: Option<f64>,
    ) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let name = v.check(text::required("name", name, NAME));
        let district = v.check(text::optional("district", district, NAME));
        let address = v.check(text::required("address", address, ADDRESS));
        let location = v.check(Coordinates::parse_optional("location", lat, lon));
        v.finish()?;
        Ok(Self {
            name: name.unwrap_or_default(),
            district: district.flatten(),
            address: address.unwrap_or_default(),
            location: location.flatten(),
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PersonDraft {
    pub name: String,
    pub phone: Option<String>,
    pub role: Role,
    pub branch_id: Option<i64>,
}

impl PersonDraft {
    pub fn parse(name: &str, phone: Option<&str>, role: Role, branch_id: Option<i64>) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let name = v.check(text::required("name", name, NAME));
        let phone = v.check(text::optional("phone", phone, text::Limit::line(20)).and_then(|p| match p {
            Some(p) if !is_phone(&p) => Err(FieldError::new(
                "phone",
                "invalid_phone",
                "a phone number is 5 to 15 digits, optionally after +",
                "电话号码应为 5 到 15 位数字，可带 + 前缀",
            )),
            other => Ok(other),
        }));
        v.finish()?;
        Ok(Self { name: name.unwrap_or_default(), phone: phone.flatten(), role, branch_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_needs_a_name_and_a_well_formed_credit_code() {
        assert!(UnitDraft::parse("某安全公司", Some("91500000MA5U000000"), None).is_ok());
        let DomainError::Invalid(errs) = UnitDraft::parse("", Some("123"), None).unwrap_err() else { panic!() };
        assert_eq!(errs.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), vec!["name", "credit_code"]);
    }

    #[test]
    fn a_branch_checks_its_coordinates() {
        assert!(BranchDraft::parse("渝中分公司", Some("渝中区"), "解放碑", Some(29.55), Some(106.57)).is_ok());
        assert!(BranchDraft::parse("渝中分公司", None, "解放碑", Some(29.55), Some(999.0)).is_err());
    }

    #[test]
    fn a_person_phone_must_look_like_one() {
        assert!(PersonDraft::parse("张三", Some("13800138000"), Role::Engineer, None).is_ok());
        assert!(PersonDraft::parse("张三", Some("call me"), Role::Engineer, None).is_err());
    }
}
