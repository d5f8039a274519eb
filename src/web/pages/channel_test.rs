//! "发送测试呼叫" on a unit's page: one test page to one channel now, and
//! the provider's answer as the page's flash: sent (with the provider's
//! message id), refused and why, or to be retried. Administrators also see
//! the provider's own words.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::post;

use super::error::{PageError, refusal};
use super::registry::{Empty, UnitPage, unit_page};
use super::text::ui;
use crate::AppState;
use crate::domain::access::UserRole;
use crate::domain::event::DeliveryStatus;
use crate::domain::labels::Lang;
use crate::domain::record::Page;
use crate::web::session::Posted;

pub fn router() -> Router<AppState> {
    Router::new().route("/channels/{id}/test", post(test))
}

async fn test(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<Empty>,
) -> Result<UnitPage, PageError> {
    let session = &posted.session;
    let lang = session.lang;
    let flash = match crate::engine::test_page::send(&state, &session.caller(), id).await {
        Ok(page) => answer(&page, lang, session.actor.role == UserRole::Admin),
        Err(e) => (true, refusal(e, lang)?),
    };
    let reads = state.app.reads(&session.actor);
    let person = reads.person(reads.channel(id).await?.person_id).await?;
    unit_page(&state, session, person.unit_id, Some(flash), None).await
}

/// What the provider did with the test page (`true`: it did not arrive).
fn answer(page: &Page, lang: Lang, admin: bool) -> (bool, String) {
    let t = ui(lang);
    let channel = page.channel_kind.label(lang);
    if page.status == DeliveryStatus::Sent {
        let id = page.provider_message_id.as_deref().map(|id| format!(" ({} {id})", t.provider_id)).unwrap_or_default();
        return (false, format!("{}: {channel} · {}{id}", t.test_sent, page.recipient));
    }
    let heading = if page.status == DeliveryStatus::Failed { t.test_failed } else { t.test_retrying };
    let why = page.failure.map(|f| f.label(lang)).unwrap_or_default();
    let words = page.last_error.as_deref().filter(|_| admin).map(|e| format!(" — {e}")).unwrap_or_default();
    (true, format!("{heading}: {channel} · {} · {why}{words}", page.recipient))
}
