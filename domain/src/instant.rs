//! Times typed from outside are bounded to the years a dispatch record can
//! be about, so nothing entered as year 1 or 9999 reaches the store, moves a
//! clock, or prints outside RFC 3339 once shifted into a display zone.

use chrono::{DateTime, Datelike, FixedOffset};
use serde::{Deserialize, Deserializer};

use super::error::FieldError;

/// The first and last year accepted (the report periods use the same).
pub const FIRST_YEAR: i32 = 2000;
pub const LAST_YEAR: i32 = 2199;

/// Whether `at` lies within the accepted years.
pub fn in_range(at: &DateTime<FixedOffset>) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&at.to_utc().year())
}

/// `at`, or why it is refused.
pub fn check(field: &str, at: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>, FieldError> {
    if in_range(&at) {
        Ok(at)
    } else {
        Err(FieldError::new(
            field,
            "out_of_range",
            format!("{field} must lie between the years {FIRST_YEAR} and {LAST_YEAR}"),
            format!("{field} 须在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间"),
        ))
    }
}

fn out_of_range<E: serde::de::Error>(at: &DateTime<FixedOffset>) -> E {
    E::custom(format!(
        "{at} is outside the years {FIRST_YEAR} to {LAST_YEAR} / 时间须在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间"
    ))
}

/// `#[serde(deserialize_with = "bounded")]`: an RFC 3339 time within range.
pub fn bounded<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
    let at = DateTime::<FixedOffset>::deserialize(d)?;
    if in_range(&at) { Ok(at) } else { Err(out_of_range(&at)) }
}

/// The same for an optional time (with `#[serde(default)]`).
pub fn bounded_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    match Option::<DateTime<FixedOffset>>::deserialize(d)? {
        Some(at) if !in_range(&at) => Err(out_of_range(&at)),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Input {
        #[serde(deserialize_with = "bounded")]
        at: DateTime<FixedOffset>,
        #[serde(default, deserialize_with = "bounded_opt")]
        until: Option<DateTime<FixedOffset>>,
    }

    #[test]
    fn a_time_outside_the_accepted_years_is_refused_with_both_languages() {
        let ok: Input = serde_json::from_str(r#"{"at": "2026-11-25T03:00:00+08:00"}"#).unwrap();
        assert_eq!((ok.at.year(), ok.until), (2026, None));
        for bad in [
            r#"{"at": "0001-01-01T00:00:00Z"}"#,
            r#"{"at": "9999-12-31T23:59:59-12:00"}"#,
            r#"{"at": "2026-11-25T03:00:00+08:00", "until": "2200-01-01T00:00:00Z"}"#,
        ] {
            let err = serde_json::from_str::<Input>(bad).unwrap_err().to_string();
            assert!(err.contains("outside the years 2000 to 2199") && err.contains("年之间"), "{err}");
        }
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        assert_eq!(check("starts_at", at("1999-12-31T15:59:59Z")).unwrap_err().code, "out_of_range");
        assert!(check("starts_at", at("2000-01-01T08:00:00+08:00")).is_ok());
    }
}
