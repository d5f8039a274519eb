//! The bureau's contacts over the API: who at the bureau is paged.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::BureauContactView;
use crate::AppState;
use crate::domain::access::Caller;
use crate::domain::people::{BureauRole, ChannelKind, ContactDraft};
use crate::web::auth::Authenticated;
use crate::web::extract::ApiJson;
use crate::web::problem::{ApiError, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_contact, list_contacts))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ContactInput {
    pub name: String,
    pub role: BureauRole,
    pub kind: ChannelKind,
    pub address: String,
}

/// Add a bureau contact (duty officer or manager) and the channel they are paged on.
#[utoipa::path(post, path = "/bureau-contacts", tag = "registry", request_body = ContactInput,
    responses((status = 201, body = BureauContactView), (status = 422, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn create_contact(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<ContactInput>,
) -> Result<(StatusCode, Json<BureauContactView>), ApiError> {
    let draft = ContactDraft::parse(&input.name, input.role, input.kind, &input.address)?;
    let contact = state.app.create_bureau_contact(&Caller::User(actor), draft).await?;
    Ok((StatusCode::CREATED, Json(BureauContactView::new(contact, state.tz))))
}

/// The bureau's contacts.
#[utoipa::path(get, path = "/bureau-contacts", tag = "registry",
    responses((status = 200, body = [BureauContactView]), (status = 403, body = Problem)), security(("bearer" = [])))]
async fn list_contacts(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<BureauContactView>>, ApiError> {
    let contacts = state.app.bureau_contacts(&Caller::User(actor)).await?;
    Ok(Json(contacts.into_iter().map(|c| BureauContactView::new(c, state.tz)).collect()))
}
