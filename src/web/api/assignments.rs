//! Assignments over the API: read one with its SLA verdict, report
//! milestones and notes, and the bureau's extend and stand-down.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::{AssignmentView, PageView, TimelineEventView};
use crate::AppState;
use crate::domain::access::{Actor, Caller, Reader};
use crate::domain::assignment::Milestone;
use crate::domain::change::Reassignment;
use crate::domain::clock::to_storage_precision;
use crate::domain::geo::Coordinates;
use crate::domain::record::Assignment;
use crate::domain::text::{self, LONG_TEXT};
use crate::domain::{DomainError, FieldError};
use crate::labelled_enum;
use crate::store::assignments::{Change, Recorded};
use crate::web::auth::Authenticated;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::problem::{ApiError, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_assignment))
        .routes(routes!(record_event))
        .routes(routes!(extend))
        .routes(routes!(stand_down))
        .routes(routes!(reassign))
        .routes(routes!(timeline))
        .routes(routes!(pages))
}

labelled_enum! {
    /// What an event reports: a milestone, a note, or that the one paged
    /// cannot take it (`declined`: the next step of the acknowledgement
    /// escalation is paged now).
    pub enum EventKind {
        Acknowledged => ("acknowledged", "已接收", "Acknowledged"),
        PlanActivated => ("plan_activated", "启动应急支撑方案", "Plan activated"),
        OnSite => ("on_site", "到达现场", "On site"),
        HqRemote => ("hq_remote", "总部远程支撑", "HQ remote assistance"),
        Resolved => ("resolved", "处置完成", "Resolved"),
        Closed => ("closed", "已结案", "Closed"),
        Note => ("note", "备注", "Note"),
        Declined => ("declined", "无法接单，请通知他人", "Declined: page someone else"),
    }
}

