//! Duty rosters: who of a branch is on duty at a moment. A rotation hands
//! over at a local time of day (in its own zone) every `shift_days` days,
//! cycling through its members from its first day; an override puts someone
//! else on duty for a stretch of time. Pure: the store loads a branch's
//! roster and asks `on_duty`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::error::{DomainError, FieldError, Validator};

/// A branch's rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The zone the hand-over time is read in (Asia/Shanghai for the
    /// bureau's units; rosters elsewhere keep their own).
    pub zone: Tz,
    /// The local date of the first shift.
    pub starts_on: NaiveDate,
    /// The local time of every hand-over.
    pub handover: NaiveTime,
    /// 1 for a daily rotation, 7 for a weekly one.
    pub shift_days: u32,
    /// Person ids in the order they take their shifts.
    pub members: Vec<i64>,
}

/// Someone on duty instead of the rotation, from `from` until `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub person_id: i64,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// A rotation and its overrides (later overrides win where they overlap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster {
    pub rotation: Rotation,
    pub overrides: Vec<Override>,
}

/// Who is on duty, and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub person_id: i64,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Whom this shift takes over from (the rotation's previous member).
    pub after: Option<i64>,
    pub overridden: bool,
}

impl Rotation {
    /// The instant shift `k` begins: the hand-over time on its first local
    /// day. A hand-over time a clock change skips begins at the first
    /// instant after the gap; one it repeats, at its first occurrence.
    pub fn shift_start(&self, k: i64) -> DateTime<Utc> {
        let day = self.starts_on + Duration::days(k * i64::from(self.shift_days.max(1)));
        local_instant(self.zone, day.and_time(self.handover))
    }

    /// The rotation's shift at `at`, or `None` before it starts or when it
    /// has nobody in it: a gap.
    pub fn shift_at(&self, at: DateTime<Utc>) -> Option<Shift> {
        if self.members.is_empty() || at < self.shift_start(0) {
            return None;
        }
        let days = i64::from(self.shift_days.max(1));
        let local_day = at.with_timezone(&self.zone).date_naive();
        // The shift by local dates; one step either way settles a moment
        // before the day's hand-over or across a clock change.
        let mut k = (local_day - self.starts_on).num_days().div_euclid(days);
        while k > 0 && at < self.shift_start(k) {
            k -= 1;
        }
        while at >= self.shift_start(k + 1) {
            k += 1;
        }
        let n = self.members.len() as i64;
        let member = |k: i64| self.members[k.rem_euclid(n) as usize];
        Some(Shift {
            person_id: member(k),
            from: self.shift_start(k),
            until: self.shift_start(k + 1),
            after: (k > 0 && n > 1).then(|| member(k - 1)),
            overridden: false,
        })
    }
}

impl Roster {
    /// Who is on duty at `at`: the latest override covering it, else the
    /// rotation; `None` is a gap, which pages the support lead at once.
    pub fn on_duty(&self, at: DateTime<Utc>) -> Option<Shift> {
        if let Some(o) = self.overrides.iter().rev().find(|o| o.from <= at && at < o.until) {
            return Some(Shift { person_id: o.person_id, from: o.from, until: o.until, after: None, overridden: true });
        }
        self.rotation.shift_at(at)
    }
}

/// A stretch of time with one person on duty (or nobody: a gap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub person_id: Option<i64>,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub overridden: bool,
}

/// A change of duty: `person_id` comes on at `at`, taking over from
/// `after` (nobody after a gap); no `person_id` is a gap beginning, which
/// the unit's support lead must fill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    pub at: DateTime<Utc>,
    pub person_id: Option<i64>,
    pub until: DateTime<Utc>,
    pub after: Option<i64>,
}

/// The most segments one question returns: a daily rotation over a year
/// and its overrides fit; longer spans are cut.
const MAX_SEGMENTS: usize = 1_000;

