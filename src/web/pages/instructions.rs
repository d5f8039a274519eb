//! Instructions on the web: the list with the bureau's form to issue one,
//! and an instruction's page with its receipt table, where a unit's user
//! confirms reading it. Every form returns to its page with "recorded" or
//! why not, keeping what was typed.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use super::Chrome;
use super::error::{PageError, outcome_flash, refusal};
use super::form::{blank_none, local_datetime};
use super::protection::Flash;
use super::registry::Empty;
use super::text::{InstructionText, instructions};
use crate::AppState;
use crate::domain::DomainError;
use crate::domain::FieldError;
use crate::domain::access::Need;
use crate::domain::duration::format_local;
use crate::domain::instruction::{Instruction, InstructionInput, Receipt, Standing};
use crate::domain::labels::Lang;
use crate::store::sessions::WebSession;
use crate::web::session::{Posted, SignedIn};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/instructions", get(list).post(issue))
        .route("/instructions/{id}", get(show))
        .route("/instructions/{id}/confirm", post(confirm))
}

pub struct Line {
    pub id: i64,
    pub title: String,
    pub issued_at: String,
    pub confirm_by: String,
    pub confirmed: String,
}

pub struct UnitBox {
    pub id: i64,
    pub name: String,
    pub checked: bool,
}

/// The issue form as typed: given back with the error when refused.
#[derive(Deserialize, Default, Clone)]
struct IssueForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    unit_ids: Vec<String>,
    #[serde(default)]
    confirm_by: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "instructions.html")]
struct ListPage {
    chrome: Chrome,
    y: &'static InstructionText,
    lines: Vec<Line>,
    can_issue: bool,
    units: Vec<UnitBox>,
    typed: IssueForm,
    flash: Option<String>,
}

async fn list_page(
    state: &AppState,
    session: &WebSession,
    typed: IssueForm,
    flash: Flash,
) -> Result<ListPage, PageError> {
    let reads = state.app.reads(&session.actor);
    let lines = reads.instructions().await?.into_iter().map(|i| line(i, state.tz)).collect();
    let can_issue = state.app.may(&session.caller(), Need::Direct).is_ok();
    let units = if can_issue {
        reads
            .units()
            .await?
            .into_iter()
            .map(|u| UnitBox { checked: typed.unit_ids.contains(&u.id.to_string()), id: u.id, name: u.name })
            .collect()
    } else {
        Vec::new()
    };
    Ok(ListPage {
        chrome: Chrome::new(state, session, "/instructions", "instructions"),
        y: instructions(session.lang),
        lines,
        can_issue,
        units,
        typed,
        flash: flash.map(|(_, f)| f),
    })
}

fn line(i: Instruction, tz: Tz) -> Line {
    Line {
        id: i.id,
        issued_at: format_local(i.issued_at, tz),
        confirm_by: format_local(i.confirm_by, tz),
        confirmed: format!("{} / {}", i.confirmed, i.units),
        title: i.title,
    }
}

async fn list(State(state): State<AppState>, signed: SignedIn) -> Result<ListPage, PageError> {
    list_page(&state, &signed.session, IssueForm::default(), None).await
}

/// The typed instruction as the domain reads it; a deadline the browser
/// sent in no known shape is named like any other bad field.
fn input(f: &IssueForm, tz: Tz) -> Result<InstructionInput, DomainError> {
    let confirm_by = match blank_none(&f.confirm_by) {
        None => None,
        Some(raw) => Some(local_datetime(raw, tz).ok_or_else(|| {
            DomainError::Invalid(vec![FieldError::new(
                "confirm_by",
                "invalid_time",
                "use a time YYYY-MM-DD HH:MM",
                "时间格式应为 YYYY-MM-DD HH:MM",
            )])
        })?),
    };
    Ok(InstructionInput {
        title: f.title.clone(),
        body: f.body.clone(),
        unit_ids: f.unit_ids.iter().filter_map(|s| s.trim().parse().ok()).collect(),
        confirm_by,
    })
}

