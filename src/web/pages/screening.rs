//! The screening checklist's forms on a protection period's page: the
//! bureau adds enterprises to screen, a unit records each result; both
//! return to the period's page with "recorded" or why not.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::post;
use chrono_tz::Tz;
use serde::Deserialize;

use super::error::{PageError, outcome_flash};
use super::form::local_time;
use super::protection::{PeriodPage, period_page};
use crate::AppState;
use crate::app::AppError;
use crate::domain::DomainError;
use crate::domain::screening::{
    ResultDraft, ScreeningKind, ScreeningOutcome, ScreeningResultInput, ScreeningTaskInput, ScreeningTasksInput,
};
use crate::store::sessions::WebSession;
use crate::web::session::Posted;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/periods/{id}/tasks", post(add_tasks))
        .route("/screening-tasks/{id}/result", post(record_result))
}

/// After a form on a period's page: the page, with "recorded" or why not.
async fn after(
    state: &AppState,
    session: &WebSession,
    id: i64,
    result: Result<(), AppError>,
) -> Result<PeriodPage, PageError> {
    let flash = outcome_flash(result, session.lang)?;
    period_page(state, session, id, Some(flash)).await
}

#[derive(Deserialize, Default)]
struct TasksForm {
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    enterprises: String,
    #[serde(default)]
    due_at: String,
}

/// The checklist typed in the form: one enterprise per line, `|` before
/// the target.
fn tasks_input(f: &TasksForm, tz: Tz) -> Result<ScreeningTasksInput, DomainError> {
    let unit_id = f
        .unit_id
        .trim()
        .parse::<i64>()
        .map_err(|_| DomainError::field("unit_id", "required", "choose a unit", "请选择支撑单位"))?;
    let kind = ScreeningKind::from_code(f.kind.trim())
        .ok_or_else(|| DomainError::field("kind", "required", "choose how to screen", "请选择排查方式"))?;
    let due_at = match f.due_at.trim() {
        "" => None,
        raw => Some(local_time("due_at", raw, tz).map_err(|e| DomainError::Invalid(vec![e]))?),
    };
    let tasks = f
        .enterprises
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (enterprise, target) = l.split_once('|').unwrap_or((l, ""));
            ScreeningTaskInput {
                unit_id,
                enterprise: enterprise.trim().to_owned(),
                enterprise_id: None,
                target: target.trim().to_owned(),
                kind,
                due_at,
            }
        })
        .collect();
    Ok(ScreeningTasksInput { tasks })
}

async fn add_tasks(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<TasksForm>,
) -> Result<PeriodPage, PageError> {
    let session = &posted.session;
    let result = match tasks_input(&posted.form, state.tz) {
        Ok(input) => state.app.add_screening_tasks(&session.caller(), id, &input).await.map(|_| ()),
        Err(e) => Err(e.into()),
    };
    after(&state, session, id, result).await
}

#[derive(Deserialize, Default)]
struct ResultForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    findings: String,
}

async fn record_result(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<ResultForm>,
) -> Result<PeriodPage, PageError> {
    let session = &posted.session;
    let f = &posted.form;
    let result = async {
        let outcome = ScreeningOutcome::from_code(f.outcome.trim())
            .ok_or_else(|| DomainError::field("outcome", "required", "choose a result", "请选择排查结果"))?;
        let draft = ResultDraft::parse(&ScreeningResultInput { outcome, findings: f.findings.clone() })?;
        state.app.record_screening_result(&session.caller(), id, draft).await.map(|_| ())
    }
    .await;
    let flash = outcome_flash(result, session.lang)?;
    let task = state.app.reads(&session.actor).screening_task(id).await?;
    period_page(&state, session, task.protection_period_id, Some(flash)).await
}
