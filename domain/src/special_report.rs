//! Special reports (专项报告, duty 二(三)): a unit reports a significant
//! event or warning it learned of on its own initiative, not tied to a
//! notice: when, what, why, the impact, what to do, and its analysis of the
//! malicious code, vulnerabilities or tools involved. It goes through the
//! review workflow (`review`); the bureau may turn an accepted one into a
//! notice.

use chrono::{DateTime, FixedOffset, Utc};
use serde::Deserialize;

use super::enterprise::Enterprise;
use super::error::{DomainError, FieldError, Validator};
use super::labels::Lang;
use super::notice::{Category, NoticeInput, Severity, TargetKind};
use super::review::ReviewStatus;
use super::text::{self, ADDRESS, LONG_TEXT, TITLE};

/// At most this many registered enterprises are named by one report.
pub const MAX_TARGETS: usize = 50;

/// A special report as typed; long texts may be empty in a draft.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpecialReportInput {
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    /// When the event happened (not when it was reported).
    #[serde(default, deserialize_with = "super::instant::bounded_opt")]
    pub event_time: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub impact: String,
    /// Countermeasures and recommendations (对策建议).
    #[serde(default)]
    pub countermeasures: String,
    /// Analysis of the malicious code, vulnerabilities and tools involved.
    #[serde(default)]
    pub analysis: String,
    /// The detection objects concerned, from the registry.
    #[serde(default)]
    pub enterprise_ids: Vec<i64>,
    /// Objects concerned that are not in the registry, in free text.
    #[serde(default)]
    pub other_targets: String,
}

/// A checked special report's content.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecialReportDraft {
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub event_time: Option<DateTime<Utc>>,
    pub description: String,
    pub cause: String,
    pub impact: String,
    pub countermeasures: String,
    pub analysis: String,
    /// Sorted, without repeats; the store checks each exists.
    pub enterprise_ids: Vec<i64>,
    pub other_targets: String,
}

impl SpecialReportDraft {
    /// Checks every field at once.
    pub fn parse(input: &SpecialReportInput) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let title = v.check(text::required("title", &input.title, TITLE)).unwrap_or_default();
        let mut long = |field: &str, value: &str| {
            v.check(text::optional(field, Some(value), LONG_TEXT)).flatten().unwrap_or_default()
        };
        let description = long("description", &input.description);
        let cause = long("cause", &input.cause);
        let impact = long("impact", &input.impact);
        let countermeasures = long("countermeasures", &input.countermeasures);
        let analysis = long("analysis", &input.analysis);
        let other_targets =
            v.check(text::optional("other_targets", Some(&input.other_targets), ADDRESS)).flatten().unwrap_or_default();
        let mut enterprise_ids = input.enterprise_ids.clone();
        enterprise_ids.sort_unstable();
        enterprise_ids.dedup();
        if enterprise_ids.len() > MAX_TARGETS {
            v.push(FieldError::new(
                "enterprise_ids",
                "too_many",
                format!("at most {MAX_TARGETS} detection objects per report"),
                format!("每份报告最多关联 {MAX_TARGETS} 个检测对象"),
            ));
        }
        v.finish()?;
        Ok(Self {
            title,
            category: input.category,
            severity: input.severity,
            event_time: input.event_time.map(|t| t.to_utc()),
            description,
            cause,
            impact,
            countermeasures,
            analysis,
            enterprise_ids,
            other_targets,
        })
    }

    /// What must be filled in before the report can be submitted.
    pub fn check_complete(&self) -> Result<(), DomainError> {
        let mut v = Validator::default();
        if self.event_time.is_none() {
            v.push(FieldError::new("event_time", "required", "event_time is needed to submit", "提交前须填写事件时间"));
        }
        for (field, value) in [
            ("description", &self.description),
            ("cause", &self.cause),
            ("impact", &self.impact),
            ("countermeasures", &self.countermeasures),
        ] {
            if value.is_empty() {
                v.push(FieldError::new(field, "required", format!("{field} is needed to submit"), "提交前须填写此项"));
            }
        }
        v.finish()
    }

    /// The notice's description, pre-filled from the report: what happened
    /// and what the unit advised, in the report's order.
    pub fn notice_description(&self, report_id: i64) -> String {
        let mut parts = vec![format!("（据专项报告 #{report_id}）")];
        for (heading, text) in [
            ("基本情况", &self.description),
            ("原因", &self.cause),
            ("影响", &self.impact),
            ("对策建议", &self.countermeasures),
        ] {
            if !text.is_empty() {
                parts.push(format!("{heading}：{text}"));
            }
        }
        parts.join("\n")
    }
}

/// A stored special report.
#[derive(Debug, Clone)]
pub struct SpecialReport {
    pub id: i64,
    pub unit_id: i64,
    pub status: ReviewStatus,
    pub content: SpecialReportDraft,
    /// The notice the bureau issued from it.
    pub notice_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_comment: Option<String>,
}

