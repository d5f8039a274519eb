//! A special report's downloads from the signed-in pages: the report as a
//! DOCX in the closure report's house style, and the list as XLSX, both as
//! the reader may see them.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;

use super::error::{PageError, export_failed};
use crate::AppState;
use crate::domain::attachment::Subject;
use crate::reports::special_reports::{detail, docx, exhibits, views, workbook};
use crate::store::special_reports::SpecialReportFilter;
use crate::web::session::SignedIn;
use crate::web::{DOCX, XLSX, attachment};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/special-reports.xlsx", get(list_xlsx))
        .route("/special-reports/{id}/report.docx", get(report_docx))
}

async fn report_docx(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let d = detail(&state, &signed.session.actor, id).await?;
    let files = state.app.exhibits(&signed.session.caller(), Subject::special_report(id)).await?;
    let body = docx(&d, &exhibits(files, state.tz)).map_err(|e| export_failed("docx", e))?;
    Ok(attachment(DOCX, &format!("special-report-{id}.docx"), body))
}

async fn list_xlsx(State(state): State<AppState>, signed: SignedIn) -> Result<Response, PageError> {
    let reads = state.app.reads(&signed.session.actor);
    let reports = reads.special_reports(&SpecialReportFilter::default()).await?;
    let body = workbook(&views(&state, &reads, reports).await?).map_err(|e| export_failed("xlsx", e))?;
    Ok(attachment(XLSX, "special-reports.xlsx", body))
}
