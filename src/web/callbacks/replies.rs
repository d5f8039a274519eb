//! Reply codes typed back to a page (`1A`: page 1, acknowledged), by SMS
//! or to the DingTalk app's robot: the number stands for an assignment on
//! the channel the reply came from, and the milestone is recorded as the
//! person that channel is, through the application layer.

use super::{CallbackError, Words};
use crate::AppState;
use crate::domain::access::Source;
use crate::domain::labels::Lang;
use crate::domain::reply;
use crate::notify::text::{CHAT_EN, CHAT_ZH};
use crate::store::assignments::Change;
use crate::store::channels::Reached;
use crate::store::reply_codes::ReplyTarget;

/// Records what `text` asks as `reached`'s person; what they are told, or
/// `Unavailable` when the fault is ours (the vendor's retry may get past).
pub async fn record(state: &AppState, reached: Reached, source: Source, text: &str) -> Result<Words, CallbackError> {
    let Some(reply) = reply::parse(text) else {
        return Ok(Words::of(CHAT_ZH.unknown_reply, CHAT_EN.unknown_reply));
    };
    let target = state
        .store
        .reply_target(reached.channel_id, reply.number, state.clock.now())
        .await
        .map_err(|_| CallbackError::Unavailable)?;
    let assignment_id = match target {
        ReplyTarget::Assignment(id) => id,
        ReplyTarget::Expired => return Ok(Words::of(CHAT_ZH.expired_code, CHAT_EN.expired_code)),
        ReplyTarget::Unknown => return Ok(Words::of(CHAT_ZH.unknown_code, CHAT_EN.unknown_code)),
    };
    let caller = reached.person.caller(source);
    match state.app.change_assignment(&caller, assignment_id, Change::milestone(reply.milestone)).await {
        Ok(_) => Ok(Words::of(
            format!(
                "{}：{}（{}{}）",
                CHAT_ZH.recorded,
                reply.milestone.label(Lang::Zh),
                reply.number,
                CHAT_ZH.page_number
            ),
            format!(
                "{}: {} ({} {})",
                CHAT_EN.recorded,
                reply.milestone.label(Lang::En),
                CHAT_EN.page_number,
                reply.number
            ),
        )),
        Err(e) => Words::refusal(&e).ok_or_else(|| {
            tracing::error!(error = %e, source = source.code(), "cannot record a reply code");
            CallbackError::Unavailable
        }),
    }
}
