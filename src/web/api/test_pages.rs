//! "Send a test page" over the API: one message to one channel now, and
//! the provider's answer back, because a chat app or gateway set up wrong
//! is found by testing it, not at 3 a.m.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::PageView;
use crate::AppState;
use crate::domain::access::Caller;
use crate::web::auth::Authenticated;
use crate::web::extract::ApiPath;
use crate::web::problem::{ApiError, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(send_test_page))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestPageSent {
    /// The test page after its attempt: `sent`, `failed` (with `error` and
    /// `error_code`), or `queued` to be retried.
    pub page: PageView,
    /// The provider's id for the message or call, when it gave one.
    pub provider_message_id: Option<String>,
}

/// Send a test page (测试呼叫) to one channel now: the answer says what the
/// provider did with it. It never falls over to another channel; a refused
/// address marks the channel broken, as a refused page does.
#[utoipa::path(post, path = "/channels/{id}/test", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = TestPageSent), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
async fn send_test_page(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(channel_id): ApiPath<i64>,
) -> Result<Json<TestPageSent>, ApiError> {
    let page = crate::engine::test_page::send(&state, &Caller::User(actor), channel_id).await?;
    let provider_message_id = page.provider_message_id.clone();
    Ok(Json(TestPageSent { page: PageView::new(page, state.tz), provider_message_id }))
}