impl EventKind {
    fn milestone(self) -> Option<Milestone> {
        match self {
            EventKind::Acknowledged => Some(Milestone::Acknowledged),
            EventKind::PlanActivated => Some(Milestone::PlanActivated),
            EventKind::OnSite => Some(Milestone::OnSite),
            EventKind::HqRemote => Some(Milestone::HqRemote),
            EventKind::Resolved => Some(Milestone::Resolved),
            EventKind::Closed => Some(Milestone::Closed),
            EventKind::Note | EventKind::Declined => None,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LocationInput {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EventBody {
    pub kind: EventKind,
    /// When it happened (default: now); not in the future, not before the
    /// previous milestone.
    #[serde(default, deserialize_with = "crate::domain::instant::bounded_opt")]
    pub at: Option<DateTime<FixedOffset>>,
    pub note: Option<String>,
    /// Where the reporter is (for `on_site`: the distance to the site is recorded).
    pub location: Option<LocationInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventRecorded {
    pub event: TimelineEventView,
    pub assignment: AssignmentView,
}

/// One assignment with its milestones and SLA verdict.
#[utoipa::path(get, path = "/assignments/{id}", tag = "assignments", params(("id" = i64, Path)),
    responses((status = 200, body = AssignmentView), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn get_assignment(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AssignmentView>, ApiError> {
    let a = state.app.reads(&actor).assignment(id).await?;
    Ok(Json(view(&state, &actor, a).await?))
}

/// Report a milestone or add a note. An impossible transition is 409.
#[utoipa::path(post, path = "/assignments/{id}/events", tag = "assignments", params(("id" = i64, Path)), request_body = EventBody,
    responses((status = 201, body = EventRecorded), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn record_event(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<EventBody>,
) -> Result<(StatusCode, Json<EventRecorded>), ApiError> {
    let caller = Caller::User(actor);
    let recorded = state.app.change_assignment(&caller, id, change_for(body)?).await?;
    Ok((StatusCode::CREATED, Json(recorded_view(&state, &caller, recorded).await?)))
}

fn change_for(body: EventBody) -> Result<Change, DomainError> {
    let location = body
        .location
        .map(|l| Coordinates::parse("location", l.lat, l.lon))
        .transpose()
        .map_err(|e| DomainError::Invalid(vec![e]))?;
    match body.kind.milestone() {
        Some(milestone) => Ok(Change::Milestone {
            milestone,
            at: body.at.map(|t| to_storage_precision(t.with_timezone(&Utc))),
            note: text::optional("note", body.note.as_deref(), LONG_TEXT).map_err(|e| DomainError::Invalid(vec![e]))?,
            location,
            flag_beyond_m: None,
        }),
        None => {
            let change = match body.kind {
                EventKind::Declined => Change::Decline {
                    note: text::optional("note", body.note.as_deref(), LONG_TEXT)
                        .map_err(|e| DomainError::Invalid(vec![e]))?,
                },
                _ => Change::note(body.note.as_deref().unwrap_or(""))?,
            };
            if body.at.is_some() {
                return Err(DomainError::Invalid(vec![FieldError::new(
                    "at",
                    "not_allowed",
                    "a note or a decline is recorded at the time it is written",
                    "备注或拒绝接单以提交时间记录，不能指定时间",
                )]));
            }
            Ok(change)
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ExtendBody {
    /// The new deadline: later than the one in force.
    #[serde(deserialize_with = "crate::domain::instant::bounded")]
    pub deadline_at: DateTime<FixedOffset>,
    pub reason: String,
}

/// Extend the deadline (the bureau's decision, with a reason).
#[utoipa::path(post, path = "/assignments/{id}/extend", tag = "assignments", params(("id" = i64, Path)), request_body = ExtendBody,
    responses((status = 200, body = AssignmentView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn extend(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ExtendBody>,
) -> Result<Json<AssignmentView>, ApiError> {
    let change =
        Change::Extend { deadline_at: to_storage_precision(body.deadline_at.with_timezone(&Utc)), reason: body.reason };
    Ok(Json(bureau_change(&state, actor, id, change).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StandDownBody {
    pub reason: String,
}

/// Stand the assignment down (撤销): the clock stops and it leaves breach rates.
#[utoipa::path(post, path = "/assignments/{id}/stand-down", tag = "assignments", params(("id" = i64, Path)), request_body = StandDownBody,
    responses((status = 200, body = AssignmentView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn stand_down(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<StandDownBody>,
) -> Result<Json<AssignmentView>, ApiError> {
    Ok(Json(bureau_change(&state, actor, id, Change::StandDown { reason: body.reason }).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReassignBody {
    /// The unit that takes the assignment over.
    pub unit_id: i64,
    pub reason: String,
}

/// Reassign to another unit (改派): this assignment is stood down and a new
/// one, with a fresh two-hour clock, is dispatched on the same notice.
#[utoipa::path(post, path = "/assignments/{id}/reassign", tag = "assignments", params(("id" = i64, Path)), request_body = ReassignBody,
    responses((status = 201, body = AssignmentView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn reassign(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReassignBody>,
) -> Result<(StatusCode, Json<AssignmentView>), ApiError> {
    let to = Reassignment::parse(body.unit_id, &body.reason)?;
    let caller = Caller::User(actor);
    let created = state.app.reassign(&caller, id, to).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &caller, created).await?)))
}

async fn bureau_change(state: &AppState, actor: Actor, id: i64, change: Change) -> Result<AssignmentView, ApiError> {
    let caller = Caller::User(actor);
    let recorded = state.app.change_assignment(&caller, id, change).await?;
    view(state, &caller, recorded.assignment).await
}

/// Every event of the assignment, oldest first.
#[utoipa::path(get, path = "/assignments/{id}/timeline", tag = "assignments", params(("id" = i64, Path)),
    responses((status = 200, body = [TimelineEventView]), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn timeline(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<TimelineEventView>>, ApiError> {
    let events = state.app.reads(&actor).timeline(id).await?;
    Ok(Json(events.into_iter().map(|e| TimelineEventView::new(e, state.tz)).collect()))
}

/// Every page sent about the assignment: to whom, on which channel, delivery state.
#[utoipa::path(get, path = "/assignments/{id}/pages", tag = "assignments", params(("id" = i64, Path)),
    responses((status = 200, body = [PageView]), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn pages(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<PageView>>, ApiError> {
    let pages = state.app.reads(&actor).pages(id).await?;
    Ok(Json(pages.into_iter().map(|p| PageView::new(p, state.tz)).collect()))
}

async fn view(state: &AppState, reader: &impl Reader, a: Assignment) -> Result<AssignmentView, ApiError> {
    let names = state.app.reads(reader).unit_names(&[a.unit_id]).await?;
    let name = names.get(&a.unit_id).cloned();
    Ok(AssignmentView::new(a, name, state.tz, state.clock.now()))
}

async fn recorded_view(state: &AppState, reader: &impl Reader, r: Recorded) -> Result<EventRecorded, ApiError> {
    let assignment = view(state, reader, r.assignment).await?;
    Ok(EventRecorded { event: TimelineEventView::new(r.event, state.tz), assignment })
}
