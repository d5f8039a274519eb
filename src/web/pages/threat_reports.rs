//! Threat reports on the web: the list with the form to start one and the
//! month's export for CAICT, and a report's page, where its unit adds and
//! removes findings and submits it, and the bureau accepts or returns it.
//! Every form returns to the page with "recorded" or why not.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::Chrome;
use super::error::{PageError, export_failed, outcome_flash, refusal};
use super::files::FileList;
use super::form::{blank_none, five_tuple_lines, lines, local_time};
use super::notice_form::Choice;
use super::protection::Flash;
use super::special_reports::{StepLine, choices};
use super::text::{DutiesText, ThreatText, duties, threats};
use crate::AppState;
use crate::app::AppError;
use crate::domain::access::{Need, Scope};
use crate::domain::attachment::Subject;
use crate::domain::duration::format_local;
use crate::domain::review::{ReviewAction, ReviewStatus};
use crate::domain::threat::{ThreatFindingDraft, ThreatFindingInput, ThreatKind, ThreatReportDraft, ThreatReportInput};
use crate::domain::{DomainError, FieldError};
use crate::reports::stix;
use crate::reports::threats::{
    FindingView, MonthFilter, caict_csv, caict_workbook, finding_views, listed, stix_bundle,
};
use crate::store::sessions::WebSession;
use crate::store::threat_reports::ThreatReportFilter;
use crate::web::session::{Posted, SignedIn};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/threat-reports", get(list).post(create))
        .route("/threat-reports/{id}", get(show))
        .route("/threat-reports/{id}/findings", post(add_finding))
        .route("/threat-reports/{id}/findings/{finding_id}/remove", post(remove_finding))
        .route("/threat-reports/{id}/submit", post(submit))
        .route("/threat-reports/{id}/accept", post(accept))
        .route("/threat-reports/{id}/return", post(return_report))
        .route("/threat-findings.xlsx", get(export_xlsx))
        .route("/threat-findings.csv", get(export_csv))
        .route("/threat-findings.stix.json", get(export_stix))
}

pub struct ReportLine {
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub status: &'static str,
    pub findings: usize,
    pub created_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "threat_reports.html")]
struct ReportsPage {
    chrome: Chrome,
    x: &'static DutiesText,
    y: &'static ThreatText,
    reports: Vec<ReportLine>,
    can_file: bool,
    /// The bureau names the unit it files for.
    units: Vec<Choice>,
    month: String,
    flash: Option<String>,
}

async fn list_page(state: &AppState, session: &WebSession, flash: Flash) -> Result<ReportsPage, PageError> {
    let lang = session.lang;
    let reads = state.app.reads(&session.actor);
    let reports = reads.threat_reports(&ThreatReportFilter::default()).await?;
    let units = reads.units().await?;
    let name = |id: i64| units.iter().find(|u| u.id == id).map_or_else(|| format!("#{id}"), |u| u.name.clone());
    let lines = reports
        .into_iter()
        .map(|r| ReportLine {
            id: r.id,
            unit: name(r.unit_id),
            status: r.status.label(lang),
            findings: r.findings.len(),
            created_at: format_local(r.created_at, state.tz),
            title: r.title,
        })
        .collect();
    let bureau = session.actor.scope() == Scope::All;
    Ok(ReportsPage {
        chrome: Chrome::new(state, session, "/threat-reports", "threat-reports"),
        x: duties(lang),
        y: threats(lang),
        reports: lines,
        can_file: state.app.may(&session.caller(), Need::Report).is_ok(),
        units: if bureau {
            units.iter().map(|u| Choice { code: u.id.to_string(), label: u.name.clone(), selected: false }).collect()
        } else {
            Vec::new()
        },
        month: crate::reports::this_month(state),
        flash: flash.map(|(_, f)| f),
    })
}

async fn list(State(state): State<AppState>, signed: SignedIn) -> Result<ReportsPage, PageError> {
    list_page(&state, &signed.session, None).await
}

#[derive(Deserialize, Default)]
struct NewForm {
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    title: String,
}

