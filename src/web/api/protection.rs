//! Major-event protection periods over the API: the bureau declares one
//! (name, window, units on watch, stricter policy); everyone signed in reads
//! them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::local;
use crate::AppState;
use crate::domain::access::Caller;
use crate::domain::policy::PolicyOverride;
use crate::domain::protection::{ProtectionPeriod, ProtectionPeriodInput};
use crate::reports::duty::{self, DailyReportView};
use crate::web::auth::Authenticated;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::problem::{ApiError, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_period, list_periods))
        .routes(routes!(get_period))
        .routes(routes!(daily_report))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProtectionPeriodView {
    pub id: i64,
    pub name: String,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    /// The units on watch; empty for every unit.
    pub unit_ids: Vec<i64>,
    pub policy: PolicyOverride,
    /// In force now.
    pub active: bool,
}

pub fn view(state: &AppState, p: ProtectionPeriod) -> ProtectionPeriodView {
    let now = state.clock.now();
    ProtectionPeriodView {
        active: p.starts_at <= now && now < p.ends_at,
        id: p.id,
        name: p.name,
        starts_at: local(p.starts_at, state.tz),
        ends_at: local(p.ends_at, state.tz),
        unit_ids: p.unit_ids,
        policy: p.policy,
    }
}

/// Declare a protection period (重保期): notices issued inside it to the
/// units on watch take its policy.
#[utoipa::path(post, path = "/protection-periods", tag = "notices", request_body = ProtectionPeriodInput,
    responses((status = 201, body = ProtectionPeriodView), (status = 422, body = Problem)), security(("bearer" = [])))]
async fn create_period(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<ProtectionPeriodInput>,
) -> Result<(StatusCode, Json<ProtectionPeriodView>), ApiError> {
    let saved = state.app.create_protection_period(&Caller::User(actor), &input).await?;
    Ok((StatusCode::CREATED, Json(view(&state, saved))))
}

/// Every protection period, latest first.
#[utoipa::path(get, path = "/protection-periods", tag = "notices",
    responses((status = 200, body = [ProtectionPeriodView])), security(("bearer" = [])))]
async fn list_periods(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<ProtectionPeriodView>>, ApiError> {
    let periods = state.app.reads(&actor).protection_periods().await?;
    Ok(Json(periods.into_iter().map(|p| view(&state, p)).collect()))
}

/// One protection period.
#[utoipa::path(get, path = "/protection-periods/{id}", tag = "notices", params(("id" = i64, Path)),
    responses((status = 200, body = ProtectionPeriodView), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn get_period(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProtectionPeriodView>, ApiError> {
    let p = state.app.reads(&actor).protection_period(id).await?;
    Ok(Json(view(&state, p)))
}

/// The period's daily duty report: per local day, the notices issued under
/// its policy and who was on duty at each branch on watch (a unit sees its
/// own).
#[utoipa::path(get, path = "/protection-periods/{id}/daily-report", tag = "reports", params(("id" = i64, Path)),
    responses((status = 200, body = DailyReportView), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn daily_report(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DailyReportView>, ApiError> {
    let p = state.app.reads(&actor).protection_period(id).await?;
    Ok(Json(duty::daily_report(&state, &actor, &p).await?))
}
