//! The JSON API under `/api/v1`, and its OpenAPI document.

pub mod assignments;
pub mod bureau;
pub mod closure;
pub mod notices;
pub mod reports;
pub mod units;
pub mod views;

use axum::Json;
use axum::Router;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "onsite", description = "Emergency-response dispatch and SLA tracker (应急响应派单与时限跟踪)"),
    modifiers(&BearerAuth),
    tags(
        (name = "registry", description = "Support units, branches, people and channels"),
        (name = "notices", description = "Emergency-response notices"),
        (name = "assignments", description = "One notice dispatched to one unit, with its clock"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes, nested under `/api/v1`, plus `/api/v1/openapi.json`.
pub fn router() -> Router<AppState> {
    let inner = OpenApiRouter::new()
        .merge(units::router())
        .merge(notices::router())
        .merge(assignments::router())
        .merge(bureau::router())
        .merge(reports::router())
        .merge(closure::router());
    let (api, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", inner).split_for_parts();
    api.route("/api/v1/openapi.json", get(move || async move { Json(doc) }))
}
