//! Threat reports (威胁信息报告, duty 二(四)): a unit files batches of what it
//! found on the public internet — mobile malicious code, botnets, trojans,
//! worms, phishing sites — each finding with its five-tuples, propagation
//! path, C&C addresses and sample hashes, and advice on disposing of it. The
//! batch goes through the review workflow (`review`); the month's findings
//! are submitted to CAICT.

pub mod indicator;

use chrono::{DateTime, FixedOffset, Utc};
use serde::Deserialize;

use self::indicator::{Indicator, SampleHash};
use super::closure::{C2Address, FiveTuple, FiveTupleInput, Protocol};
use super::error::{DomainError, FieldError, Validator};
use super::review::ReviewStatus;
use super::text::{self, ADDRESS, LONG_TEXT, TITLE};
use crate::labelled_enum;

labelled_enum! {
    /// What was found.
    pub enum ThreatKind {
        MobileMalware => ("mobile_malware", "移动恶意代码", "Mobile malicious code"),
        Botnet => ("botnet", "僵尸网络", "Botnet"),
        Trojan => ("trojan", "木马", "Trojan"),
        Worm => ("worm", "蠕虫", "Worm"),
        Phishing => ("phishing", "钓鱼网站", "Phishing site"),
        Other => ("other", "其他", "Other"),
    }
}

/// At most this many findings in one report, and indicators of each kind
/// in one finding.
pub const MAX_FINDINGS: usize = 200;
pub const MAX_FINDING_INDICATORS: usize = 100;

/// One finding as typed.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreatFindingInput {
    pub kind: ThreatKind,
    /// The malware family or sample, or the phishing site, by name.
    pub name: String,
    /// When it was found; the month it falls in is the month it is submitted for.
    #[serde(deserialize_with = "super::instant::bounded")]
    pub found_at: DateTime<FixedOffset>,
    #[serde(default)]
    pub description: String,
    /// The detection object concerned, from the registry.
    #[serde(default)]
    pub enterprise_id: Option<i64>,
    /// The object concerned when it is not in the registry.
    #[serde(default)]
    pub other_target: String,
    #[serde(default)]
    pub five_tuples: Vec<FiveTupleInput>,
    #[serde(default)]
    pub propagation_path: String,
    /// C&C addresses (for a phishing site, its addresses): IPs, domain
    /// names or URLs, plain or defanged.
    #[serde(default)]
    pub c2_addresses: Vec<String>,
    /// Sample hashes: MD5, SHA-1 or SHA-256 in hex.
    #[serde(default)]
    pub hashes: Vec<String>,
    /// How to dispose of it (处置建议).
    pub disposal_advice: String,
}

/// A checked finding.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreatFindingDraft {
    pub kind: ThreatKind,
    pub name: String,
    pub found_at: DateTime<Utc>,
    pub description: String,
    pub enterprise_id: Option<i64>,
    pub other_target: String,
    pub five_tuples: Vec<FiveTuple>,
    pub propagation_path: String,
    pub c2_addresses: Vec<C2Address>,
    pub hashes: Vec<SampleHash>,
    pub disposal_advice: String,
}

fn too_many(field: &str) -> FieldError {
    FieldError::new(
        field,
        "too_many",
        format!("at most {MAX_FINDING_INDICATORS} in one finding"),
        format!("每条威胁信息最多 {MAX_FINDING_INDICATORS} 条"),
    )
}

impl ThreatFindingDraft {
    /// Checks every field at once; `prefix` names the finding's place in a
    /// batch (`findings[2].`) or nothing for a finding added on its own.
    pub fn parse(prefix: &str, input: &ThreatFindingInput) -> Result<Self, Vec<FieldError>> {
        let f = |name: &str| format!("{prefix}{name}");
        let mut v = Validator::default();
        let name = v.check(text::required(&f("name"), &input.name, TITLE)).unwrap_or_default();
        let mut long = |field: &str, value: &str| {
            v.check(text::optional(&f(field), Some(value), LONG_TEXT)).flatten().unwrap_or_default()
        };
        let description = long("description", &input.description);
        let propagation_path = long("propagation_path", &input.propagation_path);
        let disposal_advice = v.check(text::required(&f("disposal_advice"), &input.disposal_advice, LONG_TEXT));
        let other_target = v
            .check(text::optional(&f("other_target"), Some(&input.other_target), ADDRESS))
            .flatten()
            .unwrap_or_default();
        let mut five_tuples = Vec::new();
        let mut c2_addresses = Vec::new();
        let mut hashes = Vec::new();
        for (field, n) in [
            ("five_tuples", input.five_tuples.len()),
            ("c2_addresses", input.c2_addresses.len()),
            ("hashes", input.hashes.len()),
        ] {
            if n > MAX_FINDING_INDICATORS {
                v.push(too_many(&f(field)));
            }
        }
        for (i, t) in input.five_tuples.iter().enumerate().take(MAX_FINDING_INDICATORS) {
            match FiveTuple::parse(i, t) {
                Ok(t) => five_tuples.push(t),
                Err(errors) => errors.into_iter().for_each(|e| v.push(FieldError { field: f(&e.field), ..e })),
            }
        }
        for (i, raw) in input.c2_addresses.iter().enumerate().take(MAX_FINDING_INDICATORS) {
            if let Some(a) = v.check(C2Address::parse(&f(&format!("c2_addresses[{i}]")), raw)) {
                c2_addresses.push(a);
            }
        }
        for (i, raw) in input.hashes.iter().enumerate().take(MAX_FINDING_INDICATORS) {
            if let Some(h) = v.check(SampleHash::parse(&f(&format!("hashes[{i}]")), raw)) {
                hashes.push(h);
            }
        }
        if input.five_tuples.is_empty() && input.c2_addresses.is_empty() && input.hashes.is_empty() {
            v.push(FieldError::new(
                f("c2_addresses"),
                "no_indicator",
                "give at least one five-tuple, C&C address or sample hash",
                "请至少填写一条五元组、C&C 地址或样本哈希",
            ));
        }
        let errors = v.into_errors();
        match disposal_advice {
            Some(disposal_advice) if errors.is_empty() => Ok(Self {
                kind: input.kind,
                name,
                found_at: input.found_at.to_utc(),
                description,
                enterprise_id: input.enterprise_id,
                other_target,
                five_tuples,
                propagation_path,
                c2_addresses,
                hashes,
                disposal_advice,
            }),
            _ => Err(errors),
        }
    }

