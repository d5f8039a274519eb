//! A branch's duty roster on the web: two weeks ahead as a calendar (who is
//! on duty each day, from when to when, swaps marked), and for the unit and
//! the bureau the forms to set the rotation and to swap a shift.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use chrono::{DateTime, Datelike, Duration, Utc};
use serde::Deserialize;

use super::Chrome;
use super::error::{PageError, outcome_flash};
use super::form::local_time;
use super::notice_form::Choice;
use super::text::{DutyText, duty};
use crate::AppState;
use crate::app::AppError;
use crate::domain::DomainError;
use crate::domain::duration::format_local;
use crate::domain::period::{self, Period};
use crate::domain::roster::{Rotation, RotationInput};
use crate::store::rosters::OverrideDraft;
use crate::store::sessions::WebSession;
use crate::web::session::{Posted, SignedIn};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/branches/{id}/roster", get(show).post(set_rotation))
        .route("/branches/{id}/roster/overrides", axum::routing::post(add_override))
}

/// Days the calendar shows, from today.
const CALENDAR_DAYS: i64 = 14;

pub struct DayShifts {
    pub date: String,
    pub weekday: &'static str,
    pub today: bool,
    pub shifts: Vec<ShiftLine>,
}

pub struct ShiftLine {
    pub person: String,
    pub from: String,
    pub until: String,
    pub gap: bool,
    pub overridden: bool,
}

pub struct MemberLine {
    pub id: i64,
    pub name: String,
    pub role: &'static str,
    /// Their turn in the rotation (1-based), blank when not in it.
    pub turn: String,
}

pub struct OverrideLine {
    pub person: String,
    pub from: String,
    pub until: String,
    pub reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "roster.html")]
