//! The closure report on the web: read as the bureau files it (print-ready),
//! edited by the unit while a draft or returned, submitted, and accepted or
//! returned by the bureau. Errors stay beside their fields.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::Chrome;
use super::error::{PageError, export_failed, refusal};
use super::files::FileList;
use crate::AppState;
use crate::domain::DomainError;
use crate::domain::FieldError;
use crate::domain::assignment::Milestone;
use crate::domain::closure::{ClosureDraft, ClosureInput};
use crate::domain::duration::format_duration;
use crate::domain::labels::Lang;
use crate::domain::review::{ReviewAction, ReviewStatus};
use crate::reports::closure::{ClosureReportView, docx, exhibits};
use crate::store::sessions::WebSession;
use crate::web::api::closure::view;
use crate::web::session::{Posted, SignedIn};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assignments/{id}/closure-report", get(show).post(save))
        .route("/assignments/{id}/closure-report.docx", get(download))
        .route("/assignments/{id}/closure-report/submit", post(submit))
        .route("/assignments/{id}/closure-report/accept", post(accept))
        .route("/assignments/{id}/closure-report/return", post(return_report))
}

/// The report as read.
pub struct Shown {
    pub status: &'static str,
    pub comment: Option<String>,
    pub event_time: String,
    pub description: String,
    pub cause: String,
    pub impact: String,
    pub analysis: String,
    pub five_tuples: Vec<String>,
    pub propagation_path: String,
    pub c2: Vec<String>,
    pub disposal: String,
    pub countermeasures: String,
    pub response: Vec<(&'static str, String)>,
    pub verdict: String,
}

pub struct FormField {
    pub name: &'static str,
    pub label: &'static str,
    pub long: bool,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "closure.html")]
struct ClosurePage {
    chrome: Chrome,
    assignment_id: i64,
    title: String,
    unit: String,
    has_report: bool,
    report: Option<Shown>,
    can_edit: bool,
    can_submit: bool,
    can_review: bool,
    fields: Vec<FormField>,
    /// The assignment's files: on-site photos and the report's own.
    files: FileList,
    flash: Option<String>,
    flash_error: bool,
}

/// The form as typed.
#[derive(Debug, Default, Deserialize, Clone)]
struct ClosureForm {
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
    five_tuples: String,
    #[serde(default)]
    propagation_path: String,
    #[serde(default)]
    c2_addresses: String,
    #[serde(default)]
    disposal_recommendations: String,
}

fn when(t: Option<chrono::DateTime<chrono::FixedOffset>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "—".to_owned())
}

fn shown(v: &ClosureReportView, lang: Lang) -> Shown {
    let t = super::text::ui(lang);
    let r = &v.response;
    Shown {
        status: v.status.label(lang),
        comment: v.review_comment.clone(),
        event_time: when(v.event_time),
        description: v.description.clone(),
        cause: v.cause.clone(),
        impact: v.impact.clone(),
        analysis: v.analysis.clone(),
        five_tuples: v
            .five_tuples
            .iter()
            .map(|f| {
                let port = |p: Option<u16>| p.map_or("-".to_owned(), |p| p.to_string());
                format!(
                    "{} {} → {} {} {}",
                    f.src_ip,
                    port(f.src_port),
                    f.dst_ip,
                    port(f.dst_port),
                    f.protocol.label(lang)
                )
            })
            .collect(),
        propagation_path: v.propagation_path.clone(),
        c2: v.c2_addresses.iter().map(|c| c.defanged.clone()).collect(),
        disposal: v.disposal_recommendations.clone(),
        countermeasures: v.countermeasures.clone(),
        response: vec![
            (t.notified_at, when(Some(r.notified_at))),
            (Milestone::Acknowledged.label(lang), when(r.acknowledged_at)),
            (Milestone::PlanActivated.label(lang), when(r.plan_activated_at)),
            (Milestone::OnSite.label(lang), when(r.on_site_at)),
            (Milestone::HqRemote.label(lang), when(r.hq_remote_at)),
            (Milestone::Resolved.label(lang), when(r.resolved_at)),
            (t.deadline_at, when(Some(r.deadline_at))),
        ],
        verdict: if r.kept {
            t.c_kept.to_owned()
        } else {
            format!("{}（{} {}）", t.c_not_kept, r.sla_state.label(lang), format_duration(r.lateness_seconds, lang))
        },
    }
}

