//! Telegram as a paging channel: the page text with the milestone buttons
//! under it. Sends keep Telegram's limits for a bot (30 messages in any
//! second overall; to one chat one a second and 20 in any minute) for the
//! whole deployment, every instance counting against the same allowance
//! (`limits`). A send waits for its turn up to `WAIT_INLINE`; a longer wait
//! (a chat's minute used up) hands the page back to the outbox for when it
//! may go, so no batch holds a claim while it waits. A 429 that still
//! happens is retried after its `retry_after`; a chat that blocked the bot,
//! or is gone, breaks the channel so pages fall over to the next.

use std::sync::Arc;
use std::time::{Duration, Instant};

use onsite_telegram::Lang;
use onsite_telegram::keyboard::{page_buttons, read_button};
use teloxide::prelude::*;
use teloxide::{ApiError, RequestError};

use super::{Channel, Delivery, SendError};
use crate::domain::rate::Limit;
use crate::limits::Limits;

pub struct Telegram {
    bot: Bot,
    limits: Arc<Limits>,
}

/// Telegram's documented limits for bots.
const OVERALL: Limit = Limit::new(30, chrono::Duration::seconds(1));
const CHAT_SECOND: Limit = Limit::new(1, chrono::Duration::seconds(1));
const CHAT_MINUTE: Limit = Limit::new(20, chrono::Duration::minutes(1));

/// The longest a send waits for its turn before handing its page back.
const WAIT_INLINE: Duration = Duration::from_secs(2);

impl Telegram {
    pub fn new(bot: Bot, limits: Arc<Limits>) -> Self {
        Self { bot, limits }
    }

    /// Waits until a message to `chat` is within every limit and takes its
    /// place, or says how long the page must wait if that is too long.
    async fn turn(&self, chat: i64) -> Result<(), SendError> {
        let uses = [
            (format!("telegram:chat:{chat}:second"), CHAT_SECOND),
            (format!("telegram:chat:{chat}:minute"), CHAT_MINUTE),
            ("telegram:overall".to_owned(), OVERALL),
        ];
        let asked = Instant::now();
        loop {
            let Err(ready) = self.limits.take(&uses).await else { return Ok(()) };
            let wait = (ready - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO);
            if asked.elapsed() + wait > WAIT_INLINE {
                return Err(SendError::Deferred { after: wait });
            }
            tokio::time::sleep(wait).await;
        }
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
        self.turn(chat).await?;
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
