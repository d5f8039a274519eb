//! The forms posted from a notice's page: the bureau's actions on an
//! assignment (extend, stand down, reassign, note) and the unit's milestone
//! report. Each goes to the application layer and back to the notice page;
//! a stand-down and a reassignment are confirmed on a page of their own first.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;

use super::Chrome;
use super::error::PageError;
use crate::AppState;
use crate::domain::DomainError;
use crate::domain::assignment::Milestone;
use crate::domain::change::Reassignment;
use crate::domain::labels::Lang;
use crate::domain::record::Assignment;
use crate::store::assignments::Change;
use crate::store::sessions::WebSession;
use crate::web::session::Posted;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assignments/{id}/extend", post(extend))
        .route("/assignments/{id}/stand-down", post(stand_down))
        .route("/assignments/{id}/reassign", post(reassign))
        .route("/assignments/{id}/note", post(note))
        .route("/assignments/{id}/milestone", post(milestone))
}

/// Applies a change from a form and returns to the notice page.
async fn apply(
    state: &AppState,
    session: &WebSession,
    id: i64,
    change: Result<Change, DomainError>,
) -> Result<Redirect, PageError> {
    let r = state.app.change_assignment(&session.caller(), id, change?).await?;
    Ok(done(&r.assignment))
}

/// Back to the assignment on its notice's page, saying it was recorded.
fn done(a: &Assignment) -> Redirect {
    Redirect::to(&format!("/notices/{}?done=1#a{}", a.notice_id, a.id))
}

#[derive(Deserialize)]
struct ExtendForm {
    #[serde(default)]
    deadline_at: String,
    #[serde(default)]
    reason: String,
}

async fn extend(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ExtendForm>,
) -> Result<Redirect, PageError> {
    let Some(deadline) = super::form::local_datetime(&posted.form.deadline_at, state.tz) else {
        let t = |lang| super::text::ui(lang).bad_deadline;
        return Err(DomainError::field("deadline_at", "invalid", t(Lang::En), t(Lang::Zh)).into());
    };
    let change = Change::Extend { deadline_at: deadline.to_utc(), reason: posted.form.reason };
    apply(&state, &posted.session, id, Ok(change)).await
}

/// A stand-down or a reassignment is asked for, then confirmed: the first
/// post shows what would happen, the confirmation's post does it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Step {
    #[default]
    Review,
    Confirm,
}

/// What is about to be done to whose assignment, for a last look.
#[derive(Template, WebTemplate)]
#[template(path = "assignment_confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    heading: &'static str,
    hint: &'static str,
    action: String,
    id: i64,
    notice_id: i64,
    title: String,
    unit: String,
    /// The unit a reassignment goes to.
    to_unit: Option<(i64, String)>,
    reason: String,
}

impl ConfirmPage {
    async fn new(
        state: &AppState,
        posted: &Posted<impl Sized>,
        a: &Assignment,
        reason: String,
        to_unit: Option<(i64, String)>,
    ) -> Result<Self, PageError> {
        let t = super::text::ui(posted.session.lang);
        let reads = state.app.reads(&posted.session.actor);
        let title = reads.notice_titles(&[a.notice_id]).await?.remove(&a.notice_id).unwrap_or_default();
        let unit = reads.unit_names(&[a.unit_id]).await?.remove(&a.unit_id).unwrap_or_default();
        let (heading, hint, verb) = match to_unit {
            Some(_) => (t.confirm_reassign, t.confirm_reassign_hint, "reassign"),
            None => (t.confirm_stand_down, t.confirm_stand_down_hint, "stand-down"),
        };
        Ok(Self {
            chrome: Chrome::new(state, &posted.session, &posted.path, "notices"),
            heading,
            hint,
            action: format!("/assignments/{}/{verb}", a.id),
            id: a.id,
            notice_id: a.notice_id,
            title,
            unit,
            to_unit,
            reason,
        })
    }
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    step: Step,
}

async fn stand_down(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ReasonForm>,
) -> Result<Response, PageError> {
    if posted.form.step == Step::Review {
        let a = state.app.check_stand_down(&posted.session.caller(), id, &posted.form.reason).await?;
        let reason = posted.form.reason.trim().to_owned();
        return Ok(ConfirmPage::new(&state, &posted, &a, reason, None).await?.into_response());
    }
    let change = Change::StandDown { reason: posted.form.reason };
    Ok(apply(&state, &posted.session, id, Ok(change)).await?.into_response())
}

#[derive(Deserialize)]
struct ReassignForm {
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    step: Step,
}

async fn reassign(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ReassignForm>,
) -> Result<Response, PageError> {
    let Ok(unit_id) = posted.form.unit_id.trim().parse::<i64>() else {
        return Err(PageError::BadForm("unit_id".into()));
    };
    let to = Reassignment::parse(unit_id, &posted.form.reason)?;
    let caller = posted.session.caller();
    if posted.form.step == Step::Review {
        let (a, unit) = state.app.check_reassign(&caller, id, &to).await?;
        return Ok(ConfirmPage::new(&state, &posted, &a, to.reason, Some((unit.id, unit.name))).await?.into_response());
    }
    Ok(done(&state.app.reassign(&caller, id, to).await?).into_response())
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    note: String,
}

async fn note(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<NoteForm>,
) -> Result<Redirect, PageError> {
    apply(&state, &posted.session, id, Change::note(&posted.form.note)).await
}

#[derive(Deserialize)]
struct MilestoneForm {
    #[serde(default)]
    milestone: String,
}

async fn milestone(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<MilestoneForm>,
) -> Result<Redirect, PageError> {
    let Some(m) = Milestone::from_code(&posted.form.milestone).filter(|m| *m != Milestone::Closed) else {
        return Err(PageError::BadForm("milestone".into()));
    };
    apply(&state, &posted.session, id, Ok(Change::milestone(m))).await
}
