//! The indicators a threat finding carries, in one canonical form each so
//! the same indicator reported twice (by two units, in two spellings) is one
//! value: sample hashes (MD5, SHA-1, SHA-256, told apart by length) and the
//! C&C addresses of the closure report (`closure::C2Address`).

use serde::{Deserialize, Serialize};

use crate::closure::C2Address;
use crate::error::FieldError;
use crate::labelled_enum;

labelled_enum! {
    /// A sample hash's algorithm.
    pub enum HashAlgorithm {
        Md5 => ("md5", "MD5", "MD5"),
        Sha1 => ("sha1", "SHA-1", "SHA-1"),
        Sha256 => ("sha256", "SHA-256", "SHA-256"),
    }
}

impl HashAlgorithm {
    /// The name STIX 2.1's hash-algorithm vocabulary gives it.
    pub fn stix_name(self) -> &'static str {
        match self {
            HashAlgorithm::Md5 => "MD5",
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Sha256 => "SHA-256",
        }
    }
}

/// A sample's hash: lower-case hex of the algorithm's length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleHash {
    pub algorithm: HashAlgorithm,
    pub value: String,
}

impl SampleHash {
    /// Reads a hash as typed (any case, an `md5:`-style prefix allowed);
    /// its length says the algorithm: 32 hex digits MD5, 40 SHA-1, 64 SHA-256.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        let (prefix, hex) = match raw.split_once(':') {
            Some((p, h)) => (Some(p.trim().to_ascii_lowercase().replace('-', "")), h.trim()),
            None => (None, raw),
        };
        let algorithm = match hex.len() {
            32 => Some(HashAlgorithm::Md5),
            40 => Some(HashAlgorithm::Sha1),
            64 => Some(HashAlgorithm::Sha256),
            _ => None,
        }
        .filter(|_| hex.chars().all(|c| c.is_ascii_hexdigit()))
        .filter(|a| prefix.as_deref().is_none_or(|p| p == a.code()));
        algorithm.map(|algorithm| Self { algorithm, value: hex.to_ascii_lowercase() }).ok_or_else(|| {
            FieldError::new(
                field,
                "invalid_hash",
                "not an MD5 (32 hex digits), SHA-1 (40) or SHA-256 (64) hash",
                "不是有效的 MD5（32 位十六进制）、SHA-1（40 位）或 SHA-256（64 位）哈希",
            )
        })
    }
}

labelled_enum! {
    /// What kind of value an indicator is.
    pub enum IndicatorKind {
        Md5 => ("md5", "MD5", "MD5"),
        Sha1 => ("sha1", "SHA-1", "SHA-1"),
        Sha256 => ("sha256", "SHA-256", "SHA-256"),
        Ip => ("ip", "IP 地址", "IP address"),
        Domain => ("domain", "域名", "Domain name"),
        Url => ("url", "网址", "URL"),
    }
}

/// One indicator in canonical form: what two reports of the same thing share.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Indicator {
    pub kind: IndicatorKind,
    pub value: String,
}

impl IndicatorKind {
    /// The hash algorithm of a hash's kind.
    pub fn hash_algorithm(self) -> Option<HashAlgorithm> {
        match self {
            IndicatorKind::Md5 => Some(HashAlgorithm::Md5),
            IndicatorKind::Sha1 => Some(HashAlgorithm::Sha1),
            IndicatorKind::Sha256 => Some(HashAlgorithm::Sha256),
            IndicatorKind::Ip | IndicatorKind::Domain | IndicatorKind::Url => None,
        }
    }
}

impl From<&SampleHash> for Indicator {
    fn from(h: &SampleHash) -> Self {
        let kind = match h.algorithm {
            HashAlgorithm::Md5 => IndicatorKind::Md5,
            HashAlgorithm::Sha1 => IndicatorKind::Sha1,
            HashAlgorithm::Sha256 => IndicatorKind::Sha256,
        };
        Self { kind, value: h.value.clone() }
    }
}

