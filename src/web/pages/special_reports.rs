//! Special reports on the web: the list with the form to write one, and a
//! report's page, where its unit edits and submits it, the bureau accepts
//! or returns it and turns an accepted one into a notice. Every form
//! returns to the page with "recorded" or why not.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono_tz::Tz;
use serde::Deserialize;

use super::Chrome;
use super::error::{PageError, outcome_flash, refusal};
use super::files::FileList;
use super::form::{blank_none, local_time};
use super::notice_form::Choice;
use super::protection::Flash;
use super::text::{DutiesText, duties};
use crate::AppState;
use crate::app::AppError;
use crate::domain::access::Need;
use crate::domain::attachment::Subject;
use crate::domain::duration::format_local;
use crate::domain::labels::Lang;
use crate::domain::notice::{Category, Severity};
use crate::domain::review::{ReviewAction, ReviewEvent};
use crate::domain::special_report::{NoticeOrder, SpecialReport, SpecialReportDraft, SpecialReportInput};
use crate::domain::{DomainError, FieldError};
use crate::store::sessions::WebSession;
use crate::store::special_reports::SpecialReportFilter;
use crate::web::session::{Posted, SignedIn};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/special-reports", get(list).post(create))
        .route("/special-reports/{id}", get(show).post(save))
        .route("/special-reports/{id}/submit", post(submit))
        .route("/special-reports/{id}/accept", post(accept))
        .route("/special-reports/{id}/return", post(return_report))
        .route("/special-reports/{id}/notice", post(issue_notice))
}

pub struct ReportLine {
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub category: &'static str,
    pub severity: &'static str,
    pub status: &'static str,
    pub created_at: String,
}

/// The report form's values and choices, blank or a report's own.
pub struct ReportFields {
    pub title: String,
    pub categories: Vec<Choice>,
    pub severities: Vec<Choice>,
    pub event_time: String,
    pub description: String,
    pub cause: String,
    pub impact: String,
    pub countermeasures: String,
    pub analysis: String,
    pub enterprises: Vec<Choice>,
    pub other_targets: String,
}

/// The options of a labelled enum, `selected` marked.
pub(super) fn choices<T: Copy + PartialEq>(
    all: &[T],
    selected: Option<T>,
    code: fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|&x| Choice { code: code(x).into(), label: label(x).into(), selected: Some(x) == selected })
        .collect()
}

