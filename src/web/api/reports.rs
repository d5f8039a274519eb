//! SLA breach reports: JSON, CSV (UTF-8 with BOM) and XLSX, the same numbers
//! in each. A unit user gets its own unit's report only.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::domain::DomainError;
use crate::reports::{Listing, ReportQuery, SlaReportView, csv, filter_of, sla_json, sla_report, xlsx};
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
) -> Result<Response, ApiError> {
    let json = sla_json(&state, &actor, &q).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
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
    match q.table.as_deref() {
        None | Some("units") => {
            let report = sla_report(&state, &actor, &q, Listing::Asked).await?;
            let body = csv::units(&report).map_err(|e| ApiError::Internal(format!("csv: {e}")))?;
            Ok(attachment(CSV, "sla-units.csv", body))
        }
        Some("breaches") => {
            let filter = filter_of(&state, &actor, &q, Listing::All).await?;
            let body = axum::body::Body::from_stream(csv::breach_stream(state, actor, filter));
            Ok(attachment(CSV, "sla-breaches.csv", body))
        }
        Some(_) => {
            let e = crate::domain::FieldError::new(
                "table",
                "unknown",
                "use units or breaches",
                "table 应为 units 或 breaches",
            );
            Err(DomainError::Invalid(vec![e]).into())
        }
    }
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