impl From<&C2Address> for Indicator {
    fn from(a: &C2Address) -> Self {
        match a {
            C2Address::Ip(ip) => Self { kind: IndicatorKind::Ip, value: ip.to_string() },
            C2Address::Domain(d) => {
                Self { kind: IndicatorKind::Domain, value: d.trim_end_matches('.').to_ascii_lowercase() }
            }
            C2Address::Url(u) => Self { kind: IndicatorKind::Url, value: u.clone() },
        }
    }
}

impl Indicator {
    /// The STIX 2.1 pattern that matches it.
    pub fn stix_pattern(&self) -> String {
        let value = self.value.replace('\\', "\\\\").replace('\'', "\\'");
        if let Some(algorithm) = self.kind.hash_algorithm() {
            // A hash name with a hyphen is quoted in an object path.
            let name = algorithm.stix_name();
            let name = if name.contains('-') { format!("'{name}'") } else { name.to_owned() };
            return format!("[file:hashes.{name} = '{value}']");
        }
        let object = match self.kind {
            IndicatorKind::Ip if self.value.contains(':') => "ipv6-addr",
            IndicatorKind::Ip => "ipv4-addr",
            IndicatorKind::Domain => "domain-name",
            _ => "url",
        };
        format!("[{object}:value = '{value}']")
    }

    /// Shown so nobody clicks it by accident, as a C&C address is; a hash as it is.
    pub fn defanged(&self) -> String {
        let address = match self.kind {
            IndicatorKind::Ip => self.value.parse().ok().map(C2Address::Ip),
            IndicatorKind::Domain => Some(C2Address::Domain(self.value.clone())),
            IndicatorKind::Url => Some(C2Address::Url(self.value.clone())),
            IndicatorKind::Md5 | IndicatorKind::Sha1 | IndicatorKind::Sha256 => None,
        };
        address.map_or_else(|| self.value.clone(), |a| a.defanged())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_told_apart_by_length_and_kept_in_lower_case() {
        let md5 = SampleHash::parse("h", " 44D88612FEA8A8F36DE82E1278ABB02F ").unwrap();
        assert_eq!((md5.algorithm, md5.value.as_str()), (HashAlgorithm::Md5, "44d88612fea8a8f36de82e1278abb02f"));
        let sha1 = SampleHash::parse("h", "sha-1:3395856ce81f2b7382dee72602f798b642f14140").unwrap();
        assert_eq!(sha1.algorithm, HashAlgorithm::Sha1);
        let sha256 =
            SampleHash::parse("h", "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f").unwrap();
        assert_eq!(sha256.algorithm, HashAlgorithm::Sha256);
        for bad in ["", "xyz", "44d88612fea8a8f36de82e1278abb02", "g4d88612fea8a8f36de82e1278abb02f"] {
            assert_eq!(SampleHash::parse("h", bad).unwrap_err().code, "invalid_hash", "{bad}");
        }
        // A prefix that names another algorithm than the length says.
        assert!(SampleHash::parse("h", "sha256:44d88612fea8a8f36de82e1278abb02f").is_err());
    }

    #[test]
    fn indicators_have_one_form_and_a_stix_pattern() {
        let domain = Indicator::from(&C2Address::parse("c", "Evil[.]Example.com").unwrap());
        assert_eq!(domain.value, "evil.example.com");
        assert_eq!(domain.stix_pattern(), "[domain-name:value = 'evil.example.com']");
        assert_eq!(domain.defanged(), "evil[.]example[.]com");
        let v6 = Indicator::from(&C2Address::parse("c", "2001:db8::1").unwrap());
        assert_eq!(v6.stix_pattern(), "[ipv6-addr:value = '2001:db8::1']");
        let url = Indicator::from(&C2Address::parse("c", "http://evil.example.com/it's").unwrap());
        assert_eq!(url.stix_pattern(), "[url:value = 'http://evil.example.com/it\\'s']");
        let sha1 = Indicator::from(&SampleHash::parse("h", "3395856ce81f2b7382dee72602f798b642f14140").unwrap());
        assert_eq!(sha1.stix_pattern(), "[file:hashes.'SHA-1' = '3395856ce81f2b7382dee72602f798b642f14140']");
    }
}
