//! Issuing a notice from the web: the form, a confirmation step, then the
//! notice's page. Errors are shown beside their fields, in the reader's
//! language, with everything typed kept.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::Chrome;
use super::error::PageError;
use crate::AppState;
use crate::app::AppError;
use crate::domain::access::Need;
use crate::domain::notice::{Category, NoticeDraft, NoticeInput, Severity, TargetKind};
use crate::domain::{DomainError, FieldError};
use crate::store::StoreError;
use crate::store::sessions::WebSession;
use crate::web::session::{Posted, SignedIn};

pub fn router() -> Router<AppState> {
    Router::new().route("/notices/new", get(show).post(submit))
}

/// The form as typed: strings, so whatever was entered comes back.
#[derive(Debug, Default, Deserialize)]
pub struct NoticeForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub target_name: String,
    #[serde(default)]
    pub target_kind: String,
    #[serde(default)]
    pub site_address: String,
    #[serde(default)]
    pub site_lat: String,
    #[serde(default)]
    pub site_lon: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub requires_onsite: Option<String>,
    #[serde(default)]
    pub unit_ids: Vec<String>,
    #[serde(default)]
    pub branch_ids: Vec<String>,
    #[serde(default)]
    pub step: Step,
}

/// Where the two-step form is: the first submit asks for a review, the
/// confirmation page issues or goes back to edit.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    #[default]
    Review,
    Issue,
    Edit,
}

/// The typed values, normalised for showing again.
pub struct Values {
    pub title: String,
    pub category: String,
    pub severity: String,
    pub target_name: String,
    pub target_kind: String,
    pub site_address: String,
    pub site_lat: String,
    pub site_lon: String,
    pub description: String,
    pub requires_onsite: bool,
    pub unit_ids: Vec<i64>,
    pub branch_ids: Vec<i64>,
}

pub struct Choice {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

pub struct UnitChoice {
    pub id: i64,
    pub name: String,
    pub checked: bool,
    pub branches: Vec<Choice>,
}

#[derive(Template, WebTemplate)]
#[template(path = "notice_form.html")]
struct FormPage {
    chrome: Chrome,
    v: Values,
    errors: HashMap<String, String>,
    categories: Vec<Choice>,
    severities: Vec<Choice>,
    target_kinds: Vec<Choice>,
    /// The registry's detection objects, offered as the target's name.
    enterprises: Vec<Choice>,
    units: Vec<UnitChoice>,
}

#[derive(Template, WebTemplate)]
#[template(path = "notice_confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    v: Values,
    category: &'static str,
    severity: &'static str,
    target_kind: &'static str,
    chosen: Vec<String>,
}

fn ids(raw: &[String]) -> Vec<i64> {
    raw.iter().filter_map(|s| s.trim().parse().ok()).collect()
}

impl Values {
    fn of(f: &NoticeForm) -> Self {
        Self {
            title: f.title.clone(),
            category: f.category.clone(),
            severity: f.severity.clone(),
            target_name: f.target_name.clone(),
            target_kind: f.target_kind.clone(),
            site_address: f.site_address.clone(),
            site_lat: f.site_lat.trim().to_owned(),
            site_lon: f.site_lon.trim().to_owned(),
            description: f.description.clone(),
            requires_onsite: f.requires_onsite.is_some(),
            unit_ids: ids(&f.unit_ids),
            branch_ids: ids(&f.branch_ids),
        }
    }

    fn blank() -> Self {
        Self::of(&NoticeForm {
            category: Category::WebDefacement.code().into(),
            severity: Severity::III.code().into(),
            target_kind: TargetKind::InternetCompany.code().into(),
            requires_onsite: Some("1".into()),
            ..NoticeForm::default()
        })
    }
}

fn choices<T: Copy>(
    all: &[T],
    selected: &str,
    code: fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|&x| Choice { code: code(x).to_owned(), label: label(x).to_owned(), selected: code(x) == selected })
        .collect()
}

/// Parses the typed values into a draft, or every field error at once.
fn draft(v: &Values) -> Result<NoticeDraft, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut number = |field: &str, raw: &str| -> Option<f64> {
        if raw.is_empty() {
            return None;
        }
        let parsed = raw.parse::<f64>().ok().filter(|x| x.is_finite());
        if parsed.is_none() {
            errors.push(FieldError::new(
                field,
                "not_a_number",
                "enter a number such as 29.56",
                "请输入数字，例如 29.56",
            ));
        }
        parsed
    };
    let site_lat = number("site.lat", &v.site_lat);
    let site_lon = number("site.lon", &v.site_lon);
    let unknown = |field: &str| FieldError::new(field, "unknown", "choose one of the options", "请从列表中选择");
    let category = Category::from_code(&v.category).ok_or_else(|| unknown("category"));
    let severity = Severity::from_code(&v.severity).ok_or_else(|| unknown("severity"));
    let target_kind = TargetKind::from_code(&v.target_kind).ok_or_else(|| unknown("target.kind"));
    let (category, severity, target_kind) = match (category, severity, target_kind) {
        (Ok(c), Ok(s), Ok(k)) => (c, s, k),
        (c, s, k) => {
            errors.extend([c.err(), s.err(), k.err()].into_iter().flatten());
            return Err(errors);
        }
    };
    let parsed = NoticeDraft::parse(NoticeInput {
        title: v.title.clone(),
        category,
        severity,
        target_name: v.target_name.clone(),
        target_kind: Some(target_kind),
        enterprise_id: None,
        site_address: v.site_address.clone(),
        site_lat,
        site_lon,
        description: v.description.clone(),
        requires_onsite: v.requires_onsite,
        unit_ids: v.unit_ids.clone(),
        branch_ids: v.branch_ids.clone(),
    });
    match parsed {
        Ok(d) if errors.is_empty() => Ok(d),
        Ok(_) => Err(errors),
        Err(DomainError::Invalid(more)) => {
            // A number we could not read is not also "incomplete".
            let unreadable =
                (site_lat.is_none() && !v.site_lat.is_empty()) || (site_lon.is_none() && !v.site_lon.is_empty());
            errors.extend(more.into_iter().filter(|e| !(unreadable && e.field == "site")));
            Err(errors)
        }
        Err(other) => {
            errors.push(FieldError::new("title", "invalid", other.to_string(), other.to_string()));
            Err(errors)
        }
    }
}

