//! Threat findings as a STIX 2.1 bundle for machine exchange: per finding a
//! malware object (a phishing site is infrastructure instead), the C&C
//! infrastructure it beacons to, and an indicator with a STIX pattern for
//! every C&C address, sample hash and five-tuple, joined by relationships;
//! each unit an identity that created them. Identifiers derive from the
//! finding's stored random seed, so every export names an object the same.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::domain::threat::indicator::Indicator;
use crate::domain::threat::{ThreatFinding, ThreatKind, five_tuple_pattern};

/// STIX 2.1's media type.
pub const MEDIA_TYPE: &str = "application/stix+json;version=2.1";

/// A STIX timestamp: UTC, milliseconds, `Z`.
fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `type--uuid`, the UUID (version 4 in form) drawn from `seed` and `role`.
fn id(kind: &str, seed: &str, role: &str) -> String {
    let digest = Sha256::digest(format!("{seed}/{kind}/{role}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    format!("{kind}--{}", uuid::Builder::from_random_bytes(bytes).into_uuid())
}

fn malware_types(kind: ThreatKind) -> &'static [&'static str] {
    match kind {
        ThreatKind::Botnet => &["bot"],
        ThreatKind::Trojan => &["trojan"],
        ThreatKind::Worm => &["worm"],
        ThreatKind::MobileMalware | ThreatKind::Phishing | ThreatKind::Other => &["unknown"],
    }
}

/// Builds the objects of one bundle.
struct Objects {
    objects: Vec<Value>,
}

/// The properties every object has, and who created it (all but the
/// identities themselves).
fn common(kind: &str, id: &str, at: &str, by: Option<&str>) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    for (k, v) in [("type", kind), ("spec_version", "2.1"), ("id", id), ("created", at), ("modified", at)] {
        m.insert(k.into(), v.into());
    }
    if let Some(by) = by {
        m.insert("created_by_ref".into(), by.into());
    }
    m
}

impl Objects {
    fn push(&mut self, mut base: serde_json::Map<String, Value>, rest: Value) -> String {
        if let Value::Object(rest) = rest {
            base.extend(rest);
        }
        let id = base.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
        self.objects.push(Value::Object(base));
        id
    }

    fn relate(&mut self, (seed, at, by): (&str, &str, &str), source: &str, rel: &str, target: &str) {
        let rid = id("relationship", seed, &format!("{source}/{rel}/{target}"));
        let base = common("relationship", &rid, at, Some(by));
        self.push(base, json!({ "relationship_type": rel, "source_ref": source, "target_ref": target }));
    }

    fn indicator(
        &mut self,
        (seed, at, by): (&str, &str, &str),
        pattern: String,
        (name, description): (&str, String),
        valid_from: &str,
    ) -> String {
        let iid = id("indicator", seed, &pattern);
        let base = common("indicator", &iid, at, Some(by));
        self.push(
            base,
            json!({
                "name": name,
                "description": description,
                "indicator_types": ["malicious-activity"],
                "pattern": pattern,
                "pattern_type": "stix",
                "valid_from": valid_from,
            }),
        )
    }

    fn finding(&mut self, f: &ThreatFinding, by: &str) {
        let c = &f.content;
        let seed = f.stix_seed.as_str();
        let at = ts(f.created_at);
        let ctx = (seed, at.as_str(), by);
        let found = ts(c.found_at);
        let mut notes = vec![c.description.clone()];
        if !c.propagation_path.is_empty() {
            notes.push(format!("传播途径 Propagation: {}", c.propagation_path));
        }
        notes.push(format!("处置建议 Disposal advice: {}", c.disposal_advice));
        let description = notes.into_iter().filter(|n| !n.is_empty()).collect::<Vec<_>>().join("\n");
        // What hashes and five-tuples indicate: the malware, or the phishing site.
        let subject = if c.kind == ThreatKind::Phishing {
            let base = common("infrastructure", &id("infrastructure", seed, "phishing"), &at, Some(by));
            self.push(
                base,
                json!({ "name": c.name, "description": description, "infrastructure_types": ["phishing"],
                        "first_seen": found }),
            )
        } else {
            let base = common("malware", &id("malware", seed, "malware"), &at, Some(by));
            let mut rest = json!({ "name": c.name, "description": description, "is_family": false,
                                   "malware_types": malware_types(c.kind), "first_seen": found });
            if c.kind == ThreatKind::MobileMalware {
                rest["labels"] = json!(["mobile-malware"]);
            }
            self.push(base, rest)
        };
        let c2 = if c.c2_addresses.is_empty() || c.kind == ThreatKind::Phishing {
            subject.clone()
        } else {
            let types: &[&str] = if c.kind == ThreatKind::Botnet {
                &["botnet", "command-and-control"]
            } else {
                &["command-and-control"]
            };
            let base = common("infrastructure", &id("infrastructure", seed, "c2"), &at, Some(by));
            let infra = self.push(
                base,
                json!({ "name": format!("{} C&C", c.name), "infrastructure_types": types, "first_seen": found,
                        "description": format!("{} 的控制端 / command and control of {}", c.name, c.name) }),
            );
            self.relate(ctx, &subject, "beacons-to", &infra);
            infra
        };
        for address in &c.c2_addresses {
            let i = Indicator::from(address);
            let about = format!("{} 的恶意地址 / malicious address of {}", c.name, c.name);
            let iid = self.indicator(ctx, i.stix_pattern(), (&address.defanged(), about), &found);
            self.relate(ctx, &iid, "indicates", &c2);
        }
        for hash in &c.hashes {
            let i = Indicator::from(hash);
            let name = format!("{} {}", hash.algorithm.stix_name(), hash.value);
            let about = format!("{} 的样本哈希 / sample hash of {}", c.name, c.name);
            let iid = self.indicator(ctx, i.stix_pattern(), (&name, about), &found);
            self.relate(ctx, &iid, "indicates", &subject);
        }
        for t in &c.five_tuples {
            let name = format!("{} 五元组 five-tuple", c.name);
            let about = format!("{} 的通信五元组 / network five-tuple of {}", c.name, c.name);
            let iid = self.indicator(ctx, five_tuple_pattern(t), (&name, about), &found);
            self.relate(ctx, &iid, "indicates", &subject);
        }
    }
}

/// The findings as one STIX 2.1 bundle; `units` names their units.
pub fn bundle(findings: &[ThreatFinding], units: &HashMap<i64, String>) -> Value {
    let mut out = Objects { objects: Vec::new() };
    // Each unit once, created when its first finding here was.
    let mut identities: BTreeMap<i64, (String, DateTime<Utc>)> = BTreeMap::new();
    for f in findings {
        let name = units.get(&f.unit_id).cloned().unwrap_or_else(|| format!("#{}", f.unit_id));
        let e = identities.entry(f.unit_id).or_insert((name, f.created_at));
        e.1 = e.1.min(f.created_at);
    }
    let mut by_unit = HashMap::new();
    for (unit_id, (name, at)) in &identities {
        let iid = id("identity", &format!("unit:{name}"), "organization");
        let at = ts(*at);
        let base = common("identity", &iid, &at, None);
        out.push(base, json!({ "name": name, "identity_class": "organization" }));
        by_unit.insert(*unit_id, iid);
    }
    for f in findings {
        let by = by_unit.get(&f.unit_id).cloned().unwrap_or_default();
        out.finding(f, &by);
    }
    json!({
        "type": "bundle",
        "id": format!("bundle--{}", uuid::Uuid::new_v4()),
        "objects": out.objects,
    })
}
