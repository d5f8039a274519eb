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
    pub details: PersonDetails,
}

impl PersonDraft {
    pub fn parse(name: &str, phone: Option<&str>, role: Role, branch_id: Option<i64>) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let name = v.check(text::required("name", name, NAME));
        let phone = v.check(mobile("phone", phone));
        v.finish()?;
        Ok(Self {
            name: name.unwrap_or_default(),
            phone: phone.flatten(),
            role,
            branch_id,
            details: PersonDetails::default(),
        })
    }

    pub fn with_details(self, details: PersonDetails) -> Self {
        Self { details, ..self }
    }
}

/// A mobile number as typed: spaces and dashes between the digits are
/// dropped (`138 0013 8000`), what is left must look like a phone number.
pub fn mobile(field: &str, raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let squeezed = raw.map(|p| p.chars().filter(|c| !matches!(c, ' ' | '-')).collect::<String>());
    match text::optional(field, squeezed.as_deref(), text::Limit::line(20))? {
        Some(p) if !is_phone(&p) => Err(FieldError::new(
            field,
            "invalid_phone",
            "a phone number is 5 to 15 digits, optionally after +",
            "电话号码应为 5 到 15 位数字，可带 + 前缀",
        )),
        other => Ok(other),
    }
}

/// How the application form's contact table reaches a person beside their
/// paging channels: 部门及职务, 办公电话 and 邮箱. Kept, shown and exported;
/// never paged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonDetails {
    pub title: Option<String>,
    pub office_phone: Option<String>,
    pub email: Option<String>,
}

impl PersonDetails {
    pub fn parse(title: Option<&str>, office_phone: Option<&str>, email: Option<&str>) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let title = v.check(text::optional("title", title, NAME));
        let office_phone = v.check(office_phone_of(office_phone));
        let email = v.check(email_of(email));
        v.finish()?;
        Ok(Self { title: title.flatten(), office_phone: office_phone.flatten(), email: email.flatten() })
    }
}

/// An office number as people write them: digits with an area code,
/// dashes, spaces, brackets and an extension (`023-6388 1234 转 8001`).
fn office_phone_of(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let phone = text::optional("office_phone", raw, text::Limit::line(40))?;
    let ok = |p: &str| {
        let digits = p.chars().filter(char::is_ascii_digit).count();
        (5..=20).contains(&digits)
            && p.replace("转", "").chars().all(|c| c.is_ascii_digit() || " -+()（）#,x".contains(c))
    };
    match phone {
        Some(p) if !ok(&p) => Err(FieldError::new(
            "office_phone",
            "invalid_office_phone",
            "an office phone is digits with an area code, dashes or an extension",
            "办公电话应为带区号的数字，可含横线、空格或分机号",
        )),
        other => Ok(other),
    }
}

fn email_of(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let email = text::optional("email", raw, text::Limit::line(254))?;
    let ok = |e: &str| {
        e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        }) && !e.chars().any(char::is_whitespace)
    };
    match email {
        Some(e) if !ok(&e) => Err(FieldError::new(
            "email",
            "invalid_email",
            "an e-mail address looks like name@example.com",
            "邮箱地址应形如 name@example.com",
        )),
        other => Ok(other),
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
        let spaced = PersonDraft::parse("张三", Some("138 0013-8000"), Role::Engineer, None).unwrap();
        assert_eq!(spaced.phone.as_deref(), Some("13800138000"));
    }

    #[test]
    fn contact_details_are_checked_as_people_write_them() {
        let ok = PersonDetails::parse(Some("安全部 经理"), Some("023-6388 1234 转 8001"), Some("zhang@example.com"));
        assert_eq!(ok.unwrap().office_phone.as_deref(), Some("023-6388 1234 转 8001"));
        let DomainError::Invalid(errs) = PersonDetails::parse(None, Some("ask the desk"), Some("zhang@")).unwrap_err()
        else {
            panic!()
        };
        assert_eq!(errs.iter().map(|e| e.code).collect::<Vec<_>>(), vec!["invalid_office_phone", "invalid_email"]);
    }
}
