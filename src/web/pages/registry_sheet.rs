//! The registry's spreadsheet on the units page: a file checked (every bad
//! cell listed, nothing written) or checked and imported, and the export.

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::error::PageError;
use super::registry::{SheetOutcome, units_page};
use super::text::registry_sheet;
use crate::AppState;
use crate::app::AppError;
use crate::domain::DomainError;
use crate::reports::registry_sheet::{MAX_FILE_BYTES, SheetFormat, table_of};
use crate::store::StoreError;
use crate::web::registry_download;
use crate::web::session::{PostedFile, SignedIn};
use crate::web::upload::{UploadError, small_file};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units/import", post(import))
        .route("/units/export", get(export))
        // The file is limited as it is read.
        .layer(DefaultBodyLimit::disable())
}

#[derive(Deserialize)]
struct ExportQuery {
    format: Option<SheetFormat>,
}

async fn export(
    State(state): State<AppState>,
    signed: SignedIn,
    q: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(q) = q.map_err(|e| PageError::BadForm(e.body_text()))?;
    let format = q.format.unwrap_or(SheetFormat::Xlsx);
    let table = state.app.registry_table(&signed.session.caller()).await?;
    registry_download(&table, format).map_err(|e| {
        tracing::error!(error = %e, "registry export failed");
        PageError::Unavailable
    })
}

/// Checks the posted file and, when the form asked, imports it; the units
/// page then says what was (or would be) written, or lists every bad cell.
async fn import(State(state): State<AppState>, posted: PostedFile) -> Result<Response, PageError> {
    let session = &posted.session;
    let commit = posted.fields.get("mode").is_some_and(|m| m == "commit");
    let bytes = match posted.file {
        Ok(file) => small_file(&file, MAX_FILE_BYTES).await,
        Err(e) => Err(e),
    };
    // A file over the limit was refused before the rest of it was read.
    let close = matches!(bytes, Err(UploadError::TooLarge(_)));
    let outcome = match bytes {
        Ok(bytes) => state.app.import_registry(&session.caller(), || table_of(&bytes), commit).await,
        Err(UploadError::Refused(f) | UploadError::TooLarge(f)) => Err(DomainError::Invalid(vec![f]).into()),
        Err(UploadError::Receiving(e)) => {
            tracing::error!(error = %e, "receiving a registry file failed");
            return Err(PageError::Unavailable.back_to("/units"));
        }
        Err(e) => return Err(PageError::BadForm(e.to_string()).back_to("/units")),
    };
    let t = registry_sheet(session.lang);
    let sheet = match outcome {
        Ok(done) => SheetOutcome {
            summary: Some(format!(
                "{}{}",
                (t.summary)(&done.counts, done.committed),
                if commit { "" } else { t.nothing_written }
            )),
            ignored: (!done.ignored_columns.is_empty()).then(|| (t.ignored)(&done.ignored_columns)),
            problems: Vec::new(),
        },
        Err(AppError::Store(StoreError::Domain(DomainError::Invalid(errors)))) => SheetOutcome {
            problems: errors.into_iter().map(|e| (e.field.clone(), e.text(session.lang).to_owned())).collect(),
            ..SheetOutcome::default()
        },
        Err(e) => return Err(PageError::from(e).back_to("/units")),
    };
    let mut page = units_page(&state, session, "/units", None).await?;
    page.sheet = sheet;
    if close {
        return Ok(([(header::CONNECTION, "close")], page).into_response());
    }
    Ok(page.into_response())
}
