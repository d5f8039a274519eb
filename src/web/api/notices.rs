//! Notices over the API: issuing one dispatches an assignment per unit.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::NoticeView;
use crate::AppState;
use crate::domain::access::{Caller, Reader};
use crate::domain::notice::{Category, NoticeDraft, NoticeInput, Severity, TargetKind};
use crate::store::notices::{NoticeFilter, NoticeRecord};
use crate::web::auth::Authenticated;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::problem::{ApiError, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(issue_notice, list_notices)).routes(routes!(get_notice))
}

/// The target: typed (`name` and `kind`), or picked from the registry of
/// detection objects (`enterprise_id`), whose name and kind it then takes.
/// A typed name the registry holds is linked to it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TargetInput {
    #[serde(default)]
    pub name: String,
    pub kind: Option<TargetKind>,
    pub enterprise_id: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SiteInput {
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NoticeBody {
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub target: TargetInput,
    pub site: SiteInput,
    pub description: String,
    /// Whether technicians must go on site (default true); remote-only
    /// notices have no `on_site` milestone.
    #[serde(default = "yes")]
    pub requires_onsite: bool,
    pub unit_ids: Vec<i64>,
    /// Optionally, the branch (属地机构) of a unit that must reach the site;
    /// its engineers are paged instead of all the unit's engineers.
    #[serde(default)]
    pub branch_ids: Vec<i64>,
}

/// Issue an emergency-response notice (应急响应通知) to one or more units.
#[utoipa::path(post, path = "/notices", tag = "notices", request_body = NoticeBody,
    responses((status = 201, body = NoticeView), (status = 422, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn issue_notice(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(body): ApiJson<NoticeBody>,
) -> Result<(StatusCode, Json<NoticeView>), ApiError> {
    let draft = NoticeDraft::parse(NoticeInput {
        title: body.title,
        category: body.category,
        severity: body.severity,
        target_name: body.target.name,
        target_kind: body.target.kind,
        enterprise_id: body.target.enterprise_id,
        site_address: body.site.address,
        site_lat: body.site.lat,
        site_lon: body.site.lon,
        description: body.description,
        requires_onsite: body.requires_onsite,
        unit_ids: body.unit_ids,
        branch_ids: body.branch_ids,
    })?;
    let caller = Caller::User(actor);
    let issued = state.app.issue_notice(&caller, draft).await?;
    let view = NoticeView::new(issued.record, &issued.unit_names, state.tz, state.clock.now());
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticeQuery {
    /// Only notices dispatched to this unit.
    pub unit_id: Option<i64>,
    /// `true`: with an assignment still open; `false`: with one finished.
    pub open: Option<bool>,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    /// Only notices about this registered detection object.
    pub enterprise_id: Option<i64>,
    /// Issued at or after this time (RFC 3339).
    #[serde(default, deserialize_with = "crate::domain::instant::bounded_opt")]
    pub from: Option<DateTime<FixedOffset>>,
    /// Issued before this time (RFC 3339).
    #[serde(default, deserialize_with = "crate::domain::instant::bounded_opt")]
    pub to: Option<DateTime<FixedOffset>>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticePage {
    pub items: Vec<NoticeView>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

/// Notices, newest first, with the assignments the caller may see.
#[utoipa::path(get, path = "/notices", tag = "notices", params(NoticeQuery),
    responses((status = 200, body = NoticePage), (status = 400, body = Problem)), security(("bearer" = [])))]
async fn list_notices(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(q): ApiQuery<NoticeQuery>,
) -> Result<Json<NoticePage>, ApiError> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::BadRequest {
            status: StatusCode::BAD_REQUEST,
            detail: "limit must be between 1 and 200".into(),
        });
    }
    let offset = q.offset.unwrap_or(0);
    if offset > 1_000_000_000 {
        return Err(ApiError::BadRequest { status: StatusCode::BAD_REQUEST, detail: "offset is too large".into() });
    }
    let filter = NoticeFilter {
        unit_id: q.unit_id,
        open: q.open,
        category: q.category,
        severity: q.severity,
        enterprise_id: q.enterprise_id,
        from: q.from.map(|t| t.with_timezone(&Utc)),
        to: q.to.map(|t| t.with_timezone(&Utc)),
        limit,
        offset,
    };
    let (records, total) = state.app.reads(&actor).notices(&filter).await?;
    let now = state.clock.now();
    let ids: Vec<i64> = records.iter().flat_map(|r| r.assignments.iter().map(|a| a.unit_id)).collect();
    let names = state.app.reads(&actor).unit_names(&ids).await?;
    let items = records.into_iter().map(|r| NoticeView::new(r, &names, state.tz, now)).collect::<Vec<_>>();
    Ok(Json(NoticePage { items, total, limit, offset }))
}

/// One notice with its assignments.
#[utoipa::path(get, path = "/notices/{id}", tag = "notices", params(("id" = i64, Path)),
    responses((status = 200, body = NoticeView), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn get_notice(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<NoticeView>, ApiError> {
    let record = state.app.reads(&actor).notice(id).await?;
    Ok(Json(view(&state, &actor, record, state.clock.now()).await?))
}

pub async fn view(
    state: &AppState,
    reader: &impl Reader,
    record: NoticeRecord,
    now: DateTime<Utc>,
) -> Result<NoticeView, ApiError> {
    let ids: Vec<i64> = record.assignments.iter().map(|a| a.unit_id).collect();
    let names = state.app.reads(reader).unit_names(&ids).await?;
    Ok(NoticeView::new(record, &names, state.tz, now))
}
