//! Report periods on the Asia/Shanghai calendar (or whichever zone is
//! configured): a month `2026-11`, a quarter `2026-Q4`, a year `2026`, or
//! custom dates `from`..=`to`. A day starts at local midnight, so a Shanghai
//! month is not a UTC month.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::FieldError;

/// A half-open span of instants `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

fn bad(field: &str, en: &str, zh: &str) -> FieldError {
    FieldError::new(field, "invalid_period", en, zh)
}

/// Local midnight at the start of `day`, as UTC.
fn midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    // Zones without midnight gaps (Shanghai has no DST) give one answer;
    // elsewhere take the earliest.
    tz.from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map_or_else(|| Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default()), |t| t.to_utc())
}

fn first_of(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
}

/// Parses a named period: `YYYY`, `YYYY-MM` or `YYYY-Qn`.
pub fn named(raw: &str, tz: Tz) -> Result<Period, FieldError> {
    let err = || bad("period", "use YYYY, YYYY-MM or YYYY-Qn", "周期格式应为 YYYY、YYYY-MM 或 YYYY-Qn");
    let raw = raw.trim();
    let (start, end) = if let Some((y, q)) = raw.split_once("-Q").or_else(|| raw.split_once("-q")) {
        let year: i32 = y.parse().map_err(|_| err())?;
        let q: u32 = q.parse().ok().filter(|q| (1..=4).contains(q)).ok_or_else(err)?;
        let start = first_of(year, 3 * q - 2).ok_or_else(err)?;
        (start, if q == 4 { first_of(year + 1, 1) } else { first_of(year, 3 * q + 1) }.ok_or_else(err)?)
    } else if let Some((y, m)) = raw.split_once('-') {
        let year: i32 = y.parse().map_err(|_| err())?;
        let month: u32 = m.parse().map_err(|_| err())?;
        let start = first_of(year, month).ok_or_else(err)?;
        let next = if month == 12 { first_of(year + 1, 1) } else { first_of(year, month + 1) };
        (start, next.ok_or_else(err)?)
    } else {
        let year: i32 = raw.parse().map_err(|_| err())?;
        (first_of(year, 1).ok_or_else(err)?, first_of(year + 1, 1).ok_or_else(err)?)
    };
    if !(2000..=2200).contains(&start.year()) {
        return Err(err());
    }
    Ok(Period { from: midnight(start, tz), to: midnight(end, tz) })
}

/// Parses custom dates, both inclusive: `from=2026-11-01&to=2026-11-30`.
pub fn custom(from: &str, to: &str, tz: Tz) -> Result<Period, FieldError> {
    let day = |field: &str, raw: &str| {
        NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| (2000..=2200).contains(&d.year()))
            .ok_or_else(|| bad(field, "use a date YYYY-MM-DD", "日期格式应为 YYYY-MM-DD"))
    };
    let (start, end) = (day("from", from)?, day("to", to)?);
    if end < start {
        return Err(bad("to", "`to` is before `from`", "结束日期早于开始日期"));
    }
    let after = end.succ_opt().ok_or_else(|| bad("to", "date out of range", "日期超出范围"))?;
    Ok(Period { from: midnight(start, tz), to: midnight(after, tz) })
}

/// A period cut into the local months it wholly covers (read from the
/// maintained aggregates) and the spans before and after them (read row by
/// row).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Split {
    /// `YYYY-MM`, in order.
    pub months: Vec<String>,
    /// The instants the whole months cover, if any.
    pub whole: Option<Period>,
    pub rest: Vec<Period>,
}

/// Every local month `period` touches, in order (`YYYY-MM`).
pub fn months_touched(period: &Period, tz: Tz) -> Vec<String> {
    let mut out = Vec::new();
    let mut month = period.from.with_timezone(&tz).date_naive().with_day(1).unwrap_or_default();
    while midnight(month, tz) < period.to && out.len() < 12 * 201 {
        out.push(month.format("%Y-%m").to_string());
        match month.checked_add_months(chrono::Months::new(1)) {
            Some(next) => month = next,
            None => break,
        }
    }
    out
}

/// The most days `days` lists (a year and a day).
pub const MAX_DAYS: usize = 367;

/// The local days `period` touches, each cut to the period: the rows of a
/// protection period's daily report.
pub fn days(period: &Period, tz: Tz) -> Vec<(NaiveDate, Period)> {
    let mut out = Vec::new();
    let mut day = period.from.with_timezone(&tz).date_naive();
    while out.len() < MAX_DAYS {
        let (start, next) = (midnight(day, tz), day.succ_opt().map(|d| midnight(d, tz)));
        if start >= period.to {
            break;
        }
        let end = next.unwrap_or(period.to).min(period.to);
        out.push((day, Period { from: start.max(period.from), to: end }));
        match day.succ_opt() {
            Some(d) => day = d,
            None => break,
        }
    }
    out
}

