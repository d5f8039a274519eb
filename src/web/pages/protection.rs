//! Protection periods on the web: the list (and, for the bureau, a form to
//! declare one), and a period's page with its daily duty report, the
//! screening progress table and the checklist, where units record results.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use serde::Deserialize;

use super::Chrome;
use super::error::{PageError, refusal};
use super::form::{blank_none, local_time};
use super::notice_form::Choice;
use super::text::{DutyText, duty};
use crate::AppState;
use crate::app::reads::Reads;
use crate::domain::DomainError;
use crate::domain::duration::format_local;
use crate::domain::policy::PolicyOverride;
use crate::domain::protection::{ProtectionPeriod, ProtectionPeriodInput};
use crate::domain::screening::{self, ScreeningKind, ScreeningOutcome};
use crate::reports::duty::daily_report;
use crate::store::StoreError;
use crate::store::sessions::WebSession;
use crate::web::session::{Posted, SignedIn};

pub fn router() -> Router<AppState> {
    Router::new().route("/periods", get(list).post(create)).route("/periods/{id}", get(show))
}

/// A flash message: (is it an error, the words).
pub(super) type Flash = Option<(bool, String)>;

pub struct PeriodLine {
    pub id: i64,
    pub name: String,
    pub starts_at: String,
    pub ends_at: String,
    pub units: String,
    pub active: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "periods.html")]
struct PeriodsPage {
    chrome: Chrome,
    d: &'static DutyText,
    periods: Vec<PeriodLine>,
    units: Vec<Choice>,
    can_direct: bool,
    flash: Option<String>,
    flash_error: bool,
}

fn units_text(p: &ProtectionPeriod, names: &HashMap<i64, String>, d: &DutyText) -> String {
    if p.unit_ids.is_empty() {
        return d.every_unit.to_owned();
    }
    p.unit_ids
        .iter()
        .map(|id| names.get(id).cloned().unwrap_or_else(|| format!("#{id}")))
        .collect::<Vec<_>>()
        .join("、")
}

/// The names of the units the reader sees and of those the periods cover.
async fn unit_names(reads: Reads<'_>, periods: &[ProtectionPeriod]) -> Result<HashMap<i64, String>, StoreError> {
    let mut names: HashMap<i64, String> = reads.units().await?.into_iter().map(|u| (u.id, u.name)).collect();
    let covered: Vec<i64> = periods.iter().flat_map(|p| p.unit_ids.iter().copied()).collect();
    names.extend(reads.unit_names(&covered).await?);
    Ok(names)
}

async fn periods_page(state: &AppState, session: &WebSession, flash: Flash) -> Result<PeriodsPage, PageError> {
    let d = duty(session.lang);
    let reads = state.app.reads(&session.actor);
    let periods = reads.protection_periods().await?;
    let names = unit_names(reads, &periods).await?;
    let now = state.clock.now();
    let periods = periods
        .into_iter()
        .map(|p| PeriodLine {
            units: units_text(&p, &names, d),
            active: p.starts_at <= now && now < p.ends_at,
            starts_at: format_local(p.starts_at, state.tz),
            ends_at: format_local(p.ends_at, state.tz),
            id: p.id,
            name: p.name,
        })
        .collect();
    let mut units: Vec<Choice> =
        names.into_iter().map(|(id, name)| Choice { code: id.to_string(), label: name, selected: false }).collect();
    units.sort_by(|a, b| a.label.cmp(&b.label));
    let (flash_error, flash) = flash.map_or((false, None), |(e, f)| (e, Some(f)));
    Ok(PeriodsPage {
        chrome: Chrome::new(state, session, "/periods", "periods"),
        d,
        periods,
        units,
        can_direct: session.actor.can_direct(),
        flash,
        flash_error,
    })
}

async fn list(State(state): State<AppState>, signed: SignedIn) -> Result<PeriodsPage, PageError> {
    periods_page(&state, &signed.session, None).await
}

#[derive(Deserialize, Default)]
struct PeriodForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    unit_ids: Vec<String>,
    #[serde(default)]
    ack_target: String,
    #[serde(default)]
    escalate_at: String,
    #[serde(default)]
    warn_at: String,
    #[serde(default)]
    deadline: String,
}

