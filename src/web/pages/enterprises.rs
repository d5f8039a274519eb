//! The registry of detection objects on the web: the list (and, for the
//! bureau, the form to register one), and an enterprise's page with its
//! history as far as the reader may see it.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::Chrome;
use super::error::{PageError, outcome_flash, refusal};
use super::form::blank_none;
use super::notice_form::Choice;
use super::protection::Flash;
use super::text::{DutiesText, duties, threats};
use crate::AppState;
use crate::app::AppError;
use crate::domain::DomainError;
use crate::domain::access::Need;
use crate::domain::duration::format_local;
use crate::domain::enterprise::{Business, Enterprise, EnterpriseDraft, EnterpriseInput};
use crate::domain::geo::Coordinates;
use crate::domain::labels::Lang;
use crate::domain::notice::TargetKind;
use crate::store::notices::NoticeFilter;
use crate::store::sessions::WebSession;
use crate::store::special_reports::SpecialReportFilter;
use crate::store::threat_findings::FindingFilter;
use crate::web::session::{Posted, SignedIn};

pub fn router() -> Router<AppState> {
    Router::new().route("/enterprises", get(list).post(create)).route("/enterprises/{id}", get(show).post(save))
}

/// An enterprise as a line of the registry.
pub struct EnterpriseLine {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub businesses: String,
    pub credit_code: String,
    pub address: String,
}

fn line(e: Enterprise, lang: Lang) -> EnterpriseLine {
    EnterpriseLine {
        id: e.id,
        kind: e.kind.label(lang),
        businesses: e.businesses.iter().map(|b| b.label(lang)).collect::<Vec<_>>().join("、"),
        credit_code: e.credit_code.unwrap_or_default(),
        address: e.address.unwrap_or_default(),
        name: e.name,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "enterprises.html")]
struct EnterprisesPage {
    chrome: Chrome,
    x: &'static DutiesText,
    enterprises: Vec<EnterpriseLine>,
    f: EnterpriseFields,
    can_register: bool,
    flash: Option<String>,
}

/// The registry form's values: blank to register one, the record's to edit
/// it, or what was typed when refused.
pub struct EnterpriseFields {
    pub name: String,
    pub credit_code: String,
    pub address: String,
    pub lat: String,
    pub lon: String,
    pub kinds: Vec<Choice>,
    pub businesses: Vec<Choice>,
}

impl EnterpriseFields {
    fn new(f: &EnterpriseForm, lang: Lang) -> Self {
        let choice =
            |code: &str, label: &str, selected: bool| Choice { code: code.into(), label: label.into(), selected };
        Self {
            name: f.name.clone(),
            credit_code: f.credit_code.clone(),
            address: f.address.clone(),
            lat: f.lat.clone(),
            lon: f.lon.clone(),
            kinds: TargetKind::ALL.iter().map(|k| choice(k.code(), k.label(lang), f.kind == k.code())).collect(),
            businesses: Business::ALL
                .iter()
                .map(|b| choice(b.code(), b.label(lang), f.businesses.iter().any(|c| c == b.code())))
                .collect(),
        }
    }
}

async fn list_page(
    state: &AppState,
    session: &WebSession,
    typed: &EnterpriseForm,
    flash: Flash,
) -> Result<EnterprisesPage, PageError> {
    let lang = session.lang;
    let all = state.app.reads(&session.actor).enterprises(None).await?;
    Ok(EnterprisesPage {
        chrome: Chrome::new(state, session, "/enterprises", "enterprises"),
        x: duties(lang),
        enterprises: all.into_iter().map(|e| line(e, lang)).collect(),
        f: EnterpriseFields::new(typed, lang),
        can_register: session.actor.can_manage_registry(),
        flash: flash.map(|(_, f)| f),
    })
}

async fn list(State(state): State<AppState>, signed: SignedIn) -> Result<EnterprisesPage, PageError> {
    list_page(&state, &signed.session, &EnterpriseForm::default(), None).await
}

#[derive(Deserialize, Default)]
struct EnterpriseForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    businesses: Vec<String>,
    #[serde(default)]
    address: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
}

impl EnterpriseForm {
    /// The record as the form shows it, to edit.
    fn of(e: &Enterprise) -> Self {
        let number = |v: fn(&Coordinates) -> f64| e.location.as_ref().map(|c| v(c).to_string()).unwrap_or_default();
        Self {
            name: e.name.clone(),
            credit_code: e.credit_code.clone().unwrap_or_default(),
            kind: e.kind.code().to_owned(),
            businesses: e.businesses.iter().map(|b| b.code().to_owned()).collect(),
            address: e.address.clone().unwrap_or_default(),
            lat: number(|c| c.lat),
            lon: number(|c| c.lon),
        }
    }
}

fn enterprise_input(f: &EnterpriseForm) -> Result<EnterpriseInput, DomainError> {
    let kind = TargetKind::from_code(f.kind.trim())
        .ok_or_else(|| DomainError::field("kind", "required", "choose the kind", "请选择类型"))?;
    let number = |field: &str, raw: &str| match blank_none(raw) {
        None => Ok(None),
        Some(n) => n.parse::<f64>().map(Some).map_err(|_| {
            DomainError::field(field, "not_a_number", "enter a number such as 29.56", "请输入数字，例如 29.56")
        }),
    };
    Ok(EnterpriseInput {
        name: f.name.clone(),
        credit_code: blank_none(&f.credit_code).map(str::to_owned),
        kind,
        businesses: f.businesses.iter().filter_map(|b| Business::from_code(b)).collect(),
        address: blank_none(&f.address).map(str::to_owned),
        lat: number("lat", &f.lat)?,
        lon: number("lon", &f.lon)?,
    })
}

