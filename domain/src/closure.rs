//! The closure report (处置报告) of docs/DOMAIN.md §5: what the unit found and
//! did, the network indicators (five-tuples, C&C addresses) validated and
//! shown defanged; its workflow is the review's (`review`).

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{DomainError, FieldError, Validator};
use super::text::{self, LONG_TEXT};
use crate::labelled_enum;

labelled_enum! {
    /// Transport protocol of a five-tuple.
    pub enum Protocol {
        Tcp => ("tcp", "TCP", "TCP"),
        Udp => ("udp", "UDP", "UDP"),
        Icmp => ("icmp", "ICMP", "ICMP"),
        Other => ("other", "其他", "Other"),
    }
}

/// One five-tuple as typed: addresses as text, ports optional (ICMP has none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FiveTupleInput {
    pub src_ip: String,
    pub src_port: Option<u32>,
    pub dst_ip: String,
    pub dst_port: Option<u32>,
    pub protocol: String,
}

/// A validated five-tuple.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiveTuple {
    pub src_ip: IpAddr,
    pub src_port: Option<u16>,
    pub dst_ip: IpAddr,
    pub dst_port: Option<u16>,
    pub protocol: Protocol,
}

/// A command-and-control address: an IP, a domain name or a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum C2Address {
    Ip(IpAddr),
    Domain(String),
    Url(String),
}

impl C2Address {
    /// Parses an indicator as typed, also accepting it already defanged
    /// (`hxxp://evil[.]com`).
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                "invalid_c2",
                "not an IP address, domain name or URL",
                "不是有效的 IP 地址、域名或网址",
            )
        };
        let s = refang(raw.trim());
        if s.is_empty() || s.len() > 2_000 || s.chars().any(char::is_whitespace) {
            return Err(bad());
        }
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Ok(Self::Ip(ip));
        }
        if s.contains("://") {
            let url = url::Url::parse(&s).map_err(|_| bad())?;
            if url.host_str().is_none() {
                return Err(bad());
            }
            return Ok(Self::Url(url.to_string()));
        }
        match url::Host::parse(&s) {
            Ok(url::Host::Domain(d)) if is_domain(&d) => Ok(Self::Domain(d)),
            // Shorthand such as `1.2.3`, which URL parsing would read as an
            // address, is too ambiguous for an indicator.
            _ => Err(bad()),
        }
    }

    /// Shown so nobody clicks it by accident: `hxxp://evil[.]com`, `1[.]2[.]3[.]4`.
    pub fn defanged(&self) -> String {
        match self {
            Self::Ip(IpAddr::V4(ip)) => ip.to_string().replace('.', "[.]"),
            Self::Ip(IpAddr::V6(ip)) => ip.to_string().replace(':', "[:]"),
            Self::Domain(d) => d.replace('.', "[.]"),
            Self::Url(u) => {
                let (scheme, rest) = u.split_once("://").unwrap_or(("", u));
                // Only these schemes are defanged, whole (found by fuzzing: `kbftp`).
                let scheme = match scheme {
                    "http" => "hxxp",
                    "https" => "hxxps",
                    "ftp" => "fxp",
                    other => other,
                };
                let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
                let sep = if path.is_empty() && !rest.contains('/') { "" } else { "/" };
                format!("{scheme}://{}{sep}{path}", host.replace('.', "[.]"))
            }
        }
    }
}

/// Undoes the usual defanging so a pasted indicator is read as meant.
/// Undoes defanging: brackets around dots and colons, and a defanged
/// scheme at the start only (a domain may well contain `fxp`).
fn refang(s: &str) -> String {
    let s = s.replace("[.]", ".").replace("[:]", ":");
    for (defanged, scheme) in [("hxxp://", "http://"), ("hxxps://", "https://"), ("fxp://", "ftp://")] {
        if let Some(rest) = s.strip_prefix(defanged) {
            return format!("{scheme}{rest}");
        }
    }
    s
}

