//! Telegram as a paging channel: the page text with the milestone buttons
//! under it. Sends go through teloxide's throttle (Telegram's per-chat and
//! global limits, per instance); a 429 that still happens is retried after
//! its `retry_after`; a chat that blocked the bot, or is gone, breaks the
//! channel so pages fall over to the next.

use onsite_telegram::Lang;
use onsite_telegram::keyboard::page_buttons;
use teloxide::adaptors::Throttle;
use teloxide::adaptors::throttle::{Limits, Settings};
use teloxide::prelude::*;
use teloxide::{ApiError, RequestError};

use super::{Channel, Delivery, SendError};
use crate::domain::escalation::PageReason;

pub struct Telegram {
    bot: Throttle<Bot>,
}

impl Telegram {
    /// Wraps `bot` in the throttle; must be called inside the runtime. The
    /// throttle does not retry a 429 itself: the outbox does, durably.
    pub fn new(bot: Bot) -> Self {
        Self { bot: Throttle::spawn_with_settings(bot, Settings::default().limits(Limits::default()).no_retry()) }
    }
}

/// Pages a unit's people act on carry the buttons; the bureau's do not.
fn has_buttons(body: &serde_json::Value) -> Option<i64> {
    let reason = body["reason"].as_str().and_then(PageReason::from_code)?;
    matches!(
        reason,
        PageReason::Dispatch
            | PageReason::AckReminder
            | PageReason::AckEscalation
            | PageReason::Reminder
            | PageReason::Warning
    )
    .then(|| body["assignment_id"].as_i64())
    .flatten()
}

/// How a Telegram error bears on the page.
pub fn classify(e: &RequestError) -> SendError {
    match e {
        RequestError::RetryAfter(secs) => {
            SendError::Retryable { reason: "rate limited by Telegram (429)".into(), retry_after: Some(secs.duration()) }
        }
        RequestError::Api(
            api @ (ApiError::BotBlocked
            | ApiError::ChatNotFound
            | ApiError::UserDeactivated
            | ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
            | ApiError::BotKickedFromChannel
            | ApiError::CantInitiateConversation),
        ) => SendError::Permanent { reason: format!("telegram: {api}") },
        RequestError::Api(api) => SendError::Retryable { reason: format!("telegram: {api}"), retry_after: None },
        RequestError::Network(_) | RequestError::Io(_) => {
            SendError::Retryable { reason: "telegram unreachable".into(), retry_after: None }
        }
        other => SendError::Retryable { reason: format!("telegram: {other}"), retry_after: None },
    }
}

#[async_trait::async_trait]
impl Channel for Telegram {
    async fn send(&self, d: &Delivery) -> Result<Option<String>, SendError> {
        let chat: i64 =
            d.address.parse().map_err(|_| SendError::Permanent { reason: "not a Telegram chat id".into() })?;
        let mut request = self.bot.send_message(ChatId(chat), d.text.clone());
        if let Some(assignment_id) = has_buttons(&d.body) {
            request = request.reply_markup(page_buttons(assignment_id, Lang::Zh));
        }
        let sent = request.await.map_err(|e| classify(&e))?;
        Ok(Some(sent.id.0.to_string()))
    }
}