/// What the bureau adds to a report to issue it as a notice: who goes,
/// and where (the first registered enterprise's address when left blank).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeOrder {
    pub unit_ids: Vec<i64>,
    #[serde(default)]
    pub branch_ids: Vec<i64>,
    #[serde(default)]
    pub site_address: String,
    #[serde(default)]
    pub site_lat: Option<f64>,
    #[serde(default)]
    pub site_lon: Option<f64>,
    #[serde(default = "yes")]
    pub requires_onsite: bool,
    /// The target, typed, when the report names none.
    #[serde(default)]
    pub target_name: String,
}

fn yes() -> bool {
    true
}

impl SpecialReport {
    /// The notice pre-filled from this report: its title, category,
    /// severity and description, its first registered enterprise (else the
    /// objects typed) as the target, and that enterprise's place unless the
    /// bureau names the site.
    pub fn notice_input(&self, order: &NoticeOrder, first: Option<&Enterprise>) -> NoticeInput {
        let c = &self.content;
        let typed_site = !order.site_address.trim().is_empty();
        let (site_address, site_lat, site_lon) = match first {
            Some(e) if !typed_site => {
                (e.address.clone().unwrap_or_default(), e.location.map(|l| l.lat), e.location.map(|l| l.lon))
            }
            _ => (order.site_address.clone(), order.site_lat, order.site_lon),
        };
        NoticeInput {
            title: c.title.clone(),
            category: c.category,
            severity: c.severity,
            target_name: if c.other_targets.is_empty() { order.target_name.clone() } else { c.other_targets.clone() },
            target_kind: Some(TargetKind::Other),
            enterprise_id: first.map(|e| e.id),
            site_address,
            site_lat,
            site_lon,
            description: c.notice_description(self.id),
            requires_onsite: order.requires_onsite,
            unit_ids: order.unit_ids.clone(),
            branch_ids: order.branch_ids.clone(),
        }
    }
}

/// Only an accepted report not yet turned into a notice may become one.
pub fn check_noticeable(status: ReviewStatus, notice_id: Option<i64>) -> Result<(), DomainError> {
    if let Some(n) = notice_id {
        return Err(DomainError::conflict(
            "special_report_noticed",
            format!("notice #{n} was already issued from this report"),
            format!("已据此报告发出通知 #{n}"),
        ));
    }
    if status != ReviewStatus::Accepted {
        return Err(DomainError::conflict(
            "special_report_not_accepted",
            format!("only an accepted report becomes a notice; this one is {}", status.label(Lang::En).to_lowercase()),
            format!("只有已通过的专项报告才能转为通知，该报告当前为“{}”", status.label(Lang::Zh)),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SpecialReportInput {
        SpecialReportInput {
            title: "某开源组件远程代码执行漏洞预警".into(),
            category: Category::Vulnerability,
            severity: Severity::II,
            event_time: None,
            description: "境外安全社区公开了利用代码".into(),
            cause: String::new(),
            impact: String::new(),
            countermeasures: String::new(),
            analysis: String::new(),
            enterprise_ids: vec![3, 1, 3],
            other_targets: String::new(),
        }
    }

    #[test]
    fn a_draft_may_be_incomplete_but_submission_needs_the_essentials() {
        let draft = SpecialReportDraft::parse(&input()).unwrap();
        assert_eq!(draft.enterprise_ids, [1, 3]);
        let DomainError::Invalid(missing) = draft.check_complete().unwrap_err() else { panic!("field errors") };
        let fields: Vec<&str> = missing.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["event_time", "cause", "impact", "countermeasures"]);
    }

    #[test]
    fn a_title_is_required_and_targets_are_bounded() {
        let bad = SpecialReportInput { title: " ".into(), enterprise_ids: (0..60).collect(), ..input() };
        let Err(DomainError::Invalid(errors)) = SpecialReportDraft::parse(&bad) else { panic!("refused") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "enterprise_ids"]);
    }

    #[test]
    fn only_an_accepted_report_becomes_a_notice_and_only_once() {
        assert!(check_noticeable(ReviewStatus::Accepted, None).is_ok());
        let said = |s, n| check_noticeable(s, n).unwrap_err().text(Lang::Zh);
        assert_eq!(said(ReviewStatus::Submitted, None), "只有已通过的专项报告才能转为通知，该报告当前为“已提交”");
        assert_eq!(said(ReviewStatus::Accepted, Some(9)), "已据此报告发出通知 #9");
    }

    #[test]
    fn the_notice_description_quotes_the_report_in_order() {
        let draft = SpecialReportDraft {
            impact: "影响省内多家企业".into(),
            ..SpecialReportDraft::parse(&input()).unwrap()
        };
        assert_eq!(
            draft.notice_description(7),
            "（据专项报告 #7）\n基本情况：境外安全社区公开了利用代码\n影响：影响省内多家企业"
        );
    }
}
