//! Durable long polling. Each batch of updates is handed to the inbox, which
//! must commit them before this returns; only then does the next request
//! move Telegram's offset past them. A crash therefore loses no update, and
//! a redelivered one is dropped by the inbox (keyed on `update_id`).

use teloxide::prelude::*;

use crate::core::BotError;

#[async_trait::async_trait]
pub trait Inbox: Send + Sync {
    /// The offset to ask for next: the highest stored `update_id` + 1.
    async fn next_offset(&self) -> Result<i32, BotError>;
    /// Stores updates (id, raw JSON), ignoring ids already stored.
    async fn store(&self, updates: &[(i64, String)]) -> Result<(), BotError>;
}

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error("telegram: {0}")]
    Telegram(#[from] teloxide::RequestError),
    #[error("inbox: {0}")]
    Inbox(#[from] BotError),
    #[error("cannot store an update: {0}")]
    Encode(#[from] serde_json::Error),
}

/// One long poll: fetch, store durably; returns how many updates arrived.
pub async fn poll_once(bot: &Bot, inbox: &dyn Inbox, timeout_secs: u32) -> Result<usize, PollError> {
    let offset = inbox.next_offset().await?;
    let updates = bot.get_updates().offset(offset).timeout(timeout_secs).await?;
    let raw = updates
        .iter()
        .map(|u| Ok((i64::from(u.id.0), serde_json::to_string(u)?)))
        .collect::<Result<Vec<_>, serde_json::Error>>()?;
    inbox.store(&raw).await?;
    Ok(raw.len())
}
