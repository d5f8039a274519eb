//! The unit's profile as the application form (附件1) has it: the statutory
//! facts of 一(一), the four contacts of 一(二), each branch's office, size
//! and staff of 一(四) with its signed emergency-response commitment (附件3),
//! and the qualifications and staff certificates of 一(五) and 三 with the
//! dates they lapse (`credential`).

pub mod credential;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::error::{DomainError, FieldError, Validator};
use super::people::is_phone;
use super::text::{self, ADDRESS, LONG_TEXT, NAME};
use crate::labelled_enum;

labelled_enum! {
    /// The contacts the form asks for, each once.
    pub enum ContactRole {
        EmergencyLead => ("emergency_lead", "网络安全应急工作负责人", "Head of cybersecurity emergency work"),
        SupportLead => ("support_lead", "支撑单位工作负责人", "Head of support work"),
        SupportContact => ("support_contact", "支撑单位工作联系人", "Support work contact"),
        SelectionContact => ("selection_contact", "遴选工作联系人", "Selection contact"),
    }
}

/// A contact as typed.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactInput {
    pub role: ContactRole,
    pub name: String,
    /// 部门及职务.
    #[serde(default)]
    pub position: String,
    pub mobile: String,
    #[serde(default)]
    pub office_phone: String,
    #[serde(default)]
    pub email: String,
}

/// A checked contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub role: ContactRole,
    pub name: String,
    pub position: Option<String>,
    pub mobile: String,
    pub office_phone: Option<String>,
    pub email: Option<String>,
}

/// A branch's line of the form, as typed: its office (the branch's address
/// is the registry's), its size and staff, who leads its security work, and
/// its signed commitment.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BranchProfileInput {
    pub branch_id: i64,
    /// 场地规模: `约300平米，租用`.
    #[serde(default)]
    pub floor_area: String,
    #[serde(default)]
    pub staff_count: Option<u32>,
    #[serde(default)]
    pub security_lead: String,
    #[serde(default)]
    pub security_lead_mobile: String,
    /// The day the branch signed 附件3, with who signed it.
    #[serde(default)]
    pub commitment_signed_on: Option<NaiveDate>,
    #[serde(default)]
    pub commitment_signatory: String,
}

/// A branch's checked line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchProfile {
    pub branch_id: i64,
    pub floor_area: Option<String>,
    pub staff_count: Option<u32>,
    pub security_lead: Option<String>,
    pub security_lead_mobile: Option<String>,
    pub commitment: Option<Commitment>,
}

/// A branch's signed emergency-response commitment (附件3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    pub signed_on: NaiveDate,
    pub signatory: String,
}

/// The profile as typed: the statutory facts, the contacts, the branches.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileInput {
    #[serde(default)]
    pub registered_capital: String,
    #[serde(default)]
    pub legal_representative: String,
    #[serde(default)]
    pub founded_on: Option<NaiveDate>,
    /// 营业期限: `长期` or a span of dates, as the licence says.
    #[serde(default)]
    pub business_term: String,
    #[serde(default)]
    pub business_scope: String,
    #[serde(default)]
    pub registration_authority: String,
    #[serde(default)]
    pub contacts: Vec<ContactInput>,
    #[serde(default)]
    pub branches: Vec<BranchProfileInput>,
}

/// The checked profile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfileDraft {
    pub registered_capital: Option<String>,
    pub legal_representative: Option<String>,
    pub founded_on: Option<NaiveDate>,
    pub business_term: Option<String>,
    pub business_scope: Option<String>,
    pub registration_authority: Option<String>,
    /// In the form's order of roles.
    pub contacts: Vec<Contact>,
    /// Sorted by branch; the store checks each is the unit's.
    pub branches: Vec<BranchProfile>,
}

/// The most staff a branch is taken to have (a typo guard).
pub const MAX_STAFF: u32 = 100_000;

fn line(v: &mut Validator, field: &str, value: &str) -> Option<String> {
    v.check(text::optional(field, Some(value), NAME)).flatten()
}

fn phone(v: &mut Validator, field: &str, value: &str, required: bool) -> Option<String> {
    let value = value.trim();
    if value.is_empty() && !required {
        return None;
    }
    if is_phone(value) {
        return Some(value.to_owned());
    }
    v.push(FieldError::new(field, "invalid_phone", "not a phone number", "不是有效的电话号码"));
    None
}

/// An e-mail address as the form takes it: something `@` a dotted domain.
fn email(v: &mut Validator, field: &str, value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let ok = value.len() <= 254
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
        && !value.chars().any(char::is_whitespace);
    if ok {
        return Some(value.to_owned());
    }
    v.push(FieldError::new(field, "invalid_email", "not an e-mail address", "不是有效的电子邮箱"));
    None
}

