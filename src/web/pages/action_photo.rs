//! `/a/{token}/photo`: an on-site photo from the action link's phone page,
//! kept on the assignment's on-site milestone as the person the link names.
//! Its EXIF position is judged against the site like a shared location:
//! flagged, not refused. The page comes back saying what was kept.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use super::action::{invalid, page, refused, resolve, throttled};
use super::text::{ACTION_EN as EN, ACTION_ZH as ZH, files};
use crate::AppState;
use crate::app::AppError;
use crate::domain::access::Source;
use crate::domain::assignment::Milestone;
use crate::domain::attachment::{Attachment, Subject};
use crate::domain::labels::Lang;
use crate::store::StoreError;
use crate::web::upload::{UploadError, file_of};

pub fn router() -> Router<AppState> {
    Router::new().route("/a/{token}/photo", post(photo)).layer(DefaultBodyLimit::disable())
}

/// What the person is told of a kept photo: where it was taken, from the site.
fn kept(a: &Attachment) -> String {
    let (zh, en) = (files(Lang::Zh), files(Lang::En));
    let mut text = format!("{} · {}", ZH.photo_kept, EN.photo_kept);
    if let Some(d) = a.place.and_then(|p| p.distance_m) {
        text.push_str(&format!("（{} · {}）", (zh.distance)(d), (en.distance)(d)));
    }
    if a.place.is_some_and(|p| p.far_from_site) {
        text.push_str(&format!(" {}，{} · {}", zh.far, ZH.flagged, EN.flagged));
    }
    text
}

async fn photo(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    if let Some(refused) = throttled(&state, client).await {
        return refused;
    }
    let Some((grant, person)) = resolve(&state, &token).await else { return invalid() };
    let file = match multipart {
        Ok(m) => file_of(m, &state.config.evidence).await,
        Err(e) => Err(UploadError::Malformed(e.body_text())),
    };
    let mut close = false;
    let (status, flash) = match file {
        Err(UploadError::TooLarge(f)) => {
            close = true;
            (StatusCode::UNPROCESSABLE_ENTITY, (false, refused(&f.message_zh, &f.message)))
        }
        Err(UploadError::Refused(f)) => (StatusCode::UNPROCESSABLE_ENTITY, (false, refused(&f.message_zh, &f.message))),
        Err(UploadError::Receiving(e)) => {
            tracing::error!(error = %e, "receiving an on-site photo failed");
            (StatusCode::SERVICE_UNAVAILABLE, (false, format!("{} · {}", ZH.unavailable, EN.unavailable)))
        }
        Err(e) => (StatusCode::BAD_REQUEST, (false, refused("无法读取上传内容", &e.to_string()))),
        Ok(file) => {
            let subject = Subject::milestone(grant.assignment_id, Milestone::OnSite);
            match state.app.attach(&person.caller(Source::Web), subject, file).await {
                Ok(a) => (StatusCode::OK, (true, kept(&a))),
                Err(AppError::Store(StoreError::Domain(d))) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, (false, refused(&d.text(Lang::Zh), &d.text(Lang::En))))
                }
                Err(AppError::Store(StoreError::NotFound { .. })) => return invalid(),
                Err(e) => {
                    tracing::error!(error = %e, "on-site photo failed");
                    (StatusCode::SERVICE_UNAVAILABLE, (false, format!("{} · {}", ZH.unavailable, EN.unavailable)))
                }
            }
        }
    };
    let Some(p) = page(&state, &token, grant, &person, Some(flash)).await else { return invalid() };
    let mut response = (status, p).into_response();
    if close {
        response.headers_mut().insert(header::CONNECTION, header::HeaderValue::from_static("close"));
    }
    response
}