async fn issue(State(state): State<AppState>, posted: Posted<IssueForm>) -> Result<Response, PageError> {
    let session = &posted.session;
    let issued = match input(&posted.form, state.tz) {
        Ok(i) => state.app.issue_instruction(&session.caller(), &i).await,
        Err(e) => Err(e.into()),
    };
    match issued {
        Ok(i) => Ok(Redirect::to(&format!("/instructions/{}", i.id)).into_response()),
        Err(e) => {
            let why = refusal(e, session.lang)?;
            Ok(list_page(&state, session, posted.form.clone(), Some((true, why))).await?.into_response())
        }
    }
}

/// One unit's row of the receipt table.
pub struct ReceiptRow {
    pub unit: String,
    pub delivered_to: String,
    pub standing: &'static str,
    pub late: bool,
    pub confirmed_at: String,
    pub confirmed_by: String,
    pub reminded_at: String,
    pub escalated_at: String,
}

fn receipt_row(
    r: &Receipt,
    i: &Instruction,
    y: &InstructionText,
    lang: Lang,
    tz: Tz,
    now: DateTime<Utc>,
) -> ReceiptRow {
    let at = |t: Option<DateTime<Utc>>| t.map(|t| format_local(t, tz)).unwrap_or_default();
    let standing = r.standing(i.confirm_by, now);
    let by = match (&r.confirmed_by, r.confirmed_via) {
        (Some(name), Some(via)) => format!("{name}（{}）", via.label(lang)),
        (Some(name), None) => name.clone(),
        _ => String::new(),
    };
    ReceiptRow {
        unit: r.unit_name.clone(),
        delivered_to: if r.delivered_to.is_empty() { y.nobody.to_owned() } else { r.delivered_to.join("、") },
        standing: standing.label(lang),
        late: matches!(standing, Standing::Late | Standing::Overdue),
        confirmed_at: at(r.confirmed_at),
        confirmed_by: by,
        reminded_at: at(r.reminded_at),
        escalated_at: at(r.escalated_at),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "instruction.html")]
struct ShowPage {
    chrome: Chrome,
    y: &'static InstructionText,
    id: i64,
    title: String,
    body: String,
    all_units: bool,
    issued_at: String,
    issued_by: String,
    confirm_by: String,
    confirmed: String,
    rows: Vec<ReceiptRow>,
    /// A unit's user whose unit has not confirmed yet.
    can_confirm: bool,
    flash: Flash,
}

async fn show_page(state: &AppState, session: &WebSession, id: i64, flash: Flash) -> Result<ShowPage, PageError> {
    let lang = session.lang;
    let y = instructions(lang);
    let (i, receipts) = state.app.reads(&session.actor).instruction(id).await?;
    let now = state.clock.now();
    let rows = receipts.iter().map(|r| receipt_row(r, &i, y, lang, state.tz, now)).collect();
    let may_confirm = state.app.may(&session.caller(), Need::OwnUnit).is_ok();
    Ok(ShowPage {
        chrome: Chrome::new(state, session, &format!("/instructions/{id}"), "instructions"),
        y,
        id,
        can_confirm: may_confirm && receipts.iter().any(|r| r.confirmed_at.is_none()),
        confirmed: format!("{} / {}", i.confirmed, i.units),
        issued_at: format_local(i.issued_at, state.tz),
        confirm_by: format_local(i.confirm_by, state.tz),
        all_units: i.all_units,
        issued_by: i.issued_by,
        title: i.title,
        body: i.body,
        rows,
        flash,
    })
}

async fn show(State(state): State<AppState>, signed: SignedIn, Path(id): Path<i64>) -> Result<ShowPage, PageError> {
    show_page(&state, &signed.session, id, None).await
}

async fn confirm(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<Empty>,
) -> Result<ShowPage, PageError> {
    let session = &posted.session;
    let result = state.app.confirm_instruction(&session.caller(), id).await.map(drop);
    let flash = outcome_flash(result, session.lang)?;
    show_page(&state, session, id, Some(flash)).await
}
