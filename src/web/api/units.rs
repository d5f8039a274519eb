//! The registry over the API: units, their branches and people, and each
//! person's paging channels.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::{BranchView, ChannelView, PersonView, UnitView};
use crate::AppState;
use crate::domain::access::{Actor, Caller};
use crate::domain::people::{ChannelDraft, ChannelKind, Role};
use crate::domain::policy::{PolicyOverride, SlaPolicy};
use crate::domain::unit::{BranchDraft, PersonDetails, PersonDraft, UnitDraft};
use crate::store::telegram::LinkTarget;
use crate::store::units::effective_policy;
use crate::web::auth::Authenticated;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::problem::{ApiError, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_unit, list_units))
        .routes(routes!(get_unit))
        .routes(routes!(create_branch, list_branches))
        .routes(routes!(create_person, list_people))
        .routes(routes!(create_channel, list_channels))
        .routes(routes!(replace_channel, remove_channel))
        .routes(routes!(set_person_active))
        .routes(routes!(set_policy, get_policy))
        .routes(routes!(telegram_link))
        .routes(routes!(duty_group_link))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TelegramLink {
    /// One-time code: the person sends `/start CODE` to the bot.
    pub code: String,
    pub expires_at: chrono::DateTime<chrono::FixedOffset>,
}

