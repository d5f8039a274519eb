//! Outbound channels behind one trait. The outbox worker hands a `Delivery`
//! to the channel of the page's kind and turns the answer into sent, retry
//! later, or fall over to the next channel.

pub mod action_link;
pub mod app_token;
pub mod buttons;
pub mod demo;
pub mod dingtalk_app;
pub mod feishu_app;
pub mod feishu_crypt;
pub mod message;
pub mod msg_crypt;
pub mod robots;
pub mod sms;
pub mod telegram;
pub mod text;
pub mod voice;
pub mod webhook;
pub mod wecom_app;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::domain::page::PageBody;
use crate::domain::people::ChannelKind;

/// One message to one address, as the provider will receive it.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub address: String,
    /// Stable across retries, so a receiver can drop a repeat.
    pub idempotency_key: String,
    /// The page's text as sent: the body's, with the action link's line
    /// when the channel carries one.
    pub text: String,
    /// The signed action link the text carries on its own line after
    /// `action_link::LINE_PREFIX`, if any: a markdown channel makes that one
    /// line a link and escapes everything else.
    pub action_url: Option<String>,
    /// The page as stored: its title, why it is sent (whether it carries
    /// the milestone buttons), the assignment it is about; channels that
    /// forward the page whole send it as is.
    pub body: PageBody,
    /// When it is sent (from the injected clock): signed robots put it in
    /// their signature.
    pub sent_at: chrono::DateTime<chrono::Utc>,
}

impl Delivery {
    /// The assignment whose milestone buttons the page carries: pages a
    /// unit's people act on carry them, the bureau's do not.
    pub fn buttons_for(&self) -> Option<i64> {
        Self::carries_buttons(self.body.reason).then_some(self.body.assignment_id).flatten()
    }

    /// Whether a page sent for `reason` asks its reader to act.
    pub fn carries_buttons(reason: crate::domain::escalation::PageReason) -> bool {
        use crate::domain::escalation::PageReason;
        matches!(
            reason,
            PageReason::Dispatch
                | PageReason::AckReminder
                | PageReason::AckEscalation
                | PageReason::Reminder
                | PageReason::Warning
        )
    }
}

/// What the provider said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Try again later (5xx, timeout, 429); `retry_after` is the provider's wish.
    #[error("{reason}")]
    Retryable { reason: String, retry_after: Option<Duration> },
    /// Will never work on this channel (bad address, blocked): fall over now.
    #[error("{reason}")]
    Permanent { reason: String },
    /// Not sent: the channel's rate limits allow it only after `after`.
    /// The page goes back to the outbox for then, not counted as a try.
    #[error("held back by the rate limits for {after:?}")]
    Deferred { after: Duration },
}

impl SendError {
    /// A provider that could not be reached (or did not answer in time):
    /// retried later.
    pub fn unreachable(provider: &str, e: &reqwest::Error) -> Self {
        let reason = if e.is_timeout() { "timed out".into() } else { format!("{provider} unreachable") };
        SendError::Retryable { reason, retry_after: None }
    }
}

#[async_trait::async_trait]
pub trait Channel: Send + Sync {
    /// Sends one message; `Ok` carries the provider's message id, if any.
    async fn send(&self, delivery: &Delivery) -> Result<Option<String>, SendError>;
}

/// The senders available in this process, by channel kind.
#[derive(Clone, Default)]
pub struct Channels {
    senders: HashMap<ChannelKind, Arc<dyn Channel>>,
}

impl Channels {
    pub fn with(mut self, kind: ChannelKind, channel: Arc<dyn Channel>) -> Self {
        self.senders.insert(kind, channel);
        self
    }

    pub fn get(&self, kind: ChannelKind) -> Option<Arc<dyn Channel>> {
        self.senders.get(&kind).cloned()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::escalation::PageReason;

    /// A stored dispatch page titled `title`, for channel tests.
    pub(crate) fn dispatch_body(title: &str) -> PageBody {
        PageBody::plain(title.to_owned(), String::new(), PageReason::Dispatch)
    }
}
