//! SLA breach reports: JSON, CSV (UTF-8 with BOM) and XLSX, the same numbers
//! in each. A unit user gets its own unit's report only.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::domain::DomainError;
use crate::domain::access::Actor;
use crate::domain::notice::{Category, Severity};
use crate::domain::period::{self, Period};
use crate::domain::report;
use crate::reports::{SlaReportView, csv, xlsx};
use crate::store::reports::ReportFilter;
use crate::web::auth::Authenticated;
use crate::web::extract::ApiQuery;
use crate::web::problem::{ApiError, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sla)).routes(routes!(sla_csv)).routes(routes!(sla_xlsx))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// `YYYY`, `YYYY-MM` or `YYYY-Qn` on the Asia/Shanghai calendar; default this month.
    pub period: Option<String>,
    /// First day `YYYY-MM-DD` (with `to`, instead of `period`).
    pub from: Option<String>,
    /// Last day `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    pub unit_id: Option<i64>,
    pub branch_id: Option<i64>,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    /// CSV only: `units` (default) or `breaches`.
    pub table: Option<String>,
}

/// Builds the report the query asks for, within the actor's scope.
pub async fn build(state: &AppState, actor: &Actor, q: &ReportQuery) -> Result<SlaReportView, ApiError> {
    let period = period_of(state, q)?;
    if let Some(unit) = q.unit_id {
        state.store.unit(actor.scope(), unit).await?;
    }
    let filter =
        ReportFilter { period, unit_id: q.unit_id, branch_id: q.branch_id, category: q.category, severity: q.severity };
    let rows = state.store.report_rows(actor.scope(), &filter).await?;
    let now = state.clock.now();
    let built = report::build(&rows.facts, now);
    let notice_ids: Vec<i64> = built.breaches.iter().map(|b| b.notice_id).collect();
    let titles = state.store.notice_titles(&notice_ids).await?;
    Ok(SlaReportView::new(built, &rows, &titles, period, state.tz, now))
}

fn period_of(state: &AppState, q: &ReportQuery) -> Result<Period, ApiError> {
    let parsed = match (&q.period, &q.from, &q.to) {
        (Some(p), None, None) => period::named(p, state.tz),
        (None, Some(from), Some(to)) => period::custom(from, to, state.tz),
        (None, None, None) => {
            let month = state.clock.now().with_timezone(&state.tz).format("%Y-%m").to_string();
            period::named(&month, state.tz)
        }
        _ => Err(crate::domain::FieldError::new(
            "period",
            "invalid_period",
            "give either period, or both from and to",
            "请指定 period，或同时指定 from 和 to",
        )),
    };
    parsed.map_err(|e| ApiError::from(DomainError::Invalid(vec![e])))
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
    Ok(Json(build(&state, &actor, &q).await?))
}

fn attachment(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
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
    let report = build(&state, &actor, &q).await?;
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
    Ok(attachment("text/csv; charset=utf-8", name, body))
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
    let report = build(&state, &actor, &q).await?;
    let body = xlsx::workbook(&report).map_err(|e| ApiError::Internal(format!("xlsx: {e}")))?;
    Ok(attachment("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "sla-report.xlsx", body))
}