fn period_input(f: &PeriodForm, tz: Tz) -> Result<ProtectionPeriodInput, DomainError> {
    let mut errors = Vec::new();
    let starts_at = local_time("starts_at", &f.starts_at, tz).map_err(|e| errors.push(e)).ok();
    let ends_at = local_time("ends_at", &f.ends_at, tz).map_err(|e| errors.push(e)).ok();
    let (Some(starts_at), Some(ends_at)) = (starts_at, ends_at) else { return Err(DomainError::Invalid(errors)) };
    Ok(ProtectionPeriodInput {
        name: f.name.clone(),
        starts_at,
        ends_at,
        unit_ids: f.unit_ids.iter().filter_map(|u| u.parse().ok()).collect(),
        policy: PolicyOverride {
            ack_target: blank_none(&f.ack_target).map(str::to_owned),
            escalate_at: blank_none(&f.escalate_at).map(str::to_owned),
            warn_at: blank_none(&f.warn_at).map(str::to_owned),
            deadline: blank_none(&f.deadline).map(str::to_owned),
            ..Default::default()
        },
    })
}

async fn create(State(state): State<AppState>, posted: Posted<PeriodForm>) -> Result<Response, PageError> {
    let session = &posted.session;
    let saved = match period_input(&posted.form, state.tz) {
        Ok(input) => state.app.create_protection_period(&session.caller(), &input).await,
        Err(e) => Err(e.into()),
    };
    match saved {
        Ok(p) => Ok(Redirect::to(&format!("/periods/{}", p.id)).into_response()),
        Err(e) => {
            let why = refusal(e, session.lang)?;
            Ok(periods_page(&state, session, Some((true, why))).await?.into_response())
        }
    }
}

pub struct DayLine {
    pub date: String,
    pub assignments: u64,
    pub acknowledged: u64,
    pub on_site: u64,
    pub kept: u64,
    pub breached: u64,
    /// "branch: person hh:mm–hh:mm" lines.
    pub on_duty: Vec<String>,
}

pub struct ProgressLine {
    pub unit: String,
    pub remote: String,
    pub on_site: String,
    pub issues_found: u32,
    pub not_screened: u32,
    pub overdue: u32,
    pub percent: u32,
}

pub struct TaskLine {
    pub id: i64,
    pub unit: String,
    pub enterprise: String,
    pub target: String,
    pub kind: &'static str,
    pub due_at: String,
    pub outcome: Option<&'static str>,
    pub issues: bool,
    pub findings: String,
    pub done: String,
    pub can_record: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "period.html")]