/// Cuts `period` into whole local months and the rest.
pub fn split(period: &Period, tz: Tz) -> Split {
    let mut months = Vec::new();
    let mut whole: Option<Period> = None;
    let mut month = period.from.with_timezone(&tz).date_naive().with_day(1).unwrap_or_default();
    while let Some(next) = month.checked_add_months(chrono::Months::new(1)) {
        let (start, end) = (midnight(month, tz), midnight(next, tz));
        if end > period.to {
            break;
        }
        if start >= period.from {
            months.push(month.format("%Y-%m").to_string());
            whole = Some(Period { from: whole.map_or(start, |w| w.from), to: end });
        }
        month = next;
    }
    let rest = match whole {
        None => vec![*period],
        Some(w) => [Period { from: period.from, to: w.from }, Period { from: w.to, to: period.to }]
            .into_iter()
            .filter(|p| p.from < p.to)
            .collect(),
    };
    Split { months, whole, rest }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    #[test]
    fn a_span_is_cut_into_local_days() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        let p = Period { from: at("2026-11-24T20:00:00+08:00"), to: at("2026-11-26T08:00:00+08:00") };
        let d = days(&p, Shanghai);
        let dates: Vec<String> = d.iter().map(|(d, _)| d.to_string()).collect();
        assert_eq!(dates, ["2026-11-24", "2026-11-25", "2026-11-26"]);
        assert_eq!(d[0].1.from, p.from, "the first day starts with the span");
        assert_eq!(d[1].1, Period { from: at("2026-11-25T00:00:00+08:00"), to: at("2026-11-26T00:00:00+08:00") });
        assert_eq!(d[2].1.to, p.to, "the last day ends with it");
        let exact = Period { from: at("2026-11-24T00:00:00+08:00"), to: at("2026-11-25T00:00:00+08:00") };
        assert_eq!(days(&exact, Shanghai).len(), 1, "a span ending at midnight does not touch the next day");
    }

    #[test]
    fn periods_split_into_whole_local_months_and_the_rest() {
        let year = named("2025", Shanghai).unwrap();
        let s = split(&year, Shanghai);
        assert_eq!(s.months.len(), 12);
        assert_eq!(s.whole, Some(year));
        assert!(s.rest.is_empty());

        // 15 Oct – 3 Dec: November whole, the edges row by row.
        let p = custom("2025-10-15", "2025-12-03", Shanghai).unwrap();
        let s = split(&p, Shanghai);
        assert_eq!(s.months, ["2025-11"]);
        let nov = named("2025-11", Shanghai).unwrap();
        assert_eq!(s.whole, Some(nov));
        assert_eq!(s.rest, [Period { from: p.from, to: nov.from }, Period { from: nov.to, to: p.to }]);

        // Inside one month: nothing whole.
        let p = custom("2025-11-02", "2025-11-20", Shanghai).unwrap();
        assert_eq!(split(&p, Shanghai), Split { months: vec![], whole: None, rest: vec![p] });
        assert_eq!(months_touched(&p, Shanghai), ["2025-11"]);
        assert_eq!(months_touched(&named("2025-Q4", Shanghai).unwrap(), Shanghai), ["2025-10", "2025-11", "2025-12"]);
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn a_shanghai_month_starts_at_local_midnight() {
        let p = named("2026-11", Shanghai).unwrap();
        assert_eq!(p.from, utc("2026-10-31T16:00:00Z"));
        assert_eq!(p.to, utc("2026-11-30T16:00:00Z"));
    }

    #[test]
    fn quarters_years_and_custom_dates() {
        let q4 = named("2026-Q4", Shanghai).unwrap();
        assert_eq!((q4.from, q4.to), (utc("2026-09-30T16:00:00Z"), utc("2026-12-31T16:00:00Z")));
        let year = named("2026", Shanghai).unwrap();
        assert_eq!(year.to, utc("2026-12-31T16:00:00Z"));
        let days = custom("2026-11-24", "2026-11-25", Shanghai).unwrap();
        assert_eq!((days.from, days.to), (utc("2026-11-23T16:00:00Z"), utc("2026-11-25T16:00:00Z")));
        let elsewhere = named("2026-11", chrono_tz::Europe::Berlin).unwrap();
        assert_eq!(elsewhere.from, utc("2026-10-31T23:00:00Z"));
    }

    #[test]
    fn nonsense_is_refused_with_the_field() {
        for raw in ["2026-13", "2026-Q5", "26", "abc", "2026-00", "1800"] {
            assert_eq!(named(raw, Shanghai).unwrap_err().field, "period", "{raw}");
        }
        assert_eq!(custom("2026-11-30", "2026-11-01", Shanghai).unwrap_err().field, "to");
        assert_eq!(custom("2026/11/01", "2026-11-30", Shanghai).unwrap_err().field, "from");
    }
}
