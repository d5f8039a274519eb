//! The forms posted from a notice's page: the bureau's actions on an
//! assignment (extend, stand down, reassign, note) and the unit's milestone
//! report. Each goes to the application layer and back to the notice page.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Redirect;
use axum::routing::post;
use serde::Deserialize;

use super::error::PageError;
use crate::AppState;
use crate::domain::DomainError;
use crate::domain::assignment::Milestone;
use crate::domain::change::Reassignment;
use crate::domain::labels::Lang;
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
    Ok(Redirect::to(&format!("/notices/{}?done=1#a{}", r.assignment.notice_id, id)))
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

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn stand_down(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ReasonForm>,
) -> Result<Redirect, PageError> {
    apply(&state, &posted.session, id, Ok(Change::StandDown { reason: posted.form.reason })).await
}

#[derive(Deserialize)]
struct ReassignForm {
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    reason: String,
}

async fn reassign(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ReassignForm>,
) -> Result<Redirect, PageError> {
    let Ok(unit_id) = posted.form.unit_id.trim().parse::<i64>() else {
        return Err(PageError::BadForm("unit_id".into()));
    };
    let to = Reassignment::parse(unit_id, &posted.form.reason)?;
    let a = state.app.reassign(&posted.session.caller(), id, to).await?;
    Ok(Redirect::to(&format!("/notices/{}?done=1#a{}", a.notice_id, a.id)))
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
