//! Duty rosters over the API: a branch's rotation, its overrides, and who is
//! on duty now and next. The unit keeps its own roster (and the bureau may);
//! managers read.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::local;
use crate::AppState;
use crate::domain::access::Caller;
use crate::domain::roster::{Rotation, RotationInput, Shift};
use crate::store::rosters::{OverrideDraft, StoredRoster};
use crate::web::auth::Authenticated;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::problem::{ApiError, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_roster, set_roster)).routes(routes!(add_override))
}

/// How many coming shifts a roster shows.
const COMING_SHIFTS: usize = 7;

#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftView {
    pub person_id: i64,
    pub name: String,
    pub from: DateTime<FixedOffset>,
    pub until: DateTime<FixedOffset>,
    /// An override, not the rotation.
    pub overridden: bool,
    /// Whom this shift takes over from.
    pub after: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverrideView {
    pub id: i64,
    pub person_id: i64,
    pub from: DateTime<FixedOffset>,
    pub until: DateTime<FixedOffset>,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RosterView {
    pub branch_id: i64,
    pub zone: String,
    pub starts_on: String,
    pub handover: String,
    pub shift_days: u32,
    pub members: Vec<i64>,
    /// Overrides not yet ended.
    pub overrides: Vec<OverrideView>,
    /// Who is on duty now; `null` is a gap (pages go to the support lead).
    pub on_duty: Option<ShiftView>,
    /// The rotation's next shifts.
    pub coming: Vec<ShiftView>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OverrideInput {
    pub person_id: i64,
    #[serde(deserialize_with = "crate::domain::instant::bounded")]
    pub from: DateTime<FixedOffset>,
    #[serde(deserialize_with = "crate::domain::instant::bounded")]
    pub until: DateTime<FixedOffset>,
    pub reason: String,
}

/// A branch's duty roster, who is on duty now, and the coming shifts.
#[utoipa::path(get, path = "/branches/{id}/roster", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = RosterView), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn get_roster(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(branch_id): ApiPath<i64>,
) -> Result<Json<RosterView>, ApiError> {
    let now = state.clock.now();
    let stored = state
        .app
        .reads(&actor)
        .roster(branch_id, now)
        .await?
        .ok_or(crate::store::StoreError::not_found("roster", branch_id))?;
    Ok(Json(view(&state, &Caller::User(actor), stored, now).await?))
}

/// Set the branch's rotation (daily or weekly hand-over at a local time).
#[utoipa::path(put, path = "/branches/{id}/roster", tag = "registry", params(("id" = i64, Path)), request_body = RotationInput,
    responses((status = 200, body = RosterView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn set_roster(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(branch_id): ApiPath<i64>,
    ApiJson(input): ApiJson<RotationInput>,
) -> Result<Json<RosterView>, ApiError> {
    let rotation = Rotation::parse(&input, state.tz)?;
    let caller = Caller::User(actor);
    let stored = state.app.set_roster(&caller, branch_id, rotation).await?;
    Ok(Json(view(&state, &caller, stored, state.clock.now()).await?))
}

/// Put someone else on duty for a stretch (leave, an exchange of shifts).
#[utoipa::path(post, path = "/branches/{id}/roster/overrides", tag = "registry", params(("id" = i64, Path)), request_body = OverrideInput,
    responses((status = 201, body = RosterView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn add_override(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(branch_id): ApiPath<i64>,
    ApiJson(input): ApiJson<OverrideInput>,
) -> Result<(StatusCode, Json<RosterView>), ApiError> {
    let reason = crate::domain::text::required("reason", &input.reason, crate::domain::text::NAME)
        .map_err(|e| crate::domain::DomainError::Invalid(vec![e]))?;
    let draft = OverrideDraft {
        person_id: input.person_id,
        from: input.from.with_timezone(&Utc),
        until: input.until.with_timezone(&Utc),
        reason,
    };
    let caller = Caller::User(actor);
    let stored = state.app.add_roster_override(&caller, branch_id, draft).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &caller, stored, state.clock.now()).await?)))
}

async fn view(
    state: &AppState,
    caller: &Caller,
    stored: StoredRoster,
    now: DateTime<Utc>,
) -> Result<RosterView, ApiError> {
    let names = state.app.reads(caller).people(&stored.branch).await?;
    let name = |id: i64| names.iter().find(|p| p.id == id).map(|p| p.name.clone()).unwrap_or_default();
    let tz = state.tz;
    let shift = |s: Shift| ShiftView {
        name: name(s.person_id),
        person_id: s.person_id,
        from: local(s.from, tz),
        until: local(s.until, tz),
        overridden: s.overridden,
        after: s.after,
    };
    let r = &stored.roster;
    let mut coming = Vec::new();
    let on_duty = r.on_duty(now);
    let mut at = on_duty.as_ref().map_or(now, |s| s.until);
    while coming.len() < COMING_SHIFTS {
        let Some(s) = r.rotation.shift_at(at) else { break };
        at = s.until;
        coming.push(shift(s));
    }
    Ok(RosterView {
        branch_id: stored.branch.id,
        zone: r.rotation.zone.name().to_owned(),
        starts_on: r.rotation.starts_on.format("%Y-%m-%d").to_string(),
        handover: r.rotation.handover.format("%H:%M").to_string(),
        shift_days: r.rotation.shift_days,
        members: r.rotation.members.clone(),
        overrides: stored
            .overrides
            .iter()
            .map(|o| OverrideView {
                id: o.id,
                person_id: o.person_id,
                from: local(o.from, tz),
                until: local(o.until, tz),
                reason: o.reason.clone(),
            })
            .collect(),
        on_duty: on_duty.map(shift),
        coming,
    })
}
