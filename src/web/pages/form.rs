//! Reading what people type into the pages' forms: blank fields, and the
//! browser's `datetime-local` values, which carry no zone and are read on
//! the display zone's clock.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use crate::domain::FieldError;
use crate::domain::instant;

/// The trimmed text, or `None` for a blank field.
pub fn blank_none(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

/// A `datetime-local` value (`2026-11-25T03:00`) as an instant in `tz`;
/// `None` when it is not one (or names a local time `tz` skips or repeats,
/// or lies outside the years onsite accepts).
pub fn local_datetime(raw: &str, tz: Tz) -> Option<DateTime<FixedOffset>> {
    NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|t| tz.from_local_datetime(&t).single())
        .map(|t| t.fixed_offset())
        .filter(instant::in_range)
}

/// A required `datetime-local` field, or its error.
pub fn local_time(field: &str, raw: &str, tz: Tz) -> Result<DateTime<FixedOffset>, FieldError> {
    local_datetime(raw, tz).ok_or_else(|| {
        FieldError::new(
            field,
            "invalid_time",
            format!("use a time YYYY-MM-DD HH:MM between the years {} and {}", instant::FIRST_YEAR, instant::LAST_YEAR),
            format!("时间格式应为 YYYY-MM-DD HH:MM，且在 {} 年至 {} 年之间", instant::FIRST_YEAR, instant::LAST_YEAR),
        )
    })
}
