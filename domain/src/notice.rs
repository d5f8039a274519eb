//! What the bureau issues: the incident's category, severity and target, and
//! the validated draft of a notice before it is dispatched to units.

use super::error::{DomainError, Validator};
use super::geo::Coordinates;
use super::text::{self, ADDRESS, LONG_TEXT, NAME, TITLE};
use crate::labelled_enum;

labelled_enum! {
    /// 事件分级: I is the gravest.
    pub enum Severity {
        I => ("I", "特别重大", "Extraordinary"),
        II => ("II", "重大", "Major"),
        III => ("III", "较大", "Significant"),
        IV => ("IV", "一般", "General"),
    }
}

labelled_enum! {
    /// 事件类型.
    pub enum Category {
        WebDefacement => ("web_defacement", "网页篡改", "Web defacement"),
        MalwareImplant => ("malware_implant", "挂马", "Drive-by malware"),
        Hijacking => ("hijacking", "劫持", "DNS/traffic hijacking"),
        MobileMalware => ("mobile_malware", "移动恶意代码", "Mobile malware"),
        Botnet => ("botnet", "僵木蠕", "Botnet, trojan or worm"),
        Phishing => ("phishing", "钓鱼网站", "Phishing site"),
        Ddos => ("ddos", "拒绝服务攻击", "Denial of service"),
        DataLeak => ("data_leak", "数据泄露", "Data leak"),
        Vulnerability => ("vulnerability", "漏洞", "Vulnerability"),
        Other => ("other", "其他", "Other"),
    }
}

labelled_enum! {
    /// 检测对象类型: the kind of organisation the incident concerns.
    pub enum TargetKind {
        TelecomOperator => ("telecom_operator", "基础电信企业", "Telecom operator"),
        InternetCompany => ("internet_company", "互联网企业", "Internet company"),
        DomainRegistry => ("domain_registry", "域名从业机构", "Domain registry or registrar"),
        Other => ("other", "其他", "Other"),
    }
}

/// A notice as submitted, before validation.
#[derive(Debug, Clone)]
pub struct NoticeInput {
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub target_name: String,
    pub target_kind: Option<TargetKind>,
    /// The target picked from the registry of detection objects: its name
    /// and kind are the registry's, whatever was typed.
    pub enterprise_id: Option<i64>,
    pub site_address: String,
    pub site_lat: Option<f64>,
    pub site_lon: Option<f64>,
    pub description: String,
    pub requires_onsite: bool,
    pub unit_ids: Vec<i64>,
    /// The branch that must reach the site, for any of the units (at most
    /// one per unit; the store checks each belongs to its unit).
    pub branch_ids: Vec<i64>,
}

/// A notice whose every field has been checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeDraft {
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    /// Typed, or empty until the store reads it from the registry.
    pub target_name: String,
    pub target_kind: TargetKind,
    pub enterprise_id: Option<i64>,
    pub site_address: String,
    pub site: Option<Coordinates>,
    pub description: String,
    pub requires_onsite: bool,
    pub unit_ids: Vec<i64>,
    pub branch_ids: Vec<i64>,
}

/// At most this many units receive one notice (the province has a few dozen).
pub const MAX_UNITS_PER_NOTICE: usize = 50;