async fn create(State(state): State<AppState>, posted: Posted<NewForm>) -> Result<Response, PageError> {
    let session = &posted.session;
    let unit_id = blank_none(&posted.form.unit_id).and_then(|u| u.parse().ok());
    let input = ThreatReportInput { title: posted.form.title.clone(), findings: Vec::new() };
    let saved = match ThreatReportDraft::parse(&input) {
        Ok(d) => state.app.file_threat_report(&session.caller(), unit_id, d).await,
        Err(e) => Err(e.into()),
    };
    match saved {
        Ok(r) => Ok(Redirect::to(&format!("/threat-reports/{}", r.id)).into_response()),
        Err(e) => {
            let why = refusal(e, session.lang)?;
            Ok(list_page(&state, session, Some((true, why))).await?.into_response())
        }
    }
}

/// The finding form as typed: given back with the error when refused.
#[derive(Deserialize, Default, Clone)]
struct FindingForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    found_at: String,
    #[serde(default)]
    enterprise_id: String,
    #[serde(default)]
    other_target: String,
    #[serde(default)]
    five_tuples: String,
    #[serde(default)]
    propagation_path: String,
    #[serde(default)]
    c2_addresses: String,
    #[serde(default)]
    hashes: String,
    #[serde(default)]
    disposal_advice: String,
    #[serde(default)]
    description: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "threat_report.html")]
struct ReportPage {
    chrome: Chrome,
    x: &'static DutiesText,
    y: &'static ThreatText,
    line: ReportLine,
    review_comment: Option<String>,
    findings: Vec<FindingView>,
    kinds: Vec<Choice>,
    enterprises: Vec<Choice>,
    typed: FindingForm,
    steps: Vec<StepLine>,
    editable: bool,
    reviewable: bool,
    /// Screenshots, logs, captures and samples.
    files: FileList,
    flash: Option<(bool, String)>,
}

impl ReportPage {
    fn kind_label(&self, f: &FindingView) -> &'static str {
        f.kind.label(self.chrome.lang)
    }
}

async fn report_page(
    state: &AppState,
    session: &WebSession,
    id: i64,
    flash: Flash,
    typed: FindingForm,
) -> Result<ReportPage, PageError> {
    let lang = session.lang;
    let reads = state.app.reads(&session.actor);
    let r = reads.threat_report(id).await?;
    let steps = reads.threat_report_events(id).await?;
    let units = reads.unit_names(&[r.unit_id]).await?;
    let caller = session.caller();
    let (may_report, may_direct) =
        (state.app.may(&caller, Need::Report).is_ok(), state.app.may(&caller, Need::Direct).is_ok());
    let editable = may_report && r.status.editable();
    // The registry is offered only to whoever may add a finding.
    let registry = if editable { reads.enterprises(None).await? } else { Vec::new() };
    let line = ReportLine {
        id,
        title: r.title.clone(),
        unit: units.get(&r.unit_id).cloned().unwrap_or_default(),
        status: r.status.label(lang),
        findings: r.findings.len(),
        created_at: format_local(r.created_at, state.tz),
    };
    let kind = ThreatKind::from_code(&typed.kind);
    let picked: Option<i64> = typed.enterprise_id.parse().ok();
    Ok(ReportPage {
        chrome: Chrome::new(state, session, &format!("/threat-reports/{id}"), "threat-reports"),
        x: duties(lang),
        y: threats(lang),
        line,
        review_comment: r.review_comment.clone(),
        editable,
        reviewable: may_direct && r.status == ReviewStatus::Submitted,
        findings: finding_views(state, &reads, r.findings, |_| None).await?,
        kinds: choices(ThreatKind::ALL, kind, ThreatKind::code, |k| k.label(lang)),
        enterprises: registry
            .into_iter()
            .map(|e| Choice { code: e.id.to_string(), selected: Some(e.id) == picked, label: e.name })
            .collect(),
        typed,
        steps: steps.into_iter().map(|s| StepLine::new(s, lang, state.tz)).collect(),
        files: FileList::new(
            state,
            lang,
            &state.app.attachments(&caller, Subject::threat_report(id)).await?,
            &session.csrf_token,
        )
        .with_upload(editable, format!("/threat-reports/{id}/files")),
        flash,
    })
}

