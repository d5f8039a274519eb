//! Reading what people type into the pages' forms: blank fields, and the
//! browser's `datetime-local` values, which carry no zone and are read on
//! the display zone's clock.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use crate::domain::FieldError;
use crate::domain::closure::FiveTupleInput;
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

/// Five-tuples typed one per line, `src-ip src-port dst-ip dst-port
/// protocol` (a port `-` when there is none), or why a line is not one.
pub fn five_tuple_lines(text: &str) -> Result<Vec<FiveTupleInput>, Vec<FieldError>> {
    let mut tuples = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let parts: Vec<&str> = line.split([' ', ',', '\t']).filter(|p| !p.is_empty()).collect();
        let port = |p: &str| if p == "-" { Ok(None) } else { p.parse::<u32>().map(Some) };
        match parts.as_slice() {
            [src, sp, dst, dp, proto] => match (port(sp), port(dp)) {
                (Ok(src_port), Ok(dst_port)) => tuples.push(FiveTupleInput {
                    src_ip: (*src).to_owned(),
                    src_port,
                    dst_ip: (*dst).to_owned(),
                    dst_port,
                    protocol: (*proto).to_owned(),
                }),
                _ => errors.push(FieldError::new(
                    format!("five_tuples[{i}]"),
                    "invalid_port",
                    "a port is a number or -",
                    "端口应为数字或 -",
                )),
            },
            _ => errors.push(FieldError::new(
                format!("five_tuples[{i}]"),
                "invalid_five_tuple",
                "each line: src-ip src-port dst-ip dst-port protocol",
                "每行应为：源IP 源端口 目的IP 目的端口 协议",
            )),
        }
    }
    if errors.is_empty() { Ok(tuples) } else { Err(errors) }
}

/// The non-blank lines of a text area, trimmed.
pub fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}
