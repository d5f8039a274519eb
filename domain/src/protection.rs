//! Major-event protection periods (重保期): a named window (a national
//! event in Chongqing, say) during which the units on watch answer under a
//! stricter policy. A notice issued inside a period takes its policy
//! automatically, on top of the unit's own.

use chrono::{DateTime, FixedOffset, Utc};
use serde::Deserialize;

use super::error::{DomainError, FieldError, Validator};
use super::policy::{PolicyOverride, SlaPolicy};
use super::text;

/// A period as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectionPeriod {
    pub id: i64,
    pub name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The units on watch; empty means every unit.
    pub unit_ids: Vec<i64>,
    pub policy: PolicyOverride,
}

impl ProtectionPeriod {
    pub fn covers(&self, unit_id: i64, at: DateTime<Utc>) -> bool {
        self.starts_at <= at && at < self.ends_at && (self.unit_ids.is_empty() || self.unit_ids.contains(&unit_id))
    }

    /// The policy a unit answers under inside this period: the unit's own
    /// with the period's offsets on top; where the two do not fit together,
    /// the period's offsets on the configured base (the stricter rule wins).
    pub fn policy_for(&self, unit_policy: &SlaPolicy, base: &SlaPolicy) -> SlaPolicy {
        self.policy.apply(unit_policy).or_else(|_| self.policy.apply(base)).unwrap_or_else(|_| unit_policy.clone())
    }
}

/// The period in force for `unit_id` at `at`: of those covering it, the one
/// that started last.
pub fn in_force(periods: &[ProtectionPeriod], unit_id: i64, at: DateTime<Utc>) -> Option<&ProtectionPeriod> {
    periods.iter().filter(|p| p.covers(unit_id, at)).max_by_key(|p| (p.starts_at, p.id))
}

/// A period as typed.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProtectionPeriodInput {
    pub name: String,
    #[serde(deserialize_with = "super::instant::bounded")]
    pub starts_at: DateTime<FixedOffset>,
    #[serde(deserialize_with = "super::instant::bounded")]
    pub ends_at: DateTime<FixedOffset>,
    /// The units on watch; absent or empty means every unit.
    #[serde(default)]
    pub unit_ids: Vec<i64>,
    /// Offsets such as `{"ack_target": "5m", "deadline": "90m"}`.
    #[serde(default)]
    pub policy: PolicyOverride,
}

/// A checked period, not yet stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodDraft {
    pub name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub unit_ids: Vec<i64>,
    pub policy: PolicyOverride,
}

impl PeriodDraft {
    /// Checks every field at once; the policy must fit the configured base.
    pub fn parse(input: &ProtectionPeriodInput, base: &SlaPolicy) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let name = v.check(text::required("name", &input.name, text::NAME));
        let (starts_at, ends_at) = (input.starts_at.with_timezone(&Utc), input.ends_at.with_timezone(&Utc));
        if ends_at <= starts_at {
            v.push(FieldError::new("ends_at", "invalid_range", "must be after starts_at", "结束时间应晚于开始时间"));
        }
        if let Err(DomainError::Invalid(errors)) = input.policy.apply(base) {
            for e in errors {
                // `policy` itself names the order of the offsets.
                let field = if e.field == "policy" { e.field } else { format!("policy.{}", e.field) };
                v.push(FieldError { field, ..e });
            }
        }
        let mut unit_ids = input.unit_ids.clone();
        unit_ids.sort_unstable();
        unit_ids.dedup();
        match name {
            Some(name) if v.is_empty() => Ok(Self { name, starts_at, ends_at, unit_ids, policy: input.policy.clone() }),
            _ => Err(DomainError::Invalid(v.into_errors())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn period(id: i64, from: &str, to: &str, units: Vec<i64>, deadline: &str) -> ProtectionPeriod {
        ProtectionPeriod {
            id,
            name: format!("p{id}"),
            starts_at: at(from),
            ends_at: at(to),
            unit_ids: units,
            policy: PolicyOverride {
                deadline: Some(deadline.into()),
                warn_at: Some("75m".into()),
                ..Default::default()
            },
        }
    }

    #[test]
    fn the_latest_period_covering_the_unit_is_in_force() {
        let periods = [
            period(1, "2026-11-20T00:00:00+08:00", "2026-12-01T00:00:00+08:00", vec![], "100m"),
            period(2, "2026-11-24T00:00:00+08:00", "2026-11-26T00:00:00+08:00", vec![7], "90m"),
        ];
        let t = at("2026-11-25T03:00:00+08:00");
        assert_eq!(in_force(&periods, 7, t).map(|p| p.id), Some(2));
        assert_eq!(in_force(&periods, 8, t).map(|p| p.id), Some(1), "unit 8 is not on watch in period 2");
        assert_eq!(in_force(&periods, 7, at("2026-11-26T00:00:00+08:00")).map(|p| p.id), Some(1), "ends exclusive");
        assert_eq!(in_force(&periods, 7, at("2026-12-01T00:00:00+08:00")), None);
    }

    #[test]
    fn a_period_tightens_the_units_policy() {
        let base = SlaPolicy::default();
        let p = period(1, "2026-11-20T00:00:00+08:00", "2026-12-01T00:00:00+08:00", vec![], "90m");
        assert_eq!(p.policy_for(&base, &base).deadline_secs, 90 * 60);
        let input = ProtectionPeriodInput {
            name: " ".into(),
            starts_at: DateTime::parse_from_rfc3339("2026-11-20T00:00:00+08:00").unwrap(),
            ends_at: DateTime::parse_from_rfc3339("2026-11-19T00:00:00+08:00").unwrap(),
            unit_ids: vec![],
            policy: PolicyOverride { ack_target: Some("soon".into()), ..Default::default() },
        };
        let Err(DomainError::Invalid(errors)) = PeriodDraft::parse(&input, &base) else { panic!("refused") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "ends_at", "policy.ack_target"]);
    }
}
