//! The JSON API under `/api/v1`, and its OpenAPI document.

pub mod assignments;
pub mod attachments;
pub mod bureau;
pub mod closure;
pub mod enterprises;
pub mod instructions;
pub mod notices;
pub mod profiles;
pub mod protection;
pub mod registry_sheet;
pub mod reports;
pub mod rosters;
pub mod screening;
pub mod special_reports;
pub mod test_pages;
pub mod threat_reports;
pub mod units;
pub mod views;
pub mod work_reports;

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
        (name = "attachments", description = "Evidence files on notices, milestones and reports (附件)"),
        (name = "assignments", description = "One notice dispatched to one unit, with its clock"),
        (name = "special-reports", description = "The units' special reports (专项报告) and their review"),
        (name = "threat-reports", description = "The units' threat reports (威胁信息报告), their review, and the month's findings for CAICT"),
        (name = "instructions", description = "The bureau's instructions (工作指示) to the units and each unit's confirmation of reading them"),
        (name = "work-reports", description = "The units' monthly work reports (汇报), due by a day of the following month"),
        (name = "callbacks", description = "Chat apps and phone gateways calling back, signed by the vendor"),
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

/// Every refusal is problem+json, and any operation may be refused for the
/// same reasons (bad or oversized body, no or revoked token, role, scope,
/// state): each operation documents them all with the `Problem` schema, so
/// the document describes every answer the server gives.
struct ProblemResponses;

/// The refusals any operation may give, with what each means.
const REFUSALS: [(&str, &str); 8] = [
    ("400", "Malformed request (body not JSON, bad query)"),
    ("401", "No token, or an unknown, expired or revoked one"),
    ("403", "The role may not do this"),
    ("404", "No such record in the caller's scope"),
    ("409", "Refused in the record's current state"),
    ("413", "Body over the size limit"),
    ("415", "Body not sent as application/json"),
    ("422", "Fields refused, each with its error"),
];

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = || ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                for (status, meaning) in REFUSALS {
                    let description = match responses.get(status) {
                        Some(utoipa::openapi::RefOr::T(r)) if !r.description.is_empty() => r.description.clone(),
                        _ => meaning.to_owned(),
                    };
                    let response = ResponseBuilder::new()
                        .description(description)
                        .content("application/problem+json", problem())
                        .build();
                    responses.insert(status.to_owned(), response.into());
                }
            }
        }
    }
}

/// The API routes, nested under `/api/v1`, the vendors' callbacks
/// (`/callbacks/…`), and `/api/v1/openapi.json` documenting both.
pub fn router() -> Router<AppState> {
    let inner = OpenApiRouter::new()
        .merge(units::router())
        .merge(profiles::router())
        .merge(test_pages::router())
        .merge(notices::router())
        .merge(assignments::router())
        .merge(bureau::router())
        .merge(reports::router())
        .merge(closure::router())
        .merge(rosters::router())
        .merge(protection::router())
        .merge(screening::router())
        .merge(enterprises::router())
        .merge(special_reports::router())
        .merge(threat_reports::router())
        .merge(instructions::router())
        .merge(work_reports::router())
        .merge(attachments::router())
        .merge(registry_sheet::router());
    let (api, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", inner)
        .merge(crate::web::callbacks::router())
        .split_for_parts();
    // After the routes are merged: the derive's modifiers run before them.
    ProblemResponses.modify(&mut doc);
    api.route("/api/v1/openapi.json", get(move || async move { Json(doc) }))
}
