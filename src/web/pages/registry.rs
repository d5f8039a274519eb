//! The unit registry: units, their branches, people with roles, channels
//! (every credential in an address masked), and Telegram link codes shown once.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::Chrome;
use super::error::{PageError, outcome_flash, refusal};
use super::form::blank_none;
use super::notice_form::Choice;
use super::text::{RegistrySheetText, registry_sheet};
use crate::AppState;
use crate::app::AppError;
use crate::domain::DomainError;
use crate::domain::duration::format_local;
use crate::domain::people::{ChannelDraft, ChannelKind, ChannelStatus, Role, masked_address};
use crate::domain::unit::{BranchDraft, PersonDraft, UnitDraft};
use crate::store::sessions::WebSession;
use crate::store::telegram::LinkTarget;
use crate::web::session::{Posted, SignedIn};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units", get(list).post(create_unit))
        .route("/units/{id}", get(show))
        .route("/units/{id}/branches", post(create_branch))
        .route("/units/{id}/people", post(create_person))
        .route("/units/{id}/telegram-link", post(duty_group_link))
        .route("/people/{id}/channels", post(create_channel))
        .route("/people/{id}/telegram-link", post(person_link))
}

pub struct UnitLine {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    pub hq_address: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "units.html")]
pub(super) struct UnitsPage {
    chrome: Chrome,
    units: Vec<UnitLine>,
    can_manage: bool,
    flash: Option<String>,
    flash_error: bool,
    /// What a registry file's import found (`registry_sheet.rs`).
    pub(super) sheet: SheetOutcome,
    rs: &'static RegistrySheetText,
}

/// A registry file's import as the units page reports it: a summary, or
/// every bad cell with its reference.
#[derive(Default)]
pub(super) struct SheetOutcome {
    pub(super) summary: Option<String>,
    pub(super) ignored: Option<String>,
    pub(super) problems: Vec<(String, String)>,
}

pub struct BranchLine {
    pub id: i64,
    pub name: String,
    pub district: String,
    pub address: String,
}

pub struct ChannelLine {
    pub id: i64,
    pub kind: &'static str,
    pub address: String,
    /// Paged: no status shown.
    pub active: bool,
    pub status: &'static str,
}

pub struct PersonLine {
    pub id: i64,
    pub name: String,
    pub role: &'static str,
    pub branch: String,
    pub phone: String,
    /// 部门及职务, 办公电话 and 邮箱, those given.
    pub details: Vec<String>,
    pub channels: Vec<ChannelLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "unit.html")]
pub(super) struct UnitPage {
    chrome: Chrome,
    id: i64,
    name: String,
    credit_code: String,
    hq_address: String,
    branches: Vec<BranchLine>,
    people: Vec<PersonLine>,
    roles: Vec<Choice>,
    channel_kinds: Vec<Choice>,
    can_manage: bool,
    flash: Option<String>,
    flash_error: bool,
    link_code: Option<String>,
    link_expires: String,
    roster_link: &'static str,
}

pub(super) async fn units_page(
    state: &AppState,
    session: &WebSession,
    path: &str,
    flash: Option<(bool, String)>,
) -> Result<UnitsPage, PageError> {
    let units = state.app.reads(&session.actor).units().await?;
    let (flash_error, flash) = flash.map_or((false, None), |(err, f)| (err, Some(f)));
    Ok(UnitsPage {
        chrome: Chrome::new(state, session, path, "units"),
        units: units
            .into_iter()
            .map(|u| UnitLine {
                id: u.id,
                name: u.name,
                credit_code: u.credit_code.unwrap_or_default(),
                hq_address: u.hq_address.unwrap_or_default(),
            })
            .collect(),
        can_manage: session.actor.can_manage_registry(),
        flash,
        flash_error,
        sheet: SheetOutcome::default(),
        rs: registry_sheet(session.lang),
    })
}

async fn list(State(state): State<AppState>, signed: SignedIn) -> Result<UnitsPage, PageError> {
    units_page(&state, &signed.session, &signed.path, None).await
}

#[derive(Deserialize)]
struct UnitForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    hq_address: String,
}

async fn create_unit(State(state): State<AppState>, posted: Posted<UnitForm>) -> Result<Response, PageError> {
    let session = &posted.session;
    let f = &posted.form;
    let created = match UnitDraft::parse(&f.name, blank_none(&f.credit_code), blank_none(&f.hq_address)) {
        Ok(draft) => state.app.create_unit(&session.caller(), draft).await,
        Err(e) => Err(e.into()),
    };
    match created {
        Ok(u) => Ok(Redirect::to(&format!("/units/{}", u.id)).into_response()),
        Err(e) => {
            let why = refusal(e, session.lang)?;
            Ok(units_page(&state, session, "/units", Some((true, why))).await?.into_response())
        }
    }
}