    /// Its indicators in canonical form, each once: what another unit's
    /// report of the same thing would share with it.
    pub fn indicators(&self) -> Vec<Indicator> {
        let mut all: Vec<Indicator> =
            self.hashes.iter().map(Indicator::from).chain(self.c2_addresses.iter().map(Indicator::from)).collect();
        all.sort();
        all.dedup();
        all
    }
}

/// The STIX 2.1 pattern of a five-tuple's network traffic.
pub fn five_tuple_pattern(t: &FiveTuple) -> String {
    let addr = |ip: &std::net::IpAddr| if ip.is_ipv6() { "ipv6-addr" } else { "ipv4-addr" };
    let mut parts = vec![
        format!("network-traffic:src_ref.type = '{}'", addr(&t.src_ip)),
        format!("network-traffic:src_ref.value = '{}'", t.src_ip),
        format!("network-traffic:dst_ref.type = '{}'", addr(&t.dst_ip)),
        format!("network-traffic:dst_ref.value = '{}'", t.dst_ip),
    ];
    if let Some(p) = t.src_port {
        parts.push(format!("network-traffic:src_port = {p}"));
    }
    if let Some(p) = t.dst_port {
        parts.push(format!("network-traffic:dst_port = {p}"));
    }
    if t.protocol != Protocol::Other {
        parts.push(format!("network-traffic:protocols[*] = '{}'", t.protocol.code()));
    }
    format!("[{}]", parts.join(" AND "))
}

/// A threat report as typed: a title and the findings (more may be added
/// while it is a draft).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreatReportInput {
    pub title: String,
    #[serde(default)]
    pub findings: Vec<ThreatFindingInput>,
}

/// A checked threat report, not yet stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreatReportDraft {
    pub title: String,
    pub findings: Vec<ThreatFindingDraft>,
}

impl ThreatReportDraft {
    pub fn parse(input: &ThreatReportInput) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let title = v.check(text::required("title", &input.title, TITLE)).unwrap_or_default();
        if input.findings.len() > MAX_FINDINGS {
            v.push(too_many_findings());
        }
        let mut findings = Vec::new();
        for (i, f) in input.findings.iter().enumerate().take(MAX_FINDINGS) {
            match ThreatFindingDraft::parse(&format!("findings[{i}]."), f) {
                Ok(f) => findings.push(f),
                Err(errors) => errors.into_iter().for_each(|e| v.push(e)),
            }
        }
        v.finish()?;
        Ok(Self { title, findings })
    }
}

fn too_many_findings() -> FieldError {
    FieldError::new(
        "findings",
        "too_many",
        format!("at most {MAX_FINDINGS} findings in one report"),
        format!("每份报告最多 {MAX_FINDINGS} 条威胁信息"),
    )
}

/// A finding can be added only while its report has room.
pub fn check_room(findings: u64) -> Result<(), DomainError> {
    if findings >= MAX_FINDINGS as u64 {
        return Err(DomainError::Invalid(vec![too_many_findings()]));
    }
    Ok(())
}

/// A report is submitted with at least one finding.
pub fn check_complete(findings: u64) -> Result<(), DomainError> {
    if findings == 0 {
        return Err(DomainError::field(
            "findings",
            "required",
            "add at least one finding before submitting",
            "提交前请至少添加一条威胁信息",
        ));
    }
    Ok(())
}

/// A stored finding.
#[derive(Debug, Clone)]
pub struct ThreatFinding {
    pub id: i64,
    pub report_id: i64,
    pub unit_id: i64,
    pub content: ThreatFindingDraft,
    /// Random, fixed when the finding is stored: the seed of its STIX
    /// identifiers, so each export names the same objects the same way.
    pub stix_seed: String,
    pub created_at: DateTime<Utc>,
}

/// A stored threat report with its findings.
#[derive(Debug, Clone)]
pub struct ThreatReport {
    pub id: i64,
    pub unit_id: i64,
    pub title: String,
    pub status: ReviewStatus,
    pub findings: Vec<ThreatFinding>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_comment: Option<String>,
}

/// An indicator of a finding that other units have reported too (in
/// reports they submitted), with those units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedIndicator {
    pub finding_id: i64,
    pub indicator: Indicator,
    pub unit_ids: Vec<i64>,
}

#[cfg(test)]
mod tests;
