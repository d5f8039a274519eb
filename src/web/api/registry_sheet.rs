//! The registry in and out of a spreadsheet over the API: an import (a dry
//! run unless asked to commit) and the export in the same layout.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::app::registry_sheet::RegistryImport;
use crate::domain::access::Caller;
use crate::reports::registry_sheet::{MAX_FILE_BYTES, SheetFormat, table_of};
use crate::web::auth::Authenticated;
use crate::web::extract::ApiQuery;
use crate::web::problem::{ApiError, Problem};
use crate::web::registry_download;
use crate::web::upload::{self, UploadError};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import))
        .routes(routes!(export))
        // The file is limited as it is read.
        .layer(DefaultBodyLimit::disable())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Write the registry; without it the file is only checked (a dry run).
    #[serde(default)]
    pub commit: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `xlsx` (the default) or `csv`.
    pub format: Option<SheetFormat>,
}

/// Import units, branches, people and their channels from an XLSX or CSV
/// file in the layout of the export (the application form's contact
/// table, one row per person). Every bad cell is listed (422, by cell
/// reference such as `C7`) and nothing is written; without `commit=true`
/// the file is only checked. Importing the same file again changes nothing.
#[utoipa::path(post, path = "/registry/import", tag = "registry", params(ImportQuery),
    request_body(content_type = "multipart/form-data", description = "the file in the field `file`"),
    responses((status = 200, body = RegistryImport), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn import(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(q): ApiQuery<ImportQuery>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let multipart = multipart.map_err(|e| ApiError::BadRequest { status: e.status(), detail: e.body_text() })?;
    let file = match upload::file_of(multipart, &state.config.evidence).await {
        Ok(file) => upload::small_file(&file, MAX_FILE_BYTES).await,
        Err(e) => Err(e),
    };
    let bytes = match file {
        Ok(bytes) => bytes,
        Err(e @ UploadError::TooLarge(_)) => {
            return Ok(([(header::CONNECTION, "close")], ApiError::from(e)).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let imported = state.app.import_registry(&Caller::User(actor), || table_of(&bytes), q.commit).await?;
    Ok(Json(imported).into_response())
}

/// The registry as a spreadsheet the import reads back: one row per active
/// person, with their unit and branch (audited: it lists every contact).
#[utoipa::path(get, path = "/registry/export", tag = "registry", params(ExportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn export(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = q.format.unwrap_or(SheetFormat::Xlsx);
    let table = state.app.registry_table(&Caller::User(actor)).await?;
    registry_download(&table, format).map_err(|e| ApiError::Internal(format!("xlsx: {e}")))
}