pub(super) struct PeriodPage {
    chrome: Chrome,
    d: &'static DutyText,
    id: i64,
    name: String,
    starts_at: String,
    ends_at: String,
    units: String,
    policy: Vec<(&'static str, String)>,
    active: bool,
    days: Vec<DayLine>,
    progress: Vec<ProgressLine>,
    tasks: Vec<TaskLine>,
    task_units: Vec<Choice>,
    kinds: Vec<Choice>,
    outcomes: Vec<Choice>,
    can_direct: bool,
    flash: Option<String>,
    flash_error: bool,
}

/// A span within one day as clock times; a span running to the day's end
/// ends at 24:00, as on the roster page, not at 00:00.
fn clocks_of(from: &DateTime<FixedOffset>, until: &DateTime<FixedOffset>) -> String {
    let end = if until.date_naive() > from.date_naive() && until.time() == chrono::NaiveTime::MIN {
        "24:00".to_owned()
    } else {
        until.format("%H:%M").to_string()
    };
    format!("{}–{end}", from.format("%H:%M"))
}

pub(super) async fn period_page(
    state: &AppState,
    session: &WebSession,
    id: i64,
    flash: Flash,
) -> Result<PeriodPage, PageError> {
    let (lang, actor) = (session.lang, &session.actor);
    let d = duty(lang);
    let reads = state.app.reads(actor);
    let p = reads.protection_period(id).await?;
    let names = unit_names(reads, std::slice::from_ref(&p)).await?;
    let unit = |id: i64| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
    let report = daily_report(state, actor, &p).await?;
    let days = report
        .days
        .into_iter()
        .map(|day| DayLine {
            on_duty: day
                .on_duty
                .iter()
                .map(|s| {
                    let who = s.person.clone().unwrap_or_else(|| d.nobody.to_owned());
                    format!("{} {}：{who} {}", s.unit, s.branch, clocks_of(&s.from, &s.until))
                })
                .collect(),
            date: day.date,
            assignments: day.figures.assignments,
            acknowledged: day.figures.acknowledged_within_target,
            on_site: day.figures.on_site_within_deadline,
            kept: day.figures.kept,
            breached: day.figures.breached,
        })
        .collect();
    let tasks = reads.screening_tasks(id).await?;
    let states: Vec<_> = tasks.iter().map(|t| t.progress(p.starts_at)).collect();
    let (rows, total) = screening::progress(&states, state.clock.now());
    let line = |unit: String, r: &screening::UnitProgress| ProgressLine {
        unit,
        remote: format!("{}/{}", r.remote_done, r.remote_total),
        on_site: format!("{}/{}", r.on_site_done, r.on_site_total),
        issues_found: r.issues_found,
        not_screened: r.not_screened,
        overdue: r.overdue,
        percent: r.percent(),
    };
    let mut progress: Vec<ProgressLine> = rows.iter().map(|r| line(unit(r.unit_id), r)).collect();
    if !rows.is_empty() {
        progress.push(line(d.total.to_owned(), &total));
    }
    let tasks = tasks
        .into_iter()
        .map(|t| {
            let outcome = t.outcome;
            TaskLine {
                id: t.id,
                unit: unit(t.unit_id),
                kind: t.kind.label(lang),
                due_at: t.due_at.map(|at| format_local(at, state.tz)).unwrap_or_default(),
                outcome: outcome.map(|o| o.label(lang)),
                issues: outcome.is_some_and(|o| o != ScreeningOutcome::Clean),
                findings: t.findings.unwrap_or_default(),
                done: match (t.done_by, t.done_at) {
                    (Some(by), Some(at)) => format!("{by} {}", format_local(at, state.tz)),
                    _ => String::new(),
                },
                can_record: actor.can_report_for(t.unit_id),
                enterprise: t.enterprise,
                target: t.target,
            }
        })
        .collect();
    let on_watch = |u: &i64| p.unit_ids.is_empty() || p.unit_ids.contains(u);
    let mut task_units: Vec<Choice> = names
        .iter()
        .filter(|(id, _)| on_watch(id))
        .map(|(id, name)| Choice { code: id.to_string(), label: name.clone(), selected: false })
        .collect();
    task_units.sort_by(|a, b| a.label.cmp(&b.label));
    let choice = |code: &str, label: &str| Choice { code: code.into(), label: label.into(), selected: false };
    let now = state.clock.now();
    let offsets = [
        (d.ack_target, &p.policy.ack_target),
        (d.escalate_at, &p.policy.escalate_at),
        (d.warn_at, &p.policy.warn_at),
        (d.deadline, &p.policy.deadline),
    ];
    let (flash_error, flash) = flash.map_or((false, None), |(e, f)| (e, Some(f)));
    Ok(PeriodPage {
        chrome: Chrome::new(state, session, &format!("/periods/{id}"), "periods"),
        d,
        id,
        units: units_text(&p, &names, d),
        policy: offsets.into_iter().filter_map(|(label, v)| v.clone().map(|v| (label, v))).collect(),
        active: p.starts_at <= now && now < p.ends_at,
        starts_at: format_local(p.starts_at, state.tz),
        ends_at: format_local(p.ends_at, state.tz),
        name: p.name,
        days,
        progress,
        tasks,
        task_units,
        kinds: ScreeningKind::ALL.iter().map(|k| choice(k.code(), k.label(lang))).collect(),
        outcomes: ScreeningOutcome::ALL.iter().map(|o| choice(o.code(), o.label(lang))).collect(),
        can_direct: actor.can_direct(),
        flash,
        flash_error,
    })
}

async fn show(State(state): State<AppState>, signed: SignedIn, Path(id): Path<i64>) -> Result<PeriodPage, PageError> {
    period_page(&state, &signed.session, id, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_to_the_end_of_the_day_ends_at_24_00() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        assert_eq!(clocks_of(&t("2026-12-01T09:00:00+08:00"), &t("2026-12-02T00:00:00+08:00")), "09:00–24:00");
        assert_eq!(clocks_of(&t("2026-12-01T00:00:00+08:00"), &t("2026-12-02T00:00:00+08:00")), "00:00–24:00");
        assert_eq!(clocks_of(&t("2026-12-01T00:00:00+08:00"), &t("2026-12-01T09:00:00+08:00")), "00:00–09:00");
    }
}