async fn form_page(
    state: &AppState,
    session: &WebSession,
    path: &str,
    v: Values,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let lang = session.lang;
    let reads = state.app.reads(&session.actor);
    let units = reads.units().await?;
    let mut unit_choices = Vec::with_capacity(units.len());
    for u in units {
        let branches = reads.branches(&u).await?;
        unit_choices.push(UnitChoice {
            checked: v.unit_ids.contains(&u.id),
            branches: branches
                .into_iter()
                .map(|b| Choice {
                    selected: v.branch_ids.contains(&b.id),
                    label: match &b.district {
                        Some(d) => format!("{} · {d}", b.name),
                        None => b.name.clone(),
                    },
                    code: b.id.to_string(),
                })
                .collect(),
            id: u.id,
            name: u.name,
        });
    }
    let errors = errors
        .into_iter()
        .map(|e| {
            let message = match (e.code, lang) {
                // Beside a text box, its name need not be repeated.
                ("required", _) if e.field != "unit_ids" => super::text::ui(lang).required.to_owned(),
                _ => e.text(lang).to_owned(),
            };
            (e.field, message)
        })
        .collect::<HashMap<_, _>>();
    let status =
        if errors.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY };
    let page = FormPage {
        chrome: Chrome::new(state, session, path, "new"),
        categories: choices(Category::ALL, &v.category, Category::code, |c| c.label(lang)),
        severities: choices(Severity::ALL, &v.severity, Severity::code, |s| s.label(lang)),
        target_kinds: choices(TargetKind::ALL, &v.target_kind, TargetKind::code, |k| k.label(lang)),
        enterprises: reads
            .enterprises(None)
            .await?
            .into_iter()
            .map(|e| Choice { label: e.kind.label(lang).to_owned(), selected: e.name == v.target_name, code: e.name })
            .collect(),
        units: unit_choices,
        v,
        errors,
    };
    Ok((status, page).into_response())
}

async fn show(State(state): State<AppState>, signed: SignedIn) -> Result<Response, PageError> {
    state.app.may(&signed.session.caller(), Need::Direct)?;
    form_page(&state, &signed.session, &signed.path, Values::blank(), Vec::new()).await
}

async fn submit(State(state): State<AppState>, posted: Posted<NoticeForm>) -> Result<Response, PageError> {
    let session = &posted.session;
    let lang = session.lang;
    state.app.may(&session.caller(), Need::Direct)?;
    let mut v = Values::of(&posted.form);
    // A branch counts only for a unit that is ticked (the form disables the others).
    let branch_units = branch_owners(&state, session, &v.branch_ids).await?;
    v.branch_ids.retain(|b| branch_units.get(b).is_some_and(|u| v.unit_ids.contains(u)));
    if posted.form.step == Step::Edit {
        return form_page(&state, session, &posted.path, v, Vec::new()).await;
    }
    let draft = match draft(&v) {
        Ok(d) => d,
        Err(errors) => return form_page(&state, session, &posted.path, v, errors).await,
    };
    if posted.form.step == Step::Review {
        let names = state.app.reads(&session.actor).unit_names(&draft.unit_ids).await?;
        let chosen =
            draft.unit_ids.iter().map(|id| names.get(id).cloned().unwrap_or_else(|| format!("#{id}"))).collect();
        let page = ConfirmPage {
            chrome: Chrome::new(&state, session, &posted.path, "new"),
            category: draft.category.label(lang),
            severity: draft.severity.label(lang),
            target_kind: draft.target_kind.label(lang),
            chosen,
            v,
        };
        return Ok(page.into_response());
    }
    match state.app.issue_notice(&session.caller(), draft).await {
        Ok(issued) => Ok(Redirect::to(&format!("/notices/{}", issued.record.notice.id)).into_response()),
        Err(AppError::Store(StoreError::Domain(DomainError::Invalid(errors)))) => {
            form_page(&state, session, &posted.path, v, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Which unit each of these branches belongs to.
async fn branch_owners(
    state: &AppState,
    session: &WebSession,
    branch_ids: &[i64],
) -> Result<HashMap<i64, i64>, StoreError> {
    let reads = state.app.reads(&session.actor);
    let mut owners = HashMap::new();
    for id in branch_ids {
        if let Some(b) = reads.branch(*id).await? {
            owners.insert(b.id, b.unit_id);
        }
    }
    Ok(owners)
}
