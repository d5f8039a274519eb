//! The unit's profile as the application form has it, and its credentials,
//! over the API: the unit keeps its own, the bureau any unit's, managers
//! read; the credentials lapsing soon across the caller's scope.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::domain::DomainError;
use crate::domain::access::{Actor, Caller};
use crate::domain::profile::credential::{
    Credential, CredentialDraft, CredentialInput, CredentialKind, Expiry, WARN_DAYS,
};
use crate::domain::profile::{ContactRole, ProfileDraft, ProfileInput};
use crate::store::StoreResult;
use crate::web::auth::Authenticated;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::problem::{ApiError, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_profile, put_profile))
        .routes(routes!(add_credential, list_credentials))
        .routes(routes!(remove_credential))
        .routes(routes!(expiring))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactView {
    pub role: ContactRole,
    pub name: String,
    pub position: Option<String>,
    pub mobile: String,
    pub office_phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentView {
    pub signed_on: NaiveDate,
    pub signatory: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BranchProfileView {
    pub branch_id: i64,
    pub branch_name: String,
    pub floor_area: Option<String>,
    pub staff_count: Option<u32>,
    pub security_lead: Option<String>,
    pub security_lead_mobile: Option<String>,
    /// The signed emergency-response commitment (附件3).
    pub commitment: Option<CommitmentView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileView {
    pub unit_id: i64,
    pub registered_capital: Option<String>,
    pub legal_representative: Option<String>,
    pub founded_on: Option<NaiveDate>,
    pub business_term: Option<String>,
    pub business_scope: Option<String>,
    pub registration_authority: Option<String>,
    /// In the form's order of roles.
    pub contacts: Vec<ContactView>,
    pub branches: Vec<BranchProfileView>,
    /// What the form still lacks: `contact:<role>`, `legal_representative`,
    /// `commitment:<branch id>` for each of the unit's branches not signed.
    pub gaps: Vec<String>,
    pub updated_at: Option<DateTime<FixedOffset>>,
}

async fn profile_view(state: &AppState, actor: &Actor, unit_id: i64) -> StoreResult<ProfileView> {
    let reads = state.app.reads(actor);
    let profile = reads.profile(unit_id).await?;
    let branches = reads.branches(&profile).await?;
    let names: HashMap<i64, String> = branches.iter().map(|b| (b.id, b.name.clone())).collect();
    let gaps = profile.gaps(&branches.iter().map(|b| b.id).collect::<Vec<_>>());
    let c = profile.content;
    Ok(ProfileView {
        unit_id,
        registered_capital: c.registered_capital,
        legal_representative: c.legal_representative,
        founded_on: c.founded_on,
        business_term: c.business_term,
        business_scope: c.business_scope,
        registration_authority: c.registration_authority,
        contacts: c
            .contacts
            .into_iter()
            .map(|k| ContactView {
                role: k.role,
                name: k.name,
                position: k.position,
                mobile: k.mobile,
                office_phone: k.office_phone,
                email: k.email,
            })
            .collect(),
        branches: c
            .branches
            .into_iter()
            .map(|b| BranchProfileView {
                branch_name: names.get(&b.branch_id).cloned().unwrap_or_default(),
                branch_id: b.branch_id,
                floor_area: b.floor_area,
                staff_count: b.staff_count,
                security_lead: b.security_lead,
                security_lead_mobile: b.security_lead_mobile,
                commitment: b.commitment.map(|k| CommitmentView { signed_on: k.signed_on, signatory: k.signatory }),
            })
            .collect(),
        gaps,
        updated_at: profile.updated_at.map(|t| crate::reports::local(t, state.tz)),
    })
}

/// A unit's profile as the application form has it.
#[utoipa::path(get, path = "/units/{id}/profile", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = ProfileView), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn get_profile(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProfileView>, ApiError> {
    Ok(Json(profile_view(&state, &actor, id).await?))
}

/// Replace a unit's profile: statutory facts, the four contacts, each
/// branch's office, size, staff and signed commitment.
#[utoipa::path(put, path = "/units/{id}/profile", tag = "registry", params(("id" = i64, Path)), request_body = ProfileInput,
    responses((status = 200, body = ProfileView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn put_profile(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ProfileInput>,
) -> Result<Json<ProfileView>, ApiError> {
    let draft = ProfileDraft::parse(&input)?;
    state.app.put_profile(&Caller::User(actor.clone()), id, draft).await?;
    Ok(Json(profile_view(&state, &actor, id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialView {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: CredentialKind,
    pub name: String,
    pub holder: Option<String>,
    pub number: Option<String>,
    pub issuer: Option<String>,
    pub valid_until: Option<NaiveDate>,
    /// Where it stands today (display zone), warned `WARN_DAYS` ahead.
    pub expiry: Expiry,
}

fn credential_views(state: &AppState, found: Vec<Credential>, units: &HashMap<i64, String>) -> Vec<CredentialView> {
    let today = crate::reports::today(state);
    found
        .into_iter()
        .map(|c| CredentialView {
            expiry: c.content.expiry(today, WARN_DAYS),
            id: c.id,
            unit_name: units.get(&c.unit_id).cloned().unwrap_or_default(),
            unit_id: c.unit_id,
            kind: c.content.kind,
            name: c.content.name,
            holder: c.content.holder,
            number: c.content.number,
            issuer: c.content.issuer,
            valid_until: c.content.valid_until,
        })
        .collect()
}

async fn listed(
    state: &AppState,
    actor: &Actor,
    unit_id: Option<i64>,
    until: Option<NaiveDate>,
) -> StoreResult<Vec<CredentialView>> {
    let reads = state.app.reads(actor);
    let found = reads.credentials(unit_id, until).await?;
    let units = reads.unit_names(&found.iter().map(|c| c.unit_id).collect::<Vec<_>>()).await?;
    Ok(credential_views(state, found, &units))
}

/// Record a unit's qualification or a staff certificate.
#[utoipa::path(post, path = "/units/{id}/credentials", tag = "registry", params(("id" = i64, Path)), request_body = CredentialInput,
    responses((status = 201, body = CredentialView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn add_credential(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<CredentialInput>,
) -> Result<(StatusCode, Json<CredentialView>), ApiError> {
    let draft = CredentialDraft::parse(&input)?;
    let saved = state.app.add_credential(&Caller::User(actor.clone()), id, draft).await?;
    let units = state.app.reads(&actor).unit_names(&[id]).await?;
    let view = credential_views(&state, vec![saved], &units).remove(0);
    Ok((StatusCode::CREATED, Json(view)))
}

/// A unit's credentials, those lapsing soonest first.
#[utoipa::path(get, path = "/units/{id}/credentials", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = [CredentialView]), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn list_credentials(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<CredentialView>>, ApiError> {
    Ok(Json(listed(&state, &actor, Some(id), None).await?))
}

/// Remove a credential from a unit's profile.
#[utoipa::path(delete, path = "/units/{id}/credentials/{credential_id}", tag = "registry",
    params(("id" = i64, Path), ("credential_id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn remove_credential(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath((id, credential_id)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    state.app.remove_credential(&Caller::User(actor), id, credential_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpiringQuery {
    /// Days ahead, 0 to 3650 (default 60): lapsed ones are listed too.
    pub within_days: Option<i64>,
}

/// Credentials in the caller's scope lapsed or lapsing within the days
/// asked, soonest first: the reminders' list.
#[utoipa::path(get, path = "/credentials/expiring", tag = "registry", params(ExpiringQuery),
    responses((status = 200, body = [CredentialView]), (status = 422, body = Problem)), security(("bearer" = [])))]
async fn expiring(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(q): ApiQuery<ExpiringQuery>,
) -> Result<Json<Vec<CredentialView>>, ApiError> {
    let days = q.within_days.unwrap_or(WARN_DAYS);
    if !(0..=3650).contains(&days) {
        return Err(DomainError::field(
            "within_days",
            "out_of_range",
            "within_days is 0 to 3650",
            "within_days 应在 0 到 3650 之间",
        )
        .into());
    }
    let today = crate::reports::today(&state);
    let until = today + chrono::Duration::days(days);
    Ok(Json(listed(&state, &actor, None, Some(until)).await?))
}