impl Roster {
    /// Who is on duty over `[from, to)`, as consecutive segments (each a
    /// different person, or a gap, from its neighbours).
    pub fn segments(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Segment> {
        let mut cuts = vec![from];
        for o in &self.overrides {
            cuts.extend([o.from, o.until].into_iter().filter(|t| from < *t && *t < to));
        }
        if let Some(first) = self.rotation.shift_at(from).map(|s| s.until).or_else(|| {
            let start = self.rotation.shift_start(0);
            (!self.rotation.members.is_empty() && from < start).then_some(start)
        }) {
            let mut t = first;
            while t < to && cuts.len() < MAX_SEGMENTS {
                cuts.push(t);
                match self.rotation.shift_at(t) {
                    Some(s) if s.until > t => t = s.until,
                    _ => break,
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut out: Vec<Segment> = Vec::new();
        for (i, at) in cuts.iter().enumerate() {
            let until = cuts.get(i + 1).copied().unwrap_or(to);
            let duty = self.on_duty(*at);
            let person_id = duty.as_ref().map(|s| s.person_id);
            let overridden = duty.is_some_and(|s| s.overridden);
            match out.last_mut() {
                Some(last) if last.person_id == person_id && last.overridden == overridden => last.until = until,
                _ => out.push(Segment { person_id, from: *at, until, overridden }),
            }
        }
        out
    }

    /// Every change of duty inside `(from, to]`: who comes on (and after
    /// whom), or a gap beginning. What the engine announces.
    pub fn handovers(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Handover> {
        let segments = self.segments(from, to + Duration::milliseconds(1));
        segments
            .windows(2)
            .filter(|w| w[0].person_id != w[1].person_id)
            .map(|w| {
                let (before, now) = (&w[0], &w[1]);
                let until = match now.person_id {
                    Some(_) => self.on_duty(now.from).map_or(now.until, |s| s.until),
                    // A gap lasts until someone is on duty again.
                    None => {
                        self.segments(now.from, now.from + Duration::days(366)).first().map_or(now.until, |g| g.until)
                    }
                };
                Handover { at: now.from, person_id: now.person_id, until, after: before.person_id }
            })
            .collect()
    }
}

/// A rotation as typed (API body or web form), before it is checked.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotationInput {
    /// An IANA zone; `Asia/Shanghai` when absent.
    pub zone: Option<String>,
    /// The local date of the first shift, `YYYY-MM-DD`.
    pub starts_on: String,
    /// The local hand-over time, `HH:MM`.
    pub handover: String,
    /// 1 (daily) to 28.
    pub shift_days: u32,
    /// Person ids in rotation order (each once).
    pub members: Vec<i64>,
}

/// The longest shift a rotation may have.
pub const MAX_SHIFT_DAYS: u32 = 28;

impl Rotation {
    /// Checks every field at once; the members' unit is the store's check.
    pub fn parse(input: &RotationInput, default_zone: Tz) -> Result<Self, DomainError> {
        let mut v = Validator::default();
        let zone = match input.zone.as_deref().map(str::trim).filter(|z| !z.is_empty()) {
            None => Some(default_zone),
            Some(z) => v.check(z.parse::<Tz>().map_err(|_| {
                FieldError::new(
                    "zone",
                    "invalid_zone",
                    format!("`{z}` is not a time zone"),
                    format!("“{z}”不是有效的时区"),
                )
            })),
        };
        let starts_on = v.check(
            NaiveDate::parse_from_str(input.starts_on.trim(), "%Y-%m-%d")
                .ok()
                .filter(|d| (super::instant::FIRST_YEAR..=super::instant::LAST_YEAR).contains(&d.year()))
                .ok_or_else(|| {
                    FieldError::new(
                        "starts_on",
                        "invalid_date",
                        "use YYYY-MM-DD, a date between the years 2000 and 2199",
                        "日期格式应为 YYYY-MM-DD，且在 2000 年至 2199 年之间",
                    )
                }),
        );
        let handover = v.check(NaiveTime::parse_from_str(input.handover.trim(), "%H:%M").map_err(|_| {
            FieldError::new("handover", "invalid_time", "use HH:MM (24-hour)", "时间格式应为 HH:MM（24 小时制）")
        }));
        if !(1..=MAX_SHIFT_DAYS).contains(&input.shift_days) {
            v.push(FieldError::new(
                "shift_days",
                "invalid_shift",
                format!("a shift is 1 to {MAX_SHIFT_DAYS} days"),
                format!("每班应为 1 到 {MAX_SHIFT_DAYS} 天"),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, id) in input.members.iter().enumerate() {
            if !seen.insert(id) {
                v.push(FieldError::new(
                    format!("members[{i}]"),
                    "duplicate_member",
                    "this person is already in the rotation",
                    "此人已在轮值名单中",
                ));
            }
        }
        match (zone, starts_on, handover) {
            (Some(zone), Some(starts_on), Some(handover)) if v.is_empty() => {
                Ok(Self { zone, starts_on, handover, shift_days: input.shift_days, members: input.members.clone() })
            }
            _ => Err(DomainError::Invalid(v.into_errors())),
        }
    }
}

fn local_instant(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    // A skipped local time (spring forward): step a minute at a time to the
    // first that exists; no zone skips more than a day.
    (0..=24 * 60)
        .find_map(|m| zone.from_local_datetime(&(local + Duration::minutes(m))).earliest())
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests;
