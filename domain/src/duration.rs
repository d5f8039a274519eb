//! Durations as people read them: `1小时35分` in Chinese, `1h35m` in English.
//! Times themselves are shown in the configured zone (Asia/Shanghai).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::labels::Lang;

/// Formats a non-negative number of seconds, to the minute once past an hour
/// and to the second below a minute (the last minute before a deadline).
pub fn format_duration(seconds: i64, lang: Lang) -> String {
    let s = seconds.max(0);
    let (d, h, m, sec) = (s / 86_400, (s % 86_400) / 3_600, (s % 3_600) / 60, s % 60);
    let parts: Vec<(i64, &str, &str)> = if d > 0 {
        vec![(d, "天", "d"), (h, "小时", "h"), (m, "分", "m")]
    } else if h > 0 {
        vec![(h, "小时", "h"), (m, "分", "m")]
    } else if m > 0 {
        vec![(m, "分", "m")]
    } else {
        vec![(sec, "秒", "s")]
    };
    parts
        .into_iter()
        .enumerate()
        .filter(|(i, (v, _, _))| *i == 0 || *v > 0)
        .map(|(_, (v, zh, en))| match lang {
            Lang::Zh => format!("{v}{zh}"),
            Lang::En => format!("{v}{en}"),
        })
        .collect()
}

/// A time in the display zone, with its date, as `2026-11-25 03:10`.
pub fn format_local(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_and_minutes() {
        assert_eq!(format_duration(95 * 60, Lang::Zh), "1小时35分");
        assert_eq!(format_duration(95 * 60, Lang::En), "1h35m");
    }

    #[test]
    fn whole_hours_drop_zero_minutes() {
        assert_eq!(format_duration(7_200, Lang::Zh), "2小时");
    }

    #[test]
    fn under_a_minute_shows_seconds_and_negative_is_zero() {
        assert_eq!(format_duration(42, Lang::Zh), "42秒");
        assert_eq!(format_duration(-5, Lang::En), "0s");
    }

    #[test]
    fn days_for_long_lateness() {
        assert_eq!(format_duration(26 * 3_600 + 60, Lang::Zh), "1天2小时1分");
    }

    #[test]
    fn local_time_is_shanghai_and_can_be_the_next_day() {
        let at = DateTime::parse_from_rfc3339("2026-11-24T19:10:00Z").unwrap().to_utc();
        assert_eq!(format_local(at, chrono_tz::Asia::Shanghai), "2026-11-25 03:10");
    }
}