async fn fields(state: &AppState, session: &WebSession, r: Option<&SpecialReport>) -> Result<ReportFields, PageError> {
    let lang = session.lang;
    let c = r.map(|r| &r.content);
    let registry = state.app.reads(&session.actor).enterprises(None).await?;
    let picked = |id: i64| c.is_some_and(|c| c.enterprise_ids.contains(&id));
    let text = |f: fn(&SpecialReportDraft) -> &String| c.map(|c| f(c).clone()).unwrap_or_default();
    Ok(ReportFields {
        title: text(|c| &c.title),
        categories: choices(Category::ALL, c.map(|c| c.category), Category::code, |x| x.label(lang)),
        severities: choices(Severity::ALL, c.map(|c| c.severity), Severity::code, |x| x.label(lang)),
        event_time: c
            .and_then(|c| c.event_time)
            .map(|t| t.with_timezone(&state.tz).format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default(),
        description: text(|c| &c.description),
        cause: text(|c| &c.cause),
        impact: text(|c| &c.impact),
        countermeasures: text(|c| &c.countermeasures),
        analysis: text(|c| &c.analysis),
        enterprises: registry
            .into_iter()
            .map(|e| Choice { code: e.id.to_string(), selected: picked(e.id), label: e.name })
            .collect(),
        other_targets: text(|c| &c.other_targets),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "special_reports.html")]
struct ReportsPage {
    chrome: Chrome,
    x: &'static DutiesText,
    reports: Vec<ReportLine>,
    can_file: bool,
    /// The bureau names the unit it files for.
    units: Vec<Choice>,
    f: ReportFields,
    flash: Option<String>,
}

async fn list_page(state: &AppState, session: &WebSession, flash: Flash) -> Result<ReportsPage, PageError> {
    let lang = session.lang;
    let reads = state.app.reads(&session.actor);
    let reports = reads.special_reports(&SpecialReportFilter::default()).await?;
    let units = reads.units().await?;
    let name = |id: i64| units.iter().find(|u| u.id == id).map_or_else(|| format!("#{id}"), |u| u.name.clone());
    let lines = reports
        .into_iter()
        .map(|r| ReportLine {
            id: r.id,
            unit: name(r.unit_id),
            category: r.content.category.label(lang),
            severity: r.content.severity.label(lang),
            status: r.status.label(lang),
            created_at: format_local(r.created_at, state.tz),
            title: r.content.title,
        })
        .collect();
    let bureau = session.actor.scope() == crate::domain::access::Scope::All;
    Ok(ReportsPage {
        chrome: Chrome::new(state, session, "/special-reports", "special-reports"),
        x: duties(lang),
        reports: lines,
        can_file: state.app.may(&session.caller(), Need::Report).is_ok(),
        units: if bureau {
            units.iter().map(|u| Choice { code: u.id.to_string(), label: u.name.clone(), selected: false }).collect()
        } else {
            Vec::new()
        },
        f: fields(state, session, None).await?,
        flash: flash.map(|(_, f)| f),
    })
}

async fn list(State(state): State<AppState>, signed: SignedIn) -> Result<ReportsPage, PageError> {
    list_page(&state, &signed.session, None).await
}

#[derive(Deserialize, Default)]
struct ReportForm {
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    event_time: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    cause: String,
    #[serde(default)]
    impact: String,
    #[serde(default)]
    countermeasures: String,
    #[serde(default)]
    analysis: String,
    #[serde(default)]
    enterprise_ids: Vec<String>,
    #[serde(default)]
    other_targets: String,
}

fn unknown(field: &str) -> DomainError {
    DomainError::Invalid(vec![FieldError::new(field, "unknown", "choose one of the options", "请从列表中选择")])
}

fn draft(f: &ReportForm, tz: Tz) -> Result<SpecialReportDraft, DomainError> {
    let category = Category::from_code(f.category.trim()).ok_or_else(|| unknown("category"))?;
    let severity = Severity::from_code(f.severity.trim()).ok_or_else(|| unknown("severity"))?;
    let event_time = match blank_none(&f.event_time) {
        None => None,
        Some(raw) => Some(local_time("event_time", raw, tz).map_err(|e| DomainError::Invalid(vec![e]))?),
    };
    SpecialReportDraft::parse(&SpecialReportInput {
        title: f.title.clone(),
        category,
        severity,
        event_time,
        description: f.description.clone(),
        cause: f.cause.clone(),
        impact: f.impact.clone(),
        countermeasures: f.countermeasures.clone(),
        analysis: f.analysis.clone(),
        enterprise_ids: f.enterprise_ids.iter().filter_map(|e| e.trim().parse().ok()).collect(),
        other_targets: f.other_targets.clone(),
    })
}

async fn create(State(state): State<AppState>, posted: Posted<ReportForm>) -> Result<Response, PageError> {
    let session = &posted.session;
    let unit_id = blank_none(&posted.form.unit_id).and_then(|u| u.parse().ok());
    let saved = match draft(&posted.form, state.tz) {
        Ok(d) => state.app.file_special_report(&session.caller(), unit_id, d).await,
        Err(e) => Err(e.into()),
    };
    match saved {
        Ok(r) => Ok(Redirect::to(&format!("/special-reports/{}", r.id)).into_response()),
        Err(e) => {
            let why = refusal(e, session.lang)?;
            Ok(list_page(&state, session, Some((true, why))).await?.into_response())
        }
    }
}

/// One step of a reviewed report's timeline, as its page shows it.
pub struct StepLine {
    pub at: String,
    pub step: &'static str,
    pub actor: String,
    pub comment: String,
}

impl StepLine {
    pub fn new(e: ReviewEvent, lang: Lang, tz: Tz) -> Self {
        Self {
            at: format_local(e.at, tz),
            step: e.step.label(lang),
            actor: e.actor,
            comment: e.comment.unwrap_or_default(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "special_report.html")]
struct ReportPage {
    chrome: Chrome,
    x: &'static DutiesText,
    id: i64,
    line: ReportLine,
    event_time: String,
    objects: String,
    report: SpecialReportDraft,
    review_comment: Option<String>,
    notice_id: Option<i64>,
    steps: Vec<StepLine>,
    editable: bool,
    reviewable: bool,
    noticeable: bool,
    f: ReportFields,
    units: Vec<Choice>,
    /// Screenshots, logs, captures and samples.
    files: FileList,
    flash: Option<(bool, String)>,
}

async fn report_page(state: &AppState, session: &WebSession, id: i64, flash: Flash) -> Result<ReportPage, PageError> {
    let lang = session.lang;
    let reads = state.app.reads(&session.actor);
    let r = reads.special_report(id).await?;
    let steps = reads.special_report_events(id).await?;
    let units = reads.units().await?;
    let names = reads.enterprise_names(&r.content.enterprise_ids).await?;
    let mut objects: Vec<String> = r.content.enterprise_ids.iter().filter_map(|e| names.get(e).cloned()).collect();
    if !r.content.other_targets.is_empty() {
        objects.push(r.content.other_targets.clone());
    }
    let caller = session.caller();
    let (may_report, may_direct) =
        (state.app.may(&caller, Need::Report).is_ok(), state.app.may(&caller, Need::Direct).is_ok());
    Ok(ReportPage {
        chrome: Chrome::new(state, session, &format!("/special-reports/{id}"), "special-reports"),
        x: duties(lang),
        id,
        line: ReportLine {
            id,
            title: r.content.title.clone(),
            unit: units
                .iter()
                .find(|u| u.id == r.unit_id)
                .map_or_else(|| format!("#{}", r.unit_id), |u| u.name.clone()),
            category: r.content.category.label(lang),
            severity: r.content.severity.label(lang),
            status: r.status.label(lang),
            created_at: format_local(r.created_at, state.tz),
        },
        event_time: r.content.event_time.map(|t| format_local(t, state.tz)).unwrap_or_default(),
        objects: objects.join("；"),
        review_comment: r.review_comment.clone(),
        notice_id: r.notice_id,
        steps: steps.into_iter().map(|s| StepLine::new(s, lang, state.tz)).collect(),
        editable: may_report && r.status.editable(),
        reviewable: may_direct && r.status == crate::domain::review::ReviewStatus::Submitted,
        noticeable: may_direct && crate::domain::special_report::check_noticeable(r.status, r.notice_id).is_ok(),
        f: fields(state, session, Some(&r)).await?,
        units: units
            .iter()
            .map(|u| Choice { code: u.id.to_string(), label: u.name.clone(), selected: u.id == r.unit_id })
            .collect(),
        report: r.content,
        files: FileList::new(
            state,
            lang,
            &state.app.attachments(&caller, Subject::special_report(id)).await?,
            &session.csrf_token,
        )
        .with_upload(may_report && r.status.editable(), format!("/special-reports/{id}/files")),
        flash,
    })
}

async fn show(State(state): State<AppState>, signed: SignedIn, Path(id): Path<i64>) -> Result<ReportPage, PageError> {
    report_page(&state, &signed.session, id, None).await
}

/// After a form on a report's page: the page, with "recorded" or why not.
async fn after(
    state: &AppState,
    session: &WebSession,
    id: i64,
    result: Result<(), AppError>,
) -> Result<ReportPage, PageError> {
    let flash = outcome_flash(result, session.lang)?;
    report_page(state, session, id, Some(flash)).await
}

async fn save(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ReportForm>,
) -> Result<ReportPage, PageError> {
    let session = &posted.session;
    let result = match draft(&posted.form, state.tz) {
        Ok(d) => state.app.edit_special_report(&session.caller(), id, d).await.map(drop),
        Err(e) => Err(e.into()),
    };
    after(&state, session, id, result).await
}

#[derive(Deserialize, Default)]
struct ReviewForm {
    #[serde(default)]
    comment: String,
}

async fn step(
    state: &AppState,
    posted: Posted<ReviewForm>,
    id: i64,
    action: ReviewAction,
) -> Result<ReportPage, PageError> {
    let session = &posted.session;
    let comment = blank_none(&posted.form.comment);
    let result = state.app.special_report_step(&session.caller(), id, action, comment).await.map(drop);
    after(state, session, id, result).await
}

async fn submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ReviewForm>,
) -> Result<ReportPage, PageError> {
    step(&state, posted, id, ReviewAction::Submit).await
}

async fn accept(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ReviewForm>,
) -> Result<ReportPage, PageError> {
    step(&state, posted, id, ReviewAction::Accept).await
}

async fn return_report(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ReviewForm>,
) -> Result<ReportPage, PageError> {
    step(&state, posted, id, ReviewAction::Return).await
}

#[derive(Deserialize, Default)]
struct NoticeForm {
    #[serde(default)]
    unit_ids: Vec<String>,
    #[serde(default)]
    site_address: String,
    #[serde(default)]
    target_name: String,
}

async fn issue_notice(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<NoticeForm>,
) -> Result<Response, PageError> {
    let session = &posted.session;
    let f = &posted.form;
    let order = NoticeOrder {
        unit_ids: f.unit_ids.iter().filter_map(|u| u.trim().parse().ok()).collect(),
        branch_ids: Vec::new(),
        site_address: f.site_address.clone(),
        site_lat: None,
        site_lon: None,
        requires_onsite: true,
        target_name: f.target_name.clone(),
    };
    match state.app.notice_from_special_report(&session.caller(), id, &order).await {
        Ok(record) => Ok(Redirect::to(&format!("/notices/{}", record.notice.id)).into_response()),
        Err(e) => {
            let why = refusal(e, session.lang)?;
            Ok(report_page(&state, session, id, Some((true, why))).await?.into_response())
        }
    }
}