fn draft(f: &EnterpriseForm) -> Result<EnterpriseDraft, AppError> {
    Ok(enterprise_input(f).and_then(|i| EnterpriseDraft::parse(&i))?)
}

async fn create(State(state): State<AppState>, posted: Posted<EnterpriseForm>) -> Result<Response, PageError> {
    let session = &posted.session;
    state.app.may(&session.caller(), Need::Registry)?;
    let saved = match draft(&posted.form) {
        Ok(draft) => state.app.create_enterprise(&session.caller(), draft).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(e) => Ok(Redirect::to(&format!("/enterprises/{}", e.id)).into_response()),
        Err(e) => {
            let why = refusal(e, session.lang)?;
            Ok(list_page(&state, session, &posted.form, Some((true, why))).await?.into_response())
        }
    }
}

/// The bureau corrects an enterprise; refused, the page keeps what was typed.
async fn save(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<EnterpriseForm>,
) -> Result<Response, PageError> {
    let session = &posted.session;
    state.app.may(&session.caller(), Need::Registry)?;
    let saved = match draft(&posted.form) {
        Ok(draft) => state.app.update_enterprise(&session.caller(), id, draft).await,
        Err(e) => Err(e),
    };
    let typed = saved.is_err().then_some(&posted.form);
    let flash = outcome_flash(saved.map(|_| ()), session.lang)?;
    Ok(enterprise_page(&state, session, &posted.path, id, typed, Some(flash)).await?.into_response())
}

/// One line of an enterprise's history: a link, what it was, and when.
pub struct HistoryLine {
    pub href: String,
    pub title: String,
    pub detail: String,
    pub at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "enterprise.html")]
struct EnterprisePage {
    chrome: Chrome,
    x: &'static DutiesText,
    e: EnterpriseLine,
    sections: Vec<HistorySection>,
    /// The edit form, for the bureau.
    f: Option<EnterpriseFields>,
    flash: Flash,
}

/// Notices, screenings or reports about the enterprise.
pub struct HistorySection {
    pub heading: &'static str,
    pub id: &'static str,
    pub lines: Vec<HistoryLine>,
}

async fn show(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> Result<EnterprisePage, PageError> {
    enterprise_page(&state, &signed.session, &signed.path, id, None, None).await
}

async fn enterprise_page(
    state: &AppState,
    session: &WebSession,
    path: &str,
    id: i64,
    typed: Option<&EnterpriseForm>,
    flash: Flash,
) -> Result<EnterprisePage, PageError> {
    let (lang, tz) = (session.lang, state.tz);
    let reads = state.app.reads(&session.actor);
    let enterprise = reads.enterprise(id).await?;
    let filter = NoticeFilter { enterprise_id: Some(id), limit: 200, ..NoticeFilter::default() };
    let (notices, _) = reads.notices(&filter).await?;
    let tasks = reads.screening_tasks_of_enterprise(id).await?;
    let reports = reads.special_reports(&SpecialReportFilter { enterprise_id: Some(id), ..Default::default() }).await?;
    let (found, _) = reads.threat_findings(&FindingFilter { enterprise_id: Some(id), ..Default::default() }).await?;
    let unit_ids: Vec<i64> = tasks
        .iter()
        .map(|t| t.unit_id)
        .chain(reports.iter().map(|r| r.unit_id))
        .chain(found.iter().map(|f| f.unit_id))
        .collect();
    let units = reads.unit_names(&unit_ids).await?;
    let unit = |id: i64| units.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
    let x = duties(lang);
    let notice_lines = notices
        .into_iter()
        .map(|r| HistoryLine {
            href: format!("/notices/{}", r.notice.id),
            detail: r.notice.category.label(lang).to_owned(),
            at: format_local(r.notice.issued_at, tz),
            title: r.notice.title,
        })
        .collect();
    let screening_lines = tasks
        .into_iter()
        .map(|t| HistoryLine {
            href: format!("/periods/{}", t.protection_period_id),
            title: unit(t.unit_id),
            detail: t.outcome.map_or(x.pending, |o| o.label(lang)).to_owned(),
            at: t.done_at.map(|d| format_local(d, tz)).unwrap_or_default(),
        })
        .collect();
    let report_lines = reports
        .into_iter()
        .map(|r| HistoryLine {
            href: format!("/special-reports/{}", r.id),
            detail: format!("{} · {}", unit(r.unit_id), r.status.label(lang)),
            at: format_local(r.created_at, tz),
            title: r.content.title,
        })
        .collect();
    let finding_lines = found
        .into_iter()
        .map(|f| HistoryLine {
            href: format!("/threat-reports/{}#finding-{}", f.report_id, f.id),
            detail: format!("{} · {}", unit(f.unit_id), f.content.kind.label(lang)),
            at: format_local(f.content.found_at, tz),
            title: f.content.name,
        })
        .collect();
    let f = session
        .actor
        .can_manage_registry()
        .then(|| EnterpriseFields::new(typed.unwrap_or(&EnterpriseForm::of(&enterprise)), lang));
    Ok(EnterprisePage {
        chrome: Chrome::new(state, session, path, "enterprises"),
        x,
        f,
        flash,
        e: line(enterprise, lang),
        sections: vec![
            HistorySection { heading: x.notices, id: "notices", lines: notice_lines },
            HistorySection { heading: x.screenings, id: "screenings", lines: screening_lines },
            HistorySection { heading: x.reports_title, id: "reports", lines: report_lines },
            HistorySection { heading: threats(lang).findings, id: "findings", lines: finding_lines },
        ],
    })
}