struct RosterPage {
    chrome: Chrome,
    d: &'static DutyText,
    branch_id: i64,
    unit_id: i64,
    title: String,
    has_roster: bool,
    rotation: Vec<(&'static str, String)>,
    days: Vec<DayShifts>,
    overrides: Vec<OverrideLine>,
    members: Vec<MemberLine>,
    people: Vec<Choice>,
    starts_on: String,
    handover: String,
    shift_days: u32,
    zone: String,
    /// When a rotation's first shift is still to come: its start, local.
    gap_until: Option<String>,
    /// The first shift's date that puts its first member on duty now.
    start_now_on: String,
    can_edit: bool,
    flash: Option<String>,
    flash_error: bool,
}

const WEEKDAYS_ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

async fn roster_page(
    state: &AppState,
    session: &WebSession,
    branch_id: i64,
    flash: Option<(bool, String)>,
) -> Result<RosterPage, PageError> {
    let (lang, actor) = (session.lang, &session.actor);
    let d = duty(lang);
    let tz = state.tz;
    let reads = state.app.reads(actor);
    let b = reads.branch_in(branch_id).await?;
    let unit = reads.unit(b.unit_id).await?;
    let people = reads.people(&b).await?;
    let names: HashMap<i64, String> = people.iter().map(|p| (p.id, p.name.clone())).collect();
    let name = |id: i64| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
    let now = state.clock.now();
    let today = now.with_timezone(&tz).date_naive();
    let start =
        today.and_hms_opt(0, 0, 0).and_then(|t| t.and_local_timezone(tz).earliest()).map_or(now, |t| t.to_utc());
    let window = Period { from: start, to: start + Duration::days(CALENDAR_DAYS) };
    let stored = reads.roster(branch_id, window.from).await?;
    let weekdays = if lang == crate::domain::labels::Lang::Zh { WEEKDAYS_ZH } else { WEEKDAYS_EN };
    let mut days = Vec::new();
    if let Some(s) = &stored {
        let segments = s.roster.segments(window.from, window.to);
        for (date, span) in period::days(&window, tz) {
            let shifts = segments
                .iter()
                .filter(|g| g.from < span.to && span.from < g.until)
                .map(|g| {
                    let (from, until) = (g.from.max(span.from), g.until.min(span.to));
                    let clock = |t: chrono::DateTime<Utc>| {
                        let local = t.with_timezone(&tz);
                        if t == span.to { "24:00".to_owned() } else { local.format("%H:%M").to_string() }
                    };
                    ShiftLine {
                        person: g.person_id.map_or_else(|| d.nobody.to_owned(), name),
                        from: clock(from),
                        until: clock(until),
                        gap: g.person_id.is_none(),
                        overridden: g.overridden,
                    }
                })
                .collect();
            days.push(DayShifts {
                date: date.format("%m-%d").to_string(),
                weekday: weekdays[date.weekday().num_days_from_monday() as usize],
                today: date == today,
                shifts,
            });
        }
    }
    let rotation = stored.as_ref().map(|s| &s.roster.rotation);
    let members = people
        .iter()
        .filter(|p| p.active)
        .map(|p| MemberLine {
            id: p.id,
            name: p.name.clone(),
            role: p.role.label(lang),
            turn: rotation
                .and_then(|r| r.members.iter().position(|m| *m == p.id))
                .map(|i| (i + 1).to_string())
                .unwrap_or_default(),
        })
        .collect();
    let (flash_error, flash) = flash.map_or((false, None), |(e, f)| (e, Some(f)));
    Ok(RosterPage {
        chrome: Chrome::new(state, session, &format!("/branches/{branch_id}/roster"), "units"),
        d,
        branch_id,
        unit_id: unit.id,
        title: format!("{} {} · {}", unit.name, b.name, d.roster_title),
        has_roster: stored.is_some(),
        rotation: rotation
            .map(|r| {
                vec![
                    (d.starts_on, r.starts_on.format("%Y-%m-%d").to_string()),
                    (d.handover, r.handover.format("%H:%M").to_string()),
                    (d.shift_days, r.shift_days.to_string()),
                    (d.zone, r.zone.name().to_owned()),
                    (d.members, r.members.iter().map(|m| name(*m)).collect::<Vec<_>>().join(" → ")),
                ]
            })
            .unwrap_or_default(),
        days,
        overrides: stored
            .as_ref()
            .map(|s| {
                s.overrides
                    .iter()
                    .map(|o| OverrideLine {
                        person: name(o.person_id),
                        from: format_local(o.from, tz),
                        until: format_local(o.until, tz),
                        reason: o.reason.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        members,
        people: people
            .iter()
            .filter(|p| p.active)
            .map(|p| Choice { code: p.id.to_string(), label: p.name.clone(), selected: false })
            .collect(),
        starts_on: rotation.map_or_else(|| today.format("%Y-%m-%d").to_string(), |r| r.starts_on.to_string()),
        handover: rotation.map_or_else(|| "09:00".to_owned(), |r| r.handover.format("%H:%M").to_string()),
        shift_days: rotation.map_or(1, |r| r.shift_days),
        zone: rotation.map_or_else(|| tz.name().to_owned(), |r| r.zone.name().to_owned()),
        gap_until: rotation.map(|r| r.shift_start(0)).filter(|first| *first > now).map(|t| format_local(t, tz)),
        start_now_on: rotation.map(|r| start_now_on(r, now)).unwrap_or_default(),
        can_edit: actor.can_report_for(b.unit_id),
        flash,
        flash_error,
    })
}

/// The first shift's date for a rotation to cover `now` at once: today if
/// today's hand-over has passed, else yesterday.
fn start_now_on(r: &Rotation, now: DateTime<Utc>) -> String {
    let local = now.with_timezone(&r.zone);
    let today = local.date_naive();
    let day = if local.time() >= r.handover { today } else { today.pred_opt().unwrap_or(today) };
    day.format("%Y-%m-%d").to_string()
}

async fn show(State(state): State<AppState>, signed: SignedIn, Path(id): Path<i64>) -> Result<RosterPage, PageError> {
    roster_page(&state, &signed.session, id, None).await
}

/// After a roster form: the roster's page, with "recorded" or why not.
async fn after(
    state: &AppState,
    session: &WebSession,
    id: i64,
    result: Result<(), AppError>,
) -> Result<RosterPage, PageError> {
    let flash = outcome_flash(result, session.lang)?;
    roster_page(state, session, id, Some(flash)).await
}

/// The rotation form: its fields, and `m{person id}` = that person's turn.
type RotationForm = HashMap<String, String>;

fn rotation_input(f: &RotationForm) -> Result<RotationInput, DomainError> {
    let field = |k: &str| f.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let mut turns: Vec<(u32, i64)> = Vec::new();
    for (k, v) in f {
        let (Some(id), v) = (k.strip_prefix('m').and_then(|id| id.parse::<i64>().ok()), v.trim()) else { continue };
        if v.is_empty() {
            continue;
        }
        let turn = v.parse::<u32>().map_err(|_| {
            DomainError::field(k.clone(), "invalid_turn", "a turn is a number: 1, 2, 3…", "轮值顺序应为数字：1、2、3…")
        })?;
        turns.push((turn, id));
    }
    turns.sort_unstable();
    let shift_days = field("shift_days").parse::<u32>().unwrap_or(0);
    Ok(RotationInput {
        zone: Some(field("zone")),
        starts_on: field("starts_on"),
        handover: field("handover"),
        shift_days,
        members: turns.into_iter().map(|(_, id)| id).collect(),
    })
}

async fn set_rotation(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<RotationForm>,
) -> Result<RosterPage, PageError> {
    let session = &posted.session;
    let result = async {
        let rotation = Rotation::parse(&rotation_input(&posted.form)?, state.tz)?;
        state.app.set_roster(&session.caller(), id, rotation).await.map(|_| ())
    }
    .await;
    after(&state, session, id, result).await
}

#[derive(Deserialize, Default)]
struct OverrideForm {
    #[serde(default)]
    person_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    reason: String,
}

async fn add_override(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<OverrideForm>,
) -> Result<RosterPage, PageError> {
    let session = &posted.session;
    let f = &posted.form;
    let result = async {
        let person_id = f
            .person_id
            .trim()
            .parse::<i64>()
            .map_err(|_| DomainError::field("person_id", "required", "choose a person", "请选择人员"))?;
        let mut errors = Vec::new();
        let from = local_time("from", &f.from, state.tz).map_err(|e| errors.push(e)).ok();
        let until = local_time("until", &f.until, state.tz).map_err(|e| errors.push(e)).ok();
        let reason = crate::domain::text::required("reason", &f.reason, crate::domain::text::NAME)
            .map_err(|e| errors.push(e))
            .ok();
        let (Some(from), Some(until), Some(reason)) = (from, until, reason) else {
            return Err(DomainError::Invalid(errors).into());
        };
        let draft = OverrideDraft { person_id, from: from.to_utc(), until: until.to_utc(), reason };
        state.app.add_roster_override(&session.caller(), id, draft).await.map(|_| ())
    }
    .await;
    after(&state, session, id, result).await
}
