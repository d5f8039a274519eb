//! The registry of detection objects (检测对象) over the API: the bureau
//! registers and corrects enterprises; everyone signed in reads them and
//! each enterprise's history in their own scope.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::screening::{ScreeningTaskView, task_view};
use super::views::{NoticeView, local};
use crate::AppState;
use crate::domain::access::Caller;
use crate::domain::enterprise::{Business, Enterprise, EnterpriseDraft, EnterpriseInput};
use crate::domain::notice::TargetKind;
use crate::reports::special_reports::SpecialReportView;
use crate::reports::special_reports::views;
use crate::reports::threats::{FindingView, finding_views};
use crate::store::notices::NoticeFilter;
use crate::store::special_reports::SpecialReportFilter;
use crate::store::threat_findings::FindingFilter;
use crate::web::auth::Authenticated;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::problem::{ApiError, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create, list)).routes(routes!(get_one, update)).routes(routes!(history))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseView {
    pub id: i64,
    pub name: String,
    pub credit_code: Option<String>,
    pub kind: TargetKind,
    pub businesses: Vec<Business>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

pub fn enterprise_view(state: &AppState, e: Enterprise) -> EnterpriseView {
    EnterpriseView {
        id: e.id,
        name: e.name,
        credit_code: e.credit_code,
        kind: e.kind,
        businesses: e.businesses,
        address: e.address,
        lat: e.location.map(|l| l.lat),
        lon: e.location.map(|l| l.lon),
        created_at: local(e.created_at, state.tz),
        updated_at: local(e.updated_at, state.tz),
    }
}

/// Register a detection object (bureau).
#[utoipa::path(post, path = "/enterprises", tag = "registry", request_body = EnterpriseInput,
    responses((status = 201, body = EnterpriseView), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<EnterpriseInput>,
) -> Result<(StatusCode, Json<EnterpriseView>), ApiError> {
    let draft = EnterpriseDraft::parse(&input)?;
    let saved = state.app.create_enterprise(&Caller::User(actor), draft).await?;
    Ok((StatusCode::CREATED, Json(enterprise_view(&state, saved))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseQuery {
    /// Only enterprises of this kind.
    pub kind: Option<TargetKind>,
}

/// The registry of detection objects, by name.
#[utoipa::path(get, path = "/enterprises", tag = "registry", params(EnterpriseQuery),
    responses((status = 200, body = [EnterpriseView])), security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(q): ApiQuery<EnterpriseQuery>,
) -> Result<Json<Vec<EnterpriseView>>, ApiError> {
    let all = state.app.reads(&actor).enterprises(q.kind).await?;
    Ok(Json(all.into_iter().map(|e| enterprise_view(&state, e)).collect()))
}

/// One detection object.
#[utoipa::path(get, path = "/enterprises/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = EnterpriseView), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EnterpriseView>, ApiError> {
    Ok(Json(enterprise_view(&state, state.app.reads(&actor).enterprise(id).await?)))
}

/// Correct a detection object (bureau); notices already issued keep the
/// name they were issued with.
#[utoipa::path(put, path = "/enterprises/{id}", tag = "registry", params(("id" = i64, Path)), request_body = EnterpriseInput,
    responses((status = 200, body = EnterpriseView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn update(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<EnterpriseInput>,
) -> Result<Json<EnterpriseView>, ApiError> {
    let draft = EnterpriseDraft::parse(&input)?;
    let saved = state.app.update_enterprise(&Caller::User(actor), id, draft).await?;
    Ok(Json(enterprise_view(&state, saved)))
}

/// What happened about one enterprise, as far as the reader may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseHistory {
    pub enterprise: EnterpriseView,
    /// Notices naming it, newest first (at most 200).
    pub notices: Vec<NoticeView>,
    /// Screening tasks that screened it, newest first.
    pub screenings: Vec<ScreeningTaskView>,
    /// Special reports concerning it, newest first.
    pub special_reports: Vec<SpecialReportView>,
    /// Threat findings about it in submitted and accepted reports, in the order found.
    pub threat_findings: Vec<FindingView>,
}

/// An enterprise's history: notices, screenings and findings reported.
#[utoipa::path(get, path = "/enterprises/{id}/history", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = EnterpriseHistory), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn history(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EnterpriseHistory>, ApiError> {
    let reads = state.app.reads(&actor);
    let enterprise = reads.enterprise(id).await?;
    let filter = NoticeFilter { enterprise_id: Some(id), limit: 200, ..NoticeFilter::default() };
    let (records, _) = reads.notices(&filter).await?;
    let unit_ids: Vec<i64> = records.iter().flat_map(|r| r.assignments.iter().map(|a| a.unit_id)).collect();
    let names = reads.unit_names(&unit_ids).await?;
    let now = state.clock.now();
    let notices = records.into_iter().map(|r| NoticeView::new(r, &names, state.tz, now)).collect();
    let screenings = reads.screening_tasks_of_enterprise(id).await?.into_iter().map(|t| task_view(&state, t)).collect();
    let reports = reads.special_reports(&SpecialReportFilter { enterprise_id: Some(id), ..Default::default() }).await?;
    let (found, statuses) =
        reads.threat_findings(&FindingFilter { enterprise_id: Some(id), ..Default::default() }).await?;
    let threat_findings = finding_views(&state, &reads, found, |r| statuses.get(&r).copied()).await?;
    Ok(Json(EnterpriseHistory {
        enterprise: enterprise_view(&state, enterprise),
        notices,
        screenings,
        special_reports: views(&state, &reads, reports).await?,
        threat_findings,
    }))
}