/// The form's values from a stored report, lines for the lists.
fn form_of(v: &ClosureReportView) -> ClosureForm {
    ClosureForm {
        event_time: v.event_time.map(|t| t.format("%Y-%m-%dT%H:%M").to_string()).unwrap_or_default(),
        description: v.description.clone(),
        cause: v.cause.clone(),
        impact: v.impact.clone(),
        countermeasures: v.countermeasures.clone(),
        analysis: v.analysis.clone(),
        five_tuples: v
            .five_tuples
            .iter()
            .map(|f| {
                let port = |p: Option<u16>| p.map_or("-".to_owned(), |p| p.to_string());
                format!("{} {} {} {} {}", f.src_ip, port(f.src_port), f.dst_ip, port(f.dst_port), f.protocol.code())
            })
            .collect::<Vec<_>>()
            .join("\n"),
        propagation_path: v.propagation_path.clone(),
        c2_addresses: v.c2_addresses.iter().map(|c| c.value.clone()).collect::<Vec<_>>().join("\n"),
        disposal_recommendations: v.disposal_recommendations.clone(),
    }
}

fn fields(form: &ClosureForm, errors: &HashMap<String, String>, lang: Lang) -> Vec<FormField> {
    let t = super::text::ui(lang);
    let f = |name: &'static str, label: &'static str, long: bool, value: &str| FormField {
        name,
        label,
        long,
        value: value.to_owned(),
        error: errors.get(name).cloned(),
    };
    vec![
        f("event_time", t.c_event_time, false, &form.event_time),
        f("description", t.c_description, true, &form.description),
        f("cause", t.c_cause, true, &form.cause),
        f("impact", t.c_impact, true, &form.impact),
        f("analysis", t.c_analysis, true, &form.analysis),
        f("five_tuples", t.c_five_tuples, true, &form.five_tuples),
        f("propagation_path", t.c_propagation, true, &form.propagation_path),
        f("c2_addresses", t.c_c2, true, &form.c2_addresses),
        f("disposal_recommendations", t.c_disposal, true, &form.disposal_recommendations),
        f("countermeasures", t.c_countermeasures, true, &form.countermeasures),
    ]
}

/// Reads the typed form into the domain's input, or field errors by form field.
fn input_of(form: &ClosureForm, state: &AppState) -> Result<ClosureInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let event_time = match form.event_time.trim() {
        "" => None,
        raw => {
            let t = super::form::local_datetime(raw, state.tz);
            if t.is_none() {
                errors.push(FieldError::new("event_time", "invalid", "not a date and time", "不是有效的日期时间"));
            }
            t
        }
    };
    let five_tuples = match super::form::five_tuple_lines(&form.five_tuples) {
        Ok(t) => t,
        Err(mut bad) => {
            errors.append(&mut bad);
            Vec::new()
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ClosureInput {
        event_time,
        description: form.description.clone(),
        cause: form.cause.clone(),
        impact: form.impact.clone(),
        countermeasures: form.countermeasures.clone(),
        analysis: form.analysis.clone(),
        five_tuples,
        propagation_path: form.propagation_path.clone(),
        c2_addresses: form.c2_addresses.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
        disposal_recommendations: form.disposal_recommendations.clone(),
    })
}

/// Field errors keyed by form field, each saying which line when it is a list.
fn by_field(errors: Vec<FieldError>, lang: Lang) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    for e in errors {
        let (field, line) = match e.field.split_once('[') {
            Some((f, rest)) => (f.to_owned(), rest.split(']').next().and_then(|n| n.parse::<usize>().ok())),
            None => (e.field.clone(), None),
        };
        let text = e.text(lang).to_owned();
        let text = match line {
            Some(n) if lang == Lang::Zh => format!("第 {} 行：{text}", n + 1),
            Some(n) => format!("line {}: {text}", n + 1),
            None => text,
        };
        out.entry(field).and_modify(|m| m.push_str(&format!("；{text}"))).or_insert(text);
    }
    out
}

