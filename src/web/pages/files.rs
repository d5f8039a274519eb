//! Evidence files on the pages: the list a record's page shows (photos as
//! thumbnails, everything else as a download), the upload forms' posts,
//! and the downloads, all through the application layer as the API's are.
//! Nothing uploaded is shown in place but a thumbnail re-drawn from it.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono_tz::Tz;

use super::error::PageError;
use super::text::{FilesText, files};
use crate::AppState;
use crate::domain::DomainError;
use crate::domain::assignment::Milestone;
use crate::domain::attachment::{Attachment, Subject, SubjectKind};
use crate::domain::duration::format_local;
use crate::domain::labels::Lang;
use crate::web::api::attachments::saved;
use crate::web::session::{PostedFile, SignedIn};
use crate::web::upload::UploadError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/files/{id}", get(download))
        .route("/files/{id}/thumbnail", get(thumbnail))
        .route("/notices/{id}/files", post(to_notice))
        .route("/assignments/{id}/files", post(to_assignment))
        .route("/assignments/{id}/closure-report/files", post(to_closure))
        .route("/special-reports/{id}/files", post(to_special_report))
        .route("/threat-reports/{id}/files", post(to_threat_report))
        // Uploads are limited as they are read, by the largest class's size.
        .layer(DefaultBodyLimit::disable())
}

/// One file as a page lists it.
pub struct FileView {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub size: String,
    pub by: String,
    pub at: String,
    /// The milestone or report it is on, where a list mixes them.
    pub on: Option<&'static str>,
    pub thumbnail: bool,
    /// Where a photo was taken, from the site.
    pub place: Option<String>,
    pub far: bool,
}

/// What a record's files section needs: its files and, for those who may
/// add one, where the form posts and what it may be attached to.
#[derive(Template)]
#[template(path = "files.html")]
pub struct FileList {
    pub t: &'static FilesText,
    pub files: Vec<FileView>,
    /// The form's action, for a reader who may attach.
    pub action: Option<String>,
    /// The records the form offers (an assignment's milestones and report).
    pub targets: Vec<(&'static str, &'static str)>,
    pub csrf: String,
    /// The largest file the browser should send.
    pub max_bytes: u64,
}

impl FileList {
    pub fn new(state: &AppState, lang: Lang, files: &[Attachment], csrf: &str) -> Self {
        Self {
            t: self::files(lang),
            files: files.iter().map(|a| view(a, lang, state.tz)).collect(),
            action: None,
            targets: Vec::new(),
            csrf: csrf.to_owned(),
            max_bytes: state.config.evidence.largest(),
        }
    }

    /// Offers the upload form, posting to `action`.
    pub fn with_upload(mut self, allowed: bool, action: String) -> Self {
        self.action = allowed.then_some(action);
        self
    }

    /// Offers a choice of the assignment's milestones and its closure report.
    pub fn on_assignment(mut self, milestones: &[Milestone], lang: Lang) -> Self {
        self.targets = milestones.iter().map(|m| (m.code(), m.label(lang))).collect();
        self.targets.push(("closure_report", self.t.closure_report));
        self
    }
}

/// A size as people read it.
fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{:.0} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

pub fn view(a: &Attachment, lang: Lang, tz: Tz) -> FileView {
    let t = files(lang);
    let on = match a.subject.kind {
        SubjectKind::Milestone => a.subject.milestone.map(|m| m.label(lang)),
        SubjectKind::ClosureReport => Some(t.closure_report),
        _ => None,
    };
    let place = a.place.map(|p| match p.distance_m {
        Some(d) if p.far_from_site => format!("{}，{}", (t.distance)(d), t.far),
        Some(d) => (t.distance)(d),
        None => format!("{:.5}, {:.5}", p.location.lat, p.location.lon),
    });
    FileView {
        id: a.id,
        name: a.name.clone(),
        kind: a.kind.label(lang),
        size: human_size(a.size),
        by: a.uploaded_by.clone(),
        at: format_local(a.uploaded_at, tz),
        on,
        thumbnail: a.thumbnail,
        place: place.or_else(|| a.thumbnail.then(|| t.no_position.to_owned())),
        far: a.place.is_some_and(|p| p.far_from_site),
    }
}

async fn download(State(state): State<AppState>, signed: SignedIn, Path(id): Path<i64>) -> Result<Response, PageError> {
    Ok(saved(state.app.download(&signed.session.caller(), id).await?))
}

async fn thumbnail(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let d = state.app.thumbnail(&signed.session.caller(), id).await?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::X_CONTENT_TYPE_OPTIONS, "nosniff")], d.bytes).into_response())
}

/// Keeps the posted file on `subject`, then returns to `back`; a file the
/// rules refuse is the error page, in the reader's language, with a link
/// back to the record's page.
async fn keep(state: &AppState, posted: PostedFile, subject: Subject, back: String) -> Result<Response, PageError> {
    let page = back.replace("?done=1", "");
    let file = match posted.file {
        Ok(file) => file,
        Err(UploadError::TooLarge(f)) => {
            let refused = PageError::Refused(DomainError::Invalid(vec![f])).back_to(page).into_response();
            return Ok(([(header::CONNECTION, "close")], refused).into_response());
        }
        Err(UploadError::Refused(f)) => return Err(PageError::Refused(DomainError::Invalid(vec![f])).back_to(page)),
        Err(UploadError::Receiving(e)) => {
            tracing::error!(error = %e, "receiving an upload failed");
            return Err(PageError::Unavailable.back_to(page));
        }
        Err(e) => return Err(PageError::BadForm(e.to_string()).back_to(page)),
    };
    let kept = state.app.attach(&posted.session.caller(), subject, file).await;
    kept.map_err(|e| PageError::from(e).back_to(page))?;
    Ok(Redirect::to(&back).into_response())
}

async fn to_notice(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: PostedFile,
) -> Result<Response, PageError> {
    keep(&state, posted, Subject::notice(id), format!("/notices/{id}?done=1#files")).await
}

/// To one of an assignment's milestones, or its closure report (`on`).
async fn to_assignment(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: PostedFile,
) -> Result<Response, PageError> {
    let on = posted.fields.get("on").map(String::as_str).unwrap_or_default();
    let subject = match on {
        "closure_report" => Subject::closure_report(id),
        code => match Milestone::from_code(code).filter(|m| *m != Milestone::Closed) {
            Some(m) => Subject::milestone(id, m),
            None => return Err(PageError::BadForm("on".into())),
        },
    };
    // Back to the card on its notice's page (the role is checked before the scope, so no lookup first).
    keep(&state, posted, subject, format!("/assignments/{id}")).await
}

async fn to_closure(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: PostedFile,
) -> Result<Response, PageError> {
    keep(&state, posted, Subject::closure_report(id), format!("/assignments/{id}/closure-report?done=1#files")).await
}

async fn to_special_report(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: PostedFile,
) -> Result<Response, PageError> {
    keep(&state, posted, Subject::special_report(id), format!("/special-reports/{id}#files")).await
}

async fn to_threat_report(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: PostedFile,
) -> Result<Response, PageError> {
    keep(&state, posted, Subject::threat_report(id), format!("/threat-reports/{id}#files")).await
}
