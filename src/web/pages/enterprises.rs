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
use super::error::{PageError, refusal};
use super::form::blank_none;
use super::notice_form::Choice;
use super::protection::Flash;
use super::text::{DutiesText, duties, threats};
use crate::AppState;
use crate::domain::DomainError;
use crate::domain::duration::format_local;
use crate::domain::enterprise::{Business, Enterprise, EnterpriseInput};
use crate::domain::labels::Lang;
use crate::domain::notice::TargetKind;
use crate::store::notices::NoticeFilter;
use crate::store::sessions::WebSession;
use crate::store::special_reports::SpecialReportFilter;
use crate::store::threat_findings::FindingFilter;
use crate::web::session::{Posted, SignedIn};

pub fn router() -> Router<AppState> {
    Router::new().route("/enterprises", get(list).post(create)).route("/enterprises/{id}", get(show))
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
    kinds: Vec<Choice>,
    businesses: Vec<Choice>,
    can_register: bool,
    flash: Option<String>,
}

async fn list_page(state: &AppState, session: &WebSession, flash: Flash) -> Result<EnterprisesPage, PageError> {
    let lang = session.lang;
    let all = state.app.reads(&session.actor).enterprises(None).await?;
    let choice = |code: &str, label: &str| Choice { code: code.into(), label: label.into(), selected: false };
    Ok(EnterprisesPage {
        chrome: Chrome::new(state, session, "/enterprises", "enterprises"),
        x: duties(lang),
        enterprises: all.into_iter().map(|e| line(e, lang)).collect(),
        kinds: TargetKind::ALL.iter().map(|k| choice(k.code(), k.label(lang))).collect(),
        businesses: Business::ALL.iter().map(|b| choice(b.code(), b.label(lang))).collect(),
        can_register: session.actor.can_manage_registry(),
        flash: flash.map(|(_, f)| f),
    })
}

async fn list(State(state): State<AppState>, signed: SignedIn) -> Result<EnterprisesPage, PageError> {
    list_page(&state, &signed.session, None).await
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

async fn create(State(state): State<AppState>, posted: Posted<EnterpriseForm>) -> Result<Response, PageError> {
    let session = &posted.session;
    let saved = match enterprise_input(&posted.form).and_then(|i| crate::domain::enterprise::EnterpriseDraft::parse(&i))
    {
        Ok(draft) => state.app.create_enterprise(&session.caller(), draft).await,
        Err(e) => Err(e.into()),
    };
    match saved {
        Ok(e) => Ok(Redirect::to(&format!("/enterprises/{}", e.id)).into_response()),
        Err(e) => {
            let why = refusal(e, session.lang)?;
            Ok(list_page(&state, session, Some((true, why))).await?.into_response())
        }
    }
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
    let session = &signed.session;
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
    Ok(EnterprisePage {
        chrome: Chrome::new(&state, session, &signed.path, "enterprises"),
        x,
        e: line(enterprise, lang),
        sections: vec![
            HistorySection { heading: x.notices, id: "notices", lines: notice_lines },
            HistorySection { heading: x.screenings, id: "screenings", lines: screening_lines },
            HistorySection { heading: x.reports_title, id: "reports", lines: report_lines },
            HistorySection { heading: threats(lang).findings, id: "findings", lines: finding_lines },
        ],
    })
}