async fn page(
    state: &AppState,
    session: &WebSession,
    id: i64,
    typed: Option<ClosureForm>,
    errors: HashMap<String, String>,
    flash: Option<(bool, String)>,
) -> Result<Response, PageError> {
    let lang = session.lang;
    let actor = &session.actor;
    let reads = state.app.reads(actor);
    let a = reads.assignment(id).await?;
    let title = reads.notice(a.notice_id).await?.notice.title;
    let unit = reads.unit_names(&[a.unit_id]).await?.remove(&a.unit_id).unwrap_or_default();
    let current = match view(state, actor, id).await {
        Ok(v) => Some(v),
        Err(crate::store::StoreError::NotFound { .. }) => None,
        Err(e) => return Err(PageError::from(e)),
    };
    let status = current.as_ref().map(|v| v.status);
    let can_write = actor.can_report_for(a.unit_id);
    let form = typed.unwrap_or_else(|| current.as_ref().map(form_of).unwrap_or_default());
    let failed = !errors.is_empty();
    let page = ClosurePage {
        chrome: Chrome::new(state, session, &format!("/assignments/{id}/closure-report"), "notices"),
        assignment_id: id,
        title,
        unit,
        has_report: current.is_some(),
        report: current.as_ref().map(|v| shown(v, lang)),
        can_edit: can_write && status.is_none_or(ReviewStatus::editable),
        can_submit: can_write && status.is_some_and(ReviewStatus::editable),
        can_review: actor.can_direct() && status == Some(ReviewStatus::Submitted),
        fields: fields(&form, &errors, lang),
        files: FileList::new(
            state,
            lang,
            &state.app.assignment_files(&session.caller(), id).await?,
            &session.csrf_token,
        )
        .with_upload(can_write, format!("/assignments/{id}/closure-report/files")),
        flash: flash.as_ref().map(|(_, f)| f.clone()),
        flash_error: flash.is_some_and(|(err, _)| err),
    };
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, page).into_response() } else { page.into_response() })
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Query(d): Query<Done>,
) -> Result<Response, PageError> {
    let flash = d.done.map(|_| (false, super::text::ui(signed.session.lang).done.to_owned()));
    page(&state, &signed.session, id, None, HashMap::new(), flash).await
}

async fn save(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ClosureForm>,
) -> Result<Response, PageError> {
    let session = &posted.session;
    let lang = session.lang;
    let parsed = input_of(&posted.form, &state).and_then(|input| {
        ClosureDraft::parse(&input).map_err(|e| match e {
            DomainError::Invalid(fields) => fields,
            other => vec![FieldError::new("description", "invalid", other.to_string(), other.to_string())],
        })
    });
    let draft = match parsed {
        Ok(d) => d,
        Err(errors) => return page(&state, session, id, Some(posted.form), by_field(errors, lang), None).await,
    };
    let caller = session.caller();
    match state.app.save_closure_report(&caller, id, draft).await {
        Ok(_) => Ok(Redirect::to(&format!("/assignments/{id}/closure-report?done=1")).into_response()),
        Err(e) => {
            let why = refusal(e, lang)?;
            page(&state, session, id, Some(posted.form), HashMap::new(), Some((true, why))).await
        }
    }
}

#[derive(Deserialize, Default)]
struct Review {
    #[serde(default)]
    comment: String,
}

async fn step(state: &AppState, posted: Posted<Review>, id: i64, action: ReviewAction) -> Result<Response, PageError> {
    let session = &posted.session;
    let lang = session.lang;
    let comment = Some(posted.form.comment.as_str()).filter(|c| !c.trim().is_empty());
    let caller = session.caller();
    match state.app.closure_step(&caller, id, action, comment).await {
        Ok(_) => Ok(Redirect::to(&format!("/assignments/{id}/closure-report?done=1")).into_response()),
        Err(e) => {
            let why = refusal(e, lang)?;
            page(state, session, id, None, HashMap::new(), Some((true, why))).await
        }
    }
}

async fn submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<Review>,
) -> Result<Response, PageError> {
    step(&state, posted, id, ReviewAction::Submit).await
}

async fn accept(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<Review>,
) -> Result<Response, PageError> {
    step(&state, posted, id, ReviewAction::Accept).await
}

async fn return_report(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<Review>,
) -> Result<Response, PageError> {
    step(&state, posted, id, ReviewAction::Return).await
}

async fn download(State(state): State<AppState>, signed: SignedIn, Path(id): Path<i64>) -> Result<Response, PageError> {
    let v = view(&state, &signed.session.actor, id).await?;
    let files = state.app.assignment_exhibits(&signed.session.caller(), id).await?;
    let body = docx(&v, &exhibits(files, state.tz)).map_err(|e| export_failed("docx", e))?;
    Ok(crate::web::attachment(crate::web::DOCX, &format!("closure-report-{id}.docx"), body))
}