/// A domain name: dotted labels of letters, digits and hyphens (IDN already
/// in punycode), a last label not all digits.
fn is_domain(d: &str) -> bool {
    let labels: Vec<&str> = d.trim_end_matches('.').split('.').collect();
    d.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && labels.last().is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

/// A closure report as submitted, before validation.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClosureInput {
    /// When the incident happened (not when it was reported).
    #[serde(default, deserialize_with = "super::instant::bounded_opt")]
    pub event_time: Option<DateTime<chrono::FixedOffset>>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub impact: String,
    #[serde(default)]
    pub countermeasures: String,
    /// Analysis of malicious code, vulnerabilities and tools used.
    #[serde(default)]
    pub analysis: String,
    #[serde(default)]
    pub five_tuples: Vec<FiveTupleInput>,
    #[serde(default)]
    pub propagation_path: String,
    /// IPs, domain names or URLs, plain or defanged.
    #[serde(default)]
    pub c2_addresses: Vec<String>,
    #[serde(default)]
    pub disposal_recommendations: String,
}

/// A validated closure report's content.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosureDraft {
    pub event_time: Option<DateTime<Utc>>,
    pub description: String,
    pub cause: String,
    pub impact: String,
    pub countermeasures: String,
    pub analysis: String,
    pub five_tuples: Vec<FiveTuple>,
    pub propagation_path: String,
    pub c2_addresses: Vec<C2Address>,
    pub disposal_recommendations: String,
}

/// At most this many five-tuples and C&C addresses in one report.
pub const MAX_INDICATORS: usize = 500;

fn port(field: String, p: Option<u32>) -> Result<Option<u16>, FieldError> {
    match p {
        None => Ok(None),
        Some(p) => u16::try_from(p)
            .ok()
            .filter(|p| *p > 0)
            .map(Some)
            .ok_or_else(|| FieldError::new(field, "invalid_port", "a port is 1 to 65535", "端口应为 1 到 65535")),
    }
}

fn ip(field: String, raw: &str) -> Result<IpAddr, FieldError> {
    refang(raw.trim()).parse().map_err(|_| {
        FieldError::new(field, "invalid_ip", "not an IPv4 or IPv6 address", "不是有效的 IPv4 或 IPv6 地址")
    })
}

impl FiveTuple {
    pub fn parse(i: usize, input: &FiveTupleInput) -> Result<Self, Vec<FieldError>> {
        let f = |name: &str| format!("five_tuples[{i}].{name}");
        let mut v = Validator::default();
        let src_ip = v.check(ip(f("src_ip"), &input.src_ip));
        let dst_ip = v.check(ip(f("dst_ip"), &input.dst_ip));
        let src_port = v.check(port(f("src_port"), input.src_port));
        let dst_port = v.check(port(f("dst_port"), input.dst_port));
        let protocol = v.check(Protocol::from_code(&input.protocol.trim().to_lowercase()).ok_or_else(|| {
            FieldError::new(
                f("protocol"),
                "invalid_protocol",
                "use tcp, udp, icmp or other",
                "协议应为 tcp、udp、icmp 或 other",
            )
        }));
        match (src_ip, dst_ip, src_port, dst_port, protocol) {
            (Some(src_ip), Some(dst_ip), Some(src_port), Some(dst_port), Some(protocol)) => {
                Ok(Self { src_ip, src_port, dst_ip, dst_port, protocol })
            }
            _ => Err(v.into_errors()),
        }
    }
}

