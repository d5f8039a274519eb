//! Telegram as a paging channel: the page text with the milestone buttons
//! under it. Sends are paced to Telegram's limits (30 messages a second
//! overall, one a second and 20 a minute per chat; per instance) by rate
//! limiters that let a send through the moment it is allowed: teloxide's
//! `Throttle` checks its queue every 250 ms, which held every page up to a
//! quarter of a second. A 429 that still happens is retried after its
//! `retry_after`; a chat that blocked the bot, or is gone, breaks the
//! channel so pages fall over to the next.

use onsite_telegram::Lang;
use onsite_telegram::keyboard::{page_buttons, read_button};
use std::num::NonZeroU32;

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use teloxide::prelude::*;
use teloxide::{ApiError, RequestError};

use super::{Channel, Delivery, SendError};

pub struct Telegram {
    bot: Bot,
    overall: DefaultDirectRateLimiter,
    per_chat_second: DefaultKeyedRateLimiter<i64>,
    per_chat_minute: DefaultKeyedRateLimiter<i64>,
}

/// Telegram's documented limits for bots.
const OVERALL_PER_SECOND: NonZeroU32 = NonZeroU32::new(30).expect("non-zero");
const CHAT_PER_SECOND: NonZeroU32 = NonZeroU32::new(1).expect("non-zero");
const CHAT_PER_MINUTE: NonZeroU32 = NonZeroU32::new(20).expect("non-zero");

impl Telegram {
    pub fn new(bot: Bot) -> Self {
        Self {
            bot,
            overall: RateLimiter::direct(Quota::per_second(OVERALL_PER_SECOND)),
            per_chat_second: RateLimiter::keyed(Quota::per_second(CHAT_PER_SECOND)),
            per_chat_minute: RateLimiter::keyed(Quota::per_minute(CHAT_PER_MINUTE)),
        }
    }

    /// Waits until a message to `chat` is within every limit.
    async fn turn(&self, chat: i64) {
        self.per_chat_second.until_key_ready(&chat).await;
        self.per_chat_minute.until_key_ready(&chat).await;
        self.overall.until_ready().await;
    }
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
        self.turn(chat).await;
        let mut request = self.bot.send_message(ChatId(chat), d.text.clone());
        if let Some(assignment_id) = d.buttons_for() {
            request = request.reply_markup(page_buttons(assignment_id, Lang::Zh));
        } else if let Some(receipt_id) = d.body.instruction_receipt_id {
            request = request.reply_markup(read_button(receipt_id, Lang::Zh));
        }
        let sent = request.await.map_err(|e| classify(&e))?;
        Ok(Some(sent.id.0.to_string()))
    }
}