/// Renders a unit's page, with an optional flash and a link code to show once.
pub(super) async fn unit_page(
    state: &AppState,
    session: &WebSession,
    id: i64,
    flash: Option<(bool, String)>,
    link: Option<(String, chrono::DateTime<chrono::Utc>)>,
) -> Result<UnitPage, PageError> {
    let lang = session.lang;
    let reads = state.app.reads(&session.actor);
    let unit = reads.unit(id).await?;
    let branches = reads.branches(&unit).await?;
    let mut people = Vec::new();
    for p in reads.people(&unit).await? {
        let channels = reads
            .channels(&p)
            .await?
            .into_iter()
            .map(|c| ChannelLine {
                id: c.id,
                kind: c.kind.label(lang),
                address: masked_address(c.kind, &c.address),
                active: c.status == ChannelStatus::Active,
                status: c.status.label(lang),
            })
            .collect();
        people.push(PersonLine {
            id: p.id,
            name: p.name,
            role: p.role.label(lang),
            branch: p
                .branch_id
                .and_then(|b| branches.iter().find(|x| x.id == b))
                .map(|b| b.name.clone())
                .unwrap_or_default(),
            phone: p.phone.unwrap_or_default(),
            details: [p.details.title, p.details.office_phone, p.details.email].into_iter().flatten().collect(),
            channels,
        });
    }
    let (flash_error, flash) = flash.map_or((false, None), |(err, f)| (err, Some(f)));
    let choice =
        |code: &'static str, label: &'static str| Choice { code: code.into(), label: label.into(), selected: false };
    Ok(UnitPage {
        chrome: Chrome::new(state, session, &format!("/units/{id}"), "units"),
        id,
        name: unit.name,
        credit_code: unit.credit_code.unwrap_or_default(),
        hq_address: unit.hq_address.unwrap_or_default(),
        branches: branches
            .into_iter()
            .map(|b| BranchLine {
                id: b.id,
                name: b.name,
                district: b.district.unwrap_or_default(),
                address: b.address,
            })
            .collect(),
        people,
        roles: Role::ALL.iter().map(|r| choice(r.code(), r.label(lang))).collect(),
        // A Telegram chat is added by linking it (a one-time code), not typed.
        channel_kinds: ChannelKind::ALL
            .iter()
            .filter(|k| **k != ChannelKind::Telegram)
            .map(|k| choice(k.code(), k.label(lang)))
            .collect(),
        can_manage: session.actor.can_manage_registry(),
        flash,
        flash_error,
        link_expires: link.as_ref().map(|(_, at)| format_local(*at, state.tz)).unwrap_or_default(),
        link_code: link.map(|(code, _)| code),
        roster_link: super::text::duty(lang).roster_link,
    })
}

async fn show(State(state): State<AppState>, signed: SignedIn, Path(id): Path<i64>) -> Result<UnitPage, PageError> {
    unit_page(&state, &signed.session, id, None, None).await
}

/// After a registry form: the unit's page, with "recorded" or why not.
async fn after(
    state: &AppState,
    session: &WebSession,
    unit_id: i64,
    result: Result<(), AppError>,
) -> Result<UnitPage, PageError> {
    let flash = outcome_flash(result, session.lang)?;
    unit_page(state, session, unit_id, Some(flash), None).await
}

#[derive(Deserialize)]
struct BranchForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    district: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
}

/// An optional number typed in a form; text that is not one is an error.
fn number(field: &str, raw: &str) -> Result<Option<f64>, DomainError> {
    match blank_none(raw) {
        None => Ok(None),
        Some(s) => s.parse::<f64>().ok().filter(|x| x.is_finite()).map(Some).ok_or_else(|| {
            DomainError::field(field, "not_a_number", "enter a number such as 29.56", "请输入数字，例如 29.56")
        }),
    }
}

async fn create_branch(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<BranchForm>,
) -> Result<UnitPage, PageError> {
    let session = &posted.session;
    let f = &posted.form;
    let result = async {
        let draft = BranchDraft::parse(
            &f.name,
            blank_none(&f.district),
            &f.address,
            number("lat", &f.lat)?,
            number("lon", &f.lon)?,
        )?;
        state.app.create_branch(&session.caller(), id, draft).await.map(|_| ())
    }
    .await;
    after(&state, session, id, result).await
}

#[derive(Deserialize)]
struct PersonForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    branch_id: String,
}

async fn create_person(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<PersonForm>,
) -> Result<UnitPage, PageError> {
    let session = &posted.session;
    let f = &posted.form;
    let result = async {
        let role = Role::from_code(&f.role)
            .ok_or_else(|| DomainError::field("role", "unknown", "choose a role", "请选择角色"))?;
        let branch_id = blank_none(&f.branch_id).and_then(|b| b.parse().ok());
        let draft = PersonDraft::parse(&f.name, blank_none(&f.phone), role, branch_id)?;
        state.app.create_person(&session.caller(), id, draft).await.map(|_| ())
    }
    .await;
    after(&state, session, id, result).await
}

#[derive(Deserialize)]
struct ChannelForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    address: String,
}

async fn create_channel(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ChannelForm>,
) -> Result<UnitPage, PageError> {
    let session = &posted.session;
    let f = &posted.form;
    let result = async {
        let kind = ChannelKind::from_code(&f.kind)
            .ok_or_else(|| DomainError::field("kind", "unknown", "choose a channel kind", "请选择渠道类型"))?;
        let draft = ChannelDraft::parse(kind, &f.address)?;
        state.app.create_channel(&session.caller(), id, draft).await.map(|_| ())
    }
    .await;
    let flash = outcome_flash(result, session.lang)?;
    let p = state.app.reads(&session.actor).person(id).await?;
    unit_page(&state, session, p.unit_id, Some(flash), None).await
}

#[derive(Deserialize)]
pub(super) struct Empty {}

async fn person_link(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<Empty>,
) -> Result<UnitPage, PageError> {
    link(&state, &posted.session, LinkTarget::Person(id)).await
}

async fn duty_group_link(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<Empty>,
) -> Result<UnitPage, PageError> {
    link(&state, &posted.session, LinkTarget::Unit(id)).await
}

/// Issues a link code and shows it once on the unit's page.
async fn link(state: &AppState, session: &WebSession, target: LinkTarget) -> Result<UnitPage, PageError> {
    let code = state.app.link_code(&session.caller(), target).await?;
    let unit_id = match target {
        LinkTarget::Unit(id) => id,
        LinkTarget::Person(id) => state.app.reads(&session.actor).person(id).await?.unit_id,
    };
    unit_page(state, session, unit_id, None, Some(code)).await
}