impl ClosureDraft {
    /// Validates every field at once; long texts may be empty in a draft.
    pub fn parse(input: &ClosureInput) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let mut text = |field: &str, value: &str| {
            v.check(text::optional(field, Some(value), LONG_TEXT)).flatten().unwrap_or_default()
        };
        let description = text("description", &input.description);
        let cause = text("cause", &input.cause);
        let impact = text("impact", &input.impact);
        let countermeasures = text("countermeasures", &input.countermeasures);
        let analysis = text("analysis", &input.analysis);
        let propagation_path = text("propagation_path", &input.propagation_path);
        let disposal_recommendations = text("disposal_recommendations", &input.disposal_recommendations);
        if input.five_tuples.len() > MAX_INDICATORS || input.c2_addresses.len() > MAX_INDICATORS {
            v.push(FieldError::new(
                "five_tuples",
                "too_many",
                format!("at most {MAX_INDICATORS} five-tuples and {MAX_INDICATORS} C&C addresses"),
                format!("五元组和 C&C 地址各最多 {MAX_INDICATORS} 条"),
            ));
        }
        let mut five_tuples = Vec::new();
        for (i, t) in input.five_tuples.iter().enumerate().take(MAX_INDICATORS) {
            match FiveTuple::parse(i, t) {
                Ok(t) => five_tuples.push(t),
                Err(errors) => errors.into_iter().for_each(|e| v.push(e)),
            }
        }
        let mut c2_addresses = Vec::new();
        for (i, raw) in input.c2_addresses.iter().enumerate().take(MAX_INDICATORS) {
            if let Some(a) = v.check(C2Address::parse(&format!("c2_addresses[{i}]"), raw)) {
                c2_addresses.push(a);
            }
        }
        v.finish()?;
        Ok(Self {
            event_time: input.event_time.map(|t| t.to_utc()),
            description,
            cause,
            impact,
            countermeasures,
            analysis,
            five_tuples,
            propagation_path,
            c2_addresses,
            disposal_recommendations,
        })
    }

    /// What must be filled in before the report can be submitted.
    pub fn check_complete(&self) -> Result<(), DomainError> {
        let mut v = Validator::default();
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
        if self.event_time.is_none() {
            v.push(FieldError::new("event_time", "required", "event_time is needed to submit", "提交前须填写事件时间"));
        }
        v.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicators_are_validated_and_defanged() {
        let ip = C2Address::parse("c", "203.0.113.7").unwrap();
        assert_eq!(ip.defanged(), "203[.]0[.]113[.]7");
        let d = C2Address::parse("c", "Evil-Update.example.COM").unwrap();
        assert_eq!(d, C2Address::Domain("evil-update.example.com".into()));
        assert_eq!(d.defanged(), "evil-update[.]example[.]com");
        let u = C2Address::parse("c", "http://evil.example.com/gate.php?id=1").unwrap();
        assert_eq!(u.defanged(), "hxxp://evil[.]example[.]com/gate.php?id=1");
        // Pasted already defanged, read back as meant.
        assert_eq!(C2Address::parse("c", "hxxp://evil[.]example[.]com/gate.php?id=1").unwrap(), u);
        for bad in ["", "not a domain", "localhost", "999.1.1.1.1", "http://", "-bad-.com", "a..b", "1.2.3"] {
            assert!(C2Address::parse("c", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn five_tuples_name_each_bad_part() {
        let good = FiveTupleInput {
            src_ip: "10.0.0.5".into(),
            src_port: Some(51_234),
            dst_ip: "2001:db8::1".into(),
            dst_port: Some(443),
            protocol: "TCP".into(),
        };
        assert_eq!(FiveTuple::parse(0, &good).unwrap().protocol, Protocol::Tcp);
        let bad =
            FiveTupleInput { src_ip: "10.0.0.256".into(), dst_port: Some(70_000), protocol: "gre".into(), ..good };
        let fields: Vec<String> = FiveTuple::parse(2, &bad).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["five_tuples[2].src_ip", "five_tuples[2].dst_port", "five_tuples[2].protocol"]);
    }

    #[test]
    fn a_draft_may_be_incomplete_but_submission_needs_the_essentials() {
        let draft =
            ClosureDraft::parse(&ClosureInput { description: "首页被篡改".into(), ..Default::default() }).unwrap();
        let DomainError::Invalid(missing) = draft.check_complete().unwrap_err() else { panic!("field errors") };
        let fields: Vec<&str> = missing.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["cause", "impact", "countermeasures", "event_time"]);
    }
}