/// Issue a one-time code that links a person's Telegram chat.
#[utoipa::path(post, path = "/people/{id}/telegram-link", tag = "registry", params(("id" = i64, Path)),
    responses((status = 201, body = TelegramLink), (status = 404, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn telegram_link(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(person_id): ApiPath<i64>,
) -> Result<(StatusCode, Json<TelegramLink>), ApiError> {
    link_code(&state, actor, LinkTarget::Person(person_id)).await
}

/// Issue a one-time code that links a unit's duty group chat: someone sends
/// `/start CODE` in the group, and pages to the unit's engineers go there too.
#[utoipa::path(post, path = "/units/{id}/telegram-link", tag = "registry", params(("id" = i64, Path)),
    responses((status = 201, body = TelegramLink), (status = 404, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn duty_group_link(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(unit_id): ApiPath<i64>,
) -> Result<(StatusCode, Json<TelegramLink>), ApiError> {
    link_code(&state, actor, LinkTarget::Unit(unit_id)).await
}

async fn link_code(
    state: &AppState,
    actor: Actor,
    target: LinkTarget,
) -> Result<(StatusCode, Json<TelegramLink>), ApiError> {
    let (code, expires_at) = state.app.link_code(&Caller::User(actor), target).await?;
    Ok((StatusCode::CREATED, Json(TelegramLink { code, expires_at: super::views::local(expires_at, state.tz) })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UnitInput {
    pub name: String,
    pub credit_code: Option<String>,
    pub hq_address: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDetail {
    #[serde(flatten)]
    pub unit: UnitView,
    pub branches: Vec<BranchView>,
    pub people: Vec<PersonView>,
}

/// Register a support unit (支撑单位).
#[utoipa::path(post, path = "/units", tag = "registry", request_body = UnitInput,
    responses((status = 201, body = UnitView), (status = 422, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn create_unit(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<UnitInput>,
) -> Result<(StatusCode, Json<UnitView>), ApiError> {
    let draft = UnitDraft::parse(&input.name, input.credit_code.as_deref(), input.hq_address.as_deref())?;
    let unit = state.app.create_unit(&Caller::User(actor), draft).await?;
    Ok((StatusCode::CREATED, Json(UnitView::new(unit, state.tz))))
}

/// The units the caller may see.
#[utoipa::path(get, path = "/units", tag = "registry", responses((status = 200, body = [UnitView])), security(("bearer" = [])))]
async fn list_units(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<UnitView>>, ApiError> {
    let units = state.app.reads(&actor).units().await?;
    Ok(Json(units.into_iter().map(|u| UnitView::new(u, state.tz)).collect()))
}

/// One unit with its branches and people.
#[utoipa::path(get, path = "/units/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = UnitDetail), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn get_unit(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<UnitDetail>, ApiError> {
    let reads = state.app.reads(&actor);
    let unit = reads.unit(id).await?;
    let branches = reads.branches(&unit).await?.into_iter().map(|b| BranchView::new(b, state.tz)).collect();
    let people = reads.people(&unit).await?.into_iter().map(|p| PersonView::new(p, state.tz)).collect();
    Ok(Json(UnitDetail { unit: UnitView::new(unit, state.tz), branches, people }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BranchInput {
    pub name: String,
    pub district: Option<String>,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// Add a local branch (属地机构) to a unit.
#[utoipa::path(post, path = "/units/{id}/branches", tag = "registry", params(("id" = i64, Path)), request_body = BranchInput,
    responses((status = 201, body = BranchView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create_branch(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(unit_id): ApiPath<i64>,
    ApiJson(input): ApiJson<BranchInput>,
) -> Result<(StatusCode, Json<BranchView>), ApiError> {
    let draft = BranchDraft::parse(&input.name, input.district.as_deref(), &input.address, input.lat, input.lon)?;
    let branch = state.app.create_branch(&Caller::User(actor), unit_id, draft).await?;
    Ok((StatusCode::CREATED, Json(BranchView::new(branch, state.tz))))
}

/// The branches of a unit.
#[utoipa::path(get, path = "/units/{id}/branches", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = [BranchView]), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn list_branches(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(unit_id): ApiPath<i64>,
) -> Result<Json<Vec<BranchView>>, ApiError> {
    let reads = state.app.reads(&actor);
    let unit = reads.unit(unit_id).await?;
    Ok(Json(reads.branches(&unit).await?.into_iter().map(|b| BranchView::new(b, state.tz)).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PersonInput {
    pub name: String,
    pub phone: Option<String>,
    pub role: Role,
    pub branch_id: Option<i64>,
    /// 部门及职务: department and title.
    pub title: Option<String>,
    /// 办公电话: office phone, with area code and extension as written.
    pub office_phone: Option<String>,
    pub email: Option<String>,
}

/// Add a person to a unit, with their role.
#[utoipa::path(post, path = "/units/{id}/people", tag = "registry", params(("id" = i64, Path)), request_body = PersonInput,
    responses((status = 201, body = PersonView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create_person(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(unit_id): ApiPath<i64>,
    ApiJson(input): ApiJson<PersonInput>,
) -> Result<(StatusCode, Json<PersonView>), ApiError> {
    let details = PersonDetails::parse(input.title.as_deref(), input.office_phone.as_deref(), input.email.as_deref())?;
    let draft =
        PersonDraft::parse(&input.name, input.phone.as_deref(), input.role, input.branch_id)?.with_details(details);
    let person = state.app.create_person(&Caller::User(actor), unit_id, draft).await?;
    Ok((StatusCode::CREATED, Json(PersonView::new(person, state.tz))))
}

/// The people of a unit.
#[utoipa::path(get, path = "/units/{id}/people", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = [PersonView]), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn list_people(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(unit_id): ApiPath<i64>,
) -> Result<Json<Vec<PersonView>>, ApiError> {
    let reads = state.app.reads(&actor);
    let people = reads.people(&reads.unit(unit_id).await?).await?;
    Ok(Json(people.into_iter().map(|p| PersonView::new(p, state.tz)).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChannelInput {
    pub kind: ChannelKind,
    pub address: String,
}

/// Add a paging channel to a person; channels are tried in the order added.
#[utoipa::path(post, path = "/people/{id}/channels", tag = "registry", params(("id" = i64, Path)), request_body = ChannelInput,
    responses((status = 201, body = ChannelView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create_channel(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(person_id): ApiPath<i64>,
    ApiJson(input): ApiJson<ChannelInput>,
) -> Result<(StatusCode, Json<ChannelView>), ApiError> {
    let draft = ChannelDraft::parse(input.kind, &input.address)?;
    let channel = state.app.create_channel(&Caller::User(actor), person_id, draft).await?;
    Ok((StatusCode::CREATED, Json(ChannelView::new(channel, state.tz))))
}

/// Replace a channel's kind and address. An address is written, never read
/// back: the answer shows it masked like every other read.
#[utoipa::path(put, path = "/channels/{id}", tag = "registry", params(("id" = i64, Path)), request_body = ChannelInput,
    responses((status = 200, body = ChannelView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn replace_channel(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(channel_id): ApiPath<i64>,
    ApiJson(input): ApiJson<ChannelInput>,
) -> Result<Json<ChannelView>, ApiError> {
    let draft = ChannelDraft::parse(input.kind, &input.address)?;
    let channel = state.app.replace_channel(&Caller::User(actor), channel_id, draft).await?;
    Ok(Json(ChannelView::new(channel, state.tz)))
}

/// Remove a channel: it is paged no more, and action links sent over it stop working.
#[utoipa::path(delete, path = "/channels/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn remove_channel(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(channel_id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state.app.remove_channel(&Caller::User(actor), channel_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PersonActive {
    /// `false` deactivates: the person is not paged, put on duty, or let in by an action link.
    pub active: bool,
}

/// Deactivate or reactivate a person.
#[utoipa::path(put, path = "/people/{id}/active", tag = "registry", params(("id" = i64, Path)), request_body = PersonActive,
    responses((status = 200, body = PersonView), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn set_person_active(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(person_id): ApiPath<i64>,
    ApiJson(input): ApiJson<PersonActive>,
) -> Result<Json<PersonView>, ApiError> {
    let person = state.app.set_person_active(&Caller::User(actor), person_id, input.active).await?;
    Ok(Json(PersonView::new(person, state.tz)))
}

/// A person's channels in fallback order.
#[utoipa::path(get, path = "/people/{id}/channels", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = [ChannelView]), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn list_channels(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(person_id): ApiPath<i64>,
) -> Result<Json<Vec<ChannelView>>, ApiError> {
    let reads = state.app.reads(&actor);
    let channels = reads.channels(&reads.person(person_id).await?).await?;
    Ok(Json(channels.into_iter().map(|c| ChannelView::new(c, state.tz)).collect()))
}

/// A unit's policy: its override and the effective offsets, in seconds.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitPolicy {
    #[serde(rename = "override")]
    pub overrides: PolicyOverride,
    pub effective: EffectivePolicy,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EffectivePolicy {
    pub ack_target_secs: i64,
    pub escalate_at_secs: i64,
    pub remind_at_secs: i64,
    pub warn_at_secs: i64,
    pub deadline_secs: i64,
    pub at_risk_secs: i64,
}

impl From<&SlaPolicy> for EffectivePolicy {
    fn from(p: &SlaPolicy) -> Self {
        Self {
            ack_target_secs: p.ack_target_secs,
            escalate_at_secs: p.escalate_secs,
            remind_at_secs: p.remind_secs,
            warn_at_secs: p.warn_secs,
            deadline_secs: p.deadline_secs,
            at_risk_secs: p.at_risk_secs,
        }
    }
}

/// Set a unit's escalation policy override (durations like `90m`). Applies to
/// assignments dispatched from now on; running clocks keep their policy.
#[utoipa::path(put, path = "/units/{id}/policy", tag = "registry", params(("id" = i64, Path)), request_body = PolicyOverride,
    responses((status = 200, body = UnitPolicy), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn set_policy(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(unit_id): ApiPath<i64>,
    ApiJson(input): ApiJson<PolicyOverride>,
) -> Result<Json<UnitPolicy>, ApiError> {
    let effective = state.app.set_unit_policy(&Caller::User(actor), unit_id, &input).await?;
    Ok(Json(UnitPolicy { overrides: input, effective: (&effective).into() }))
}

/// A unit's escalation policy override and the policy in effect for it.
#[utoipa::path(get, path = "/units/{id}/policy", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = UnitPolicy), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn get_policy(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(unit_id): ApiPath<i64>,
) -> Result<Json<UnitPolicy>, ApiError> {
    let unit = state.app.reads(&actor).unit(unit_id).await?;
    let effective = effective_policy(&unit, &state.policy);
    Ok(Json(UnitPolicy { overrides: unit.policy_override.clone(), effective: (&effective).into() }))
}