impl ProfileDraft {
    /// Checks every field at once: each contact role and branch once, a
    /// commitment dated and signed or neither.
    pub fn parse(input: &ProfileInput) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let registered_capital = line(&mut v, "registered_capital", &input.registered_capital);
        let legal_representative = line(&mut v, "legal_representative", &input.legal_representative);
        let business_term = line(&mut v, "business_term", &input.business_term);
        let registration_authority = line(&mut v, "registration_authority", &input.registration_authority);
        let business_scope =
            v.check(text::optional("business_scope", Some(&input.business_scope), LONG_TEXT)).flatten();
        let mut contacts: Vec<Contact> = Vec::new();
        for (i, c) in input.contacts.iter().enumerate() {
            let f = |name: &str| format!("contacts[{i}].{name}");
            if input.contacts[..i].iter().any(|k| k.role == c.role) {
                v.push(FieldError::new(f("role"), "duplicate_role", "each role once", "每类联系人只填一位"));
            }
            let name = v.check(text::required(&f("name"), &c.name, NAME));
            let position = line(&mut v, &f("position"), &c.position);
            let mobile = phone(&mut v, &f("mobile"), &c.mobile, true);
            let office_phone = phone(&mut v, &f("office_phone"), &c.office_phone.replace('-', ""), false);
            let email = email(&mut v, &f("email"), &c.email);
            if let (Some(name), Some(mobile)) = (name, mobile) {
                contacts.push(Contact { role: c.role, name, position, mobile, office_phone, email });
            }
        }
        contacts.sort_by_key(|c| c.role);
        let mut branches: Vec<BranchProfile> = Vec::new();
        for (i, b) in input.branches.iter().enumerate() {
            let f = |name: &str| format!("branches[{i}].{name}");
            if input.branches[..i].iter().any(|o| o.branch_id == b.branch_id) {
                v.push(FieldError::new(f("branch_id"), "duplicate_branch", "each branch once", "每个属地机构只填一次"));
            }
            if b.staff_count.is_some_and(|n| n > MAX_STAFF) {
                v.push(FieldError::new(
                    f("staff_count"),
                    "too_many",
                    format!("at most {MAX_STAFF}"),
                    format!("人员数量最多 {MAX_STAFF}"),
                ));
            }
            let floor_area = v.check(text::optional(&f("floor_area"), Some(&b.floor_area), ADDRESS)).flatten();
            let security_lead = line(&mut v, &f("security_lead"), &b.security_lead);
            let security_lead_mobile = phone(&mut v, &f("security_lead_mobile"), &b.security_lead_mobile, false);
            let signatory = line(&mut v, &f("commitment_signatory"), &b.commitment_signatory);
            let commitment = match (b.commitment_signed_on, signatory) {
                (Some(signed_on), Some(signatory)) => Some(Commitment { signed_on, signatory }),
                (None, None) => None,
                (Some(_), None) => {
                    v.push(FieldError::new(
                        f("commitment_signatory"),
                        "required",
                        "who signed the commitment",
                        "请填写承诺书签字负责人",
                    ));
                    None
                }
                (None, Some(_)) => {
                    v.push(FieldError::new(
                        f("commitment_signed_on"),
                        "required",
                        "the day the commitment was signed",
                        "请填写承诺书签署日期",
                    ));
                    None
                }
            };
            branches.push(BranchProfile {
                branch_id: b.branch_id,
                floor_area,
                staff_count: b.staff_count,
                security_lead,
                security_lead_mobile,
                commitment,
            });
        }
        branches.sort_by_key(|b| b.branch_id);
        v.finish()?;
        Ok(Self {
            registered_capital,
            legal_representative,
            founded_on: input.founded_on,
            business_term,
            business_scope,
            registration_authority,
            contacts,
            branches,
        })
    }
}

/// A unit's stored profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitProfile {
    pub unit_id: i64,
    pub content: ProfileDraft,
    pub updated_at: Option<DateTime<Utc>>,
}

impl UnitProfile {
    /// What the form still lacks: the contacts not given, and the branches
    /// (of `branch_ids`, the unit's) without a signed commitment.
    pub fn gaps(&self, branch_ids: &[i64]) -> Vec<String> {
        let c = &self.content;
        let mut gaps: Vec<String> = ContactRole::ALL
            .iter()
            .filter(|r| !c.contacts.iter().any(|k| k.role == **r))
            .map(|r| format!("contact:{}", r.code()))
            .collect();
        if c.legal_representative.is_none() {
            gaps.push("legal_representative".into());
        }
        for id in branch_ids {
            let signed = c.branches.iter().any(|b| b.branch_id == *id && b.commitment.is_some());
            if !signed {
                gaps.push(format!("commitment:{id}"));
            }
        }
        gaps
    }
}

#[cfg(test)]
mod tests;