async fn show(State(state): State<AppState>, signed: SignedIn, Path(id): Path<i64>) -> Result<ReportPage, PageError> {
    report_page(&state, &signed.session, id, None, FindingForm::default()).await
}

/// After a form on a report's page: the page, with "recorded" or why not.
async fn after(
    state: &AppState,
    session: &WebSession,
    id: i64,
    result: Result<(), AppError>,
    typed: FindingForm,
) -> Result<ReportPage, PageError> {
    let refused = result.is_err();
    let flash = outcome_flash(result, session.lang)?;
    report_page(state, session, id, Some(flash), if refused { typed } else { FindingForm::default() }).await
}

/// The typed finding as the domain checks it, every field's error at once.
fn finding(f: &FindingForm, state: &AppState) -> Result<ThreatFindingDraft, DomainError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let kind = ThreatKind::from_code(f.kind.trim());
    if kind.is_none() {
        errors.push(FieldError::new("kind", "unknown", "choose one of the options", "请从列表中选择"));
    }
    let found_at = match local_time("found_at", f.found_at.trim(), state.tz) {
        Ok(t) => Some(t),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let five_tuples = five_tuple_lines(&f.five_tuples).unwrap_or_else(|mut bad| {
        errors.append(&mut bad);
        Vec::new()
    });
    let (Some(kind), Some(found_at), true) = (kind, found_at, errors.is_empty()) else {
        return Err(DomainError::Invalid(errors));
    };
    let input = ThreatFindingInput {
        kind,
        name: f.name.clone(),
        found_at,
        description: f.description.clone(),
        enterprise_id: blank_none(&f.enterprise_id).and_then(|e| e.parse().ok()),
        other_target: f.other_target.clone(),
        five_tuples,
        propagation_path: f.propagation_path.clone(),
        c2_addresses: lines(&f.c2_addresses),
        hashes: lines(&f.hashes),
        disposal_advice: f.disposal_advice.clone(),
    };
    ThreatFindingDraft::parse("", &input).map_err(DomainError::Invalid)
}

async fn add_finding(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<FindingForm>,
) -> Result<ReportPage, PageError> {
    let session = &posted.session;
    let result = match finding(&posted.form, &state) {
        Ok(f) => state.app.add_threat_finding(&session.caller(), id, f).await,
        Err(e) => Err(e.into()),
    };
    after(&state, session, id, result, posted.form.clone()).await
}

#[derive(Deserialize, Default)]
struct Nothing {}

async fn remove_finding(
    State(state): State<AppState>,
    Path((id, finding_id)): Path<(i64, i64)>,
    posted: Posted<Nothing>,
) -> Result<ReportPage, PageError> {
    let session = &posted.session;
    let result = state.app.remove_threat_finding(&session.caller(), id, finding_id).await;
    after(&state, session, id, result, FindingForm::default()).await
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
    let result = state.app.threat_report_step(&session.caller(), id, action, comment).await;
    after(state, session, id, result, FindingForm::default()).await
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

async fn export_xlsx(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(q): Query<MonthFilter>,
) -> Result<Response, PageError> {
    let (name, views) = listed(&state, &signed.session.actor, &q).await?;
    let body = caict_workbook(&views).map_err(|e| export_failed("xlsx", e))?;
    Ok(crate::web::attachment(crate::web::XLSX, &format!("threat-findings-{name}.xlsx"), body))
}

async fn export_csv(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(q): Query<MonthFilter>,
) -> Result<Response, PageError> {
    let (name, views) = listed(&state, &signed.session.actor, &q).await?;
    let body = caict_csv(&views).map_err(|e| export_failed("csv", e))?;
    Ok(crate::web::attachment(crate::web::CSV, &format!("threat-findings-{name}.csv"), body))
}

async fn export_stix(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(q): Query<MonthFilter>,
) -> Result<Response, PageError> {
    let (name, bundle) = stix_bundle(&state, &signed.session.actor, &q).await?;
    let body = serde_json::to_vec_pretty(&bundle).map_err(|e| export_failed("stix", e))?;
    Ok(crate::web::attachment(stix::MEDIA_TYPE, &format!("threat-findings-{name}.stix.json"), body))
}
