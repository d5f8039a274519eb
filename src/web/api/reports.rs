//! SLA breach reports: JSON, CSV (UTF-8 with BOM) and XLSX, the same numbers
//! in each. A unit user gets its own unit's report only.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::domain::DomainError;
use crate::reports::{Listing, ReportQuery, SlaReportView, csv, sla_report, xlsx};
use crate::web::auth::Authenticated;
use crate::web::extract::ApiQuery;
use crate::web::problem::{ApiError, Problem};
use crate::web::{CSV, XLSX, attachment};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sla)).routes(routes!(sla_csv)).routes(routes!(sla_xlsx))
}

/// The SLA breach report for a period: totals, per unit, per branch, breaches.
#[utoipa::path(get, path = "/reports/sla", tag = "reports", params(ReportQuery),
    responses((status = 200, body = SlaReportView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn sla(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Json<SlaReportView>, ApiError> {
    Ok(Json(sla_report(&state, &actor, &q, Listing::Asked).await?))
}

/// The report as CSV: per-unit figures and the total, or `table=breaches`.
#[utoipa::path(get, path = "/reports/sla.csv", tag = "reports", params(ReportQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn sla_csv(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let report = sla_report(
        &state,
        &actor,
        &q,
        if q.table.as_deref() == Some("breaches") { Listing::All } else { Listing::Asked },
    )
    .await?;
    let (body, name) = match q.table.as_deref() {
        None | Some("units") => (csv::units(&report), "sla-units.csv"),
        Some("breaches") => (csv::breaches(&report), "sla-breaches.csv"),
        Some(_) => {
            let e = crate::domain::FieldError::new(
                "table",
                "unknown",
                "use units or breaches",
                "table 应为 units 或 breaches",
            );
            return Err(DomainError::Invalid(vec![e]).into());
        }
    };
    let body = body.map_err(|e| ApiError::Internal(format!("csv: {e}")))?;
    Ok(attachment(CSV, name, body))
}

/// The report as an Excel workbook: units, branches and breaches sheets.
#[utoipa::path(get, path = "/reports/sla.xlsx", tag = "reports", params(ReportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn sla_xlsx(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let report = sla_report(&state, &actor, &q, Listing::All).await?;
    let body = xlsx::workbook(&report).map_err(|e| ApiError::Internal(format!("xlsx: {e}")))?;
    Ok(attachment(XLSX, "sla-report.xlsx", body))
}
