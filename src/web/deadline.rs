//! How long a request may take once its headers are in: `[http]
//! request_timeout`, except the upload of an evidence file, which may be a
//! 200 MiB capture sent over a field link and has `[evidence]
//! upload_timeout`. Past its deadline a request is answered 503.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The two deadlines.
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    pub request: Duration,
    pub upload: Duration,
}

/// A file posted to a record: the API's `…/attachments`, the pages'
/// `…/files`, the action page's `…/photo`.
fn is_upload(request: &Request) -> bool {
    let path = request.uri().path();
    request.method() == Method::POST && ["/attachments", "/files", "/photo"].iter().any(|end| path.ends_with(end))
}

pub async fn deadline(State(limits): State<Deadlines>, request: Request, next: Next) -> Response {
    let limit = if is_upload(&request) { limits.upload } else { limits.request };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