impl NoticeDraft {
    /// Validates every field at once so the caller can show all errors together.
    pub fn parse(input: NoticeInput) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let title = v.check(text::required("title", &input.title, TITLE));
        let (target_name, target_kind) = match input.enterprise_id {
            Some(_) => (Some(String::new()), TargetKind::Other),
            None => {
                let name = v.check(text::required("target.name", &input.target_name, NAME));
                if input.target_kind.is_none() {
                    v.push(super::FieldError::new(
                        "target.kind",
                        "required",
                        "choose the target's kind, or pick it from the registry",
                        "请选择检测对象类型，或从检测对象名录中选择",
                    ));
                }
                (name, input.target_kind.unwrap_or(TargetKind::Other))
            }
        };
        let site_address = v.check(text::required("site.address", &input.site_address, ADDRESS));
        let site = v.check(Coordinates::parse_optional("site", input.site_lat, input.site_lon));
        let description = v.check(text::required("description", &input.description, LONG_TEXT));
        let mut unit_ids = input.unit_ids.clone();
        unit_ids.sort_unstable();
        unit_ids.dedup();
        if unit_ids.is_empty() {
            v.push(super::FieldError::new(
                "unit_ids",
                "required",
                "choose at least one support unit",
                "请至少选择一个支撑单位",
            ));
        } else if unit_ids.len() > MAX_UNITS_PER_NOTICE {
            v.push(super::FieldError::new(
                "unit_ids",
                "too_many",
                format!("at most {MAX_UNITS_PER_NOTICE} units per notice"),
                format!("一份通知最多派给 {MAX_UNITS_PER_NOTICE} 个支撑单位"),
            ));
        }
        v.finish()?;
        Ok(Self {
            title: title.unwrap_or_default(),
            category: input.category,
            severity: input.severity,
            target_name: target_name.unwrap_or_default(),
            target_kind,
            enterprise_id: input.enterprise_id,
            site_address: site_address.unwrap_or_default(),
            site: site.flatten(),
            description: description.unwrap_or_default(),
            requires_onsite: input.requires_onsite,
            // Keep the caller's order for dispatch, without duplicates.
            unit_ids: dedup_in_order(&input.unit_ids),
            branch_ids: dedup_in_order(&input.branch_ids),
        })
    }
}

fn dedup_in_order(ids: &[i64]) -> Vec<i64> {
    let mut seen = std::collections::HashSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> NoticeInput {
        NoticeInput {
            title: "某门户网站首页被篡改".into(),
            category: Category::WebDefacement,
            severity: Severity::III,
            target_name: "某互联网企业".into(),
            target_kind: Some(TargetKind::InternetCompany),
            enterprise_id: None,
            site_address: "重庆市渝中区解放碑".into(),
            site_lat: Some(29.5577),
            site_lon: Some(106.5772),
            description: "首页出现非法内容".into(),
            requires_onsite: true,
            unit_ids: vec![3, 1, 3],
            branch_ids: vec![],
        }
    }

    #[test]
    fn a_valid_notice_keeps_unit_order_without_duplicates() {
        let draft = NoticeDraft::parse(input()).unwrap();
        assert_eq!(draft.unit_ids, vec![3, 1]);
        assert!(draft.site.is_some());
    }

    #[test]
    fn every_bad_field_is_reported_together() {
        let mut bad = input();
        bad.title = " ".into();
        bad.site_lat = Some(120.0);
        bad.unit_ids = vec![];
        let DomainError::Invalid(errors) = NoticeDraft::parse(bad).unwrap_err() else {
            panic!("expected field errors");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["title", "site.lat", "unit_ids"]);
    }

    #[test]
    fn a_target_is_typed_with_its_kind_or_picked_from_the_registry() {
        let typed = NoticeInput { target_name: " ".into(), target_kind: None, ..input() };
        let DomainError::Invalid(errors) = NoticeDraft::parse(typed.clone()).unwrap_err() else {
            panic!("expected field errors");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["target.name", "target.kind"]);
        let picked = NoticeDraft::parse(NoticeInput { enterprise_id: Some(4), ..typed }).unwrap();
        assert_eq!((picked.enterprise_id, picked.target_name.as_str()), (Some(4), ""), "the store names it");
    }

    #[test]
    fn a_megabyte_title_is_refused_as_too_long() {
        let mut bad = input();
        bad.title = "x".repeat(1 << 20);
        let DomainError::Invalid(errors) = NoticeDraft::parse(bad).unwrap_err() else {
            panic!("expected field errors");
        };
        assert_eq!(errors[0].code, "too_long");
    }
}
