//! "Send a test page" (发送测试呼叫): the application layer decides and
//! writes the page already claimed; it is sent here at once, through the
//! same outbox step as every page, so the asker sees the provider's answer
//! (sent with its message id, refused and why, or to be retried).

use crate::AppState;
use crate::app::AppResult;
use crate::domain::access::Caller;
use crate::domain::record::Page;

/// Sends a test page to channel `channel_id` for `caller`; the page as it
/// stands after the attempt.
pub async fn send(state: &AppState, caller: &Caller, channel_id: i64) -> AppResult<Page> {
    let lease = chrono::Duration::from_std(state.config.outbox.lease).unwrap_or(chrono::Duration::seconds(60));
    let page = state.app.claim_test_page(caller, channel_id, lease).await?;
    super::outbox::send_claimed(state, std::slice::from_ref(&page)).await?;
    Ok(state.store.page(page.id).await?)
}
