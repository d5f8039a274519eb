//! The outbox step: claim due pages, send them through their channel, and
//! record the outcome: sent, retry with backoff (honouring `retry_after`),
//! or give up on this channel and fall over to the next.

use std::time::Duration;

use rand::Rng;

use crate::AppState;
use crate::config::OutboxConfig;
use crate::domain::clock::to_storage_precision;
use crate::domain::event::DeliveryFailure;
use crate::domain::labels::Lang;
use crate::domain::people::ChannelKind;
use crate::domain::record::Page;
use crate::domain::reply;
use crate::notify::action_link::LINE_PREFIX;
use crate::notify::message::ENGLISH_SEPARATOR;
use crate::notify::{Delivery, SendError};
use crate::store::StoreError;
use crate::store::outbox::Attempt;

/// Pages sent concurrently in one batch (one claim and one record
/// transaction each): 16 delivered a burst at 303/s on PostgreSQL, 32 at
/// 394/s. A batch waits for its slowest send, so it is bounded by the send
/// timeout and by the Telegram sender's inline wait: a page whose chat must
/// wait longer is handed back to the outbox (`Defer`) rather than held
/// under the batch's lease.
const BATCH: u64 = 32;

/// Sends every page due now; returns how many attempts were made.
#[tracing::instrument(skip_all)]
pub async fn send_due(state: &AppState) -> Result<usize, StoreError> {
    let lease = chrono::Duration::from_std(state.config.outbox.lease).unwrap_or(chrono::Duration::seconds(60));
    let mut attempts = 0;
    loop {
        let batch = state.store.claim_pages(state.clock.now(), lease, BATCH).await?;
        if batch.is_empty() {
            return Ok(attempts);
        }
        attempts += batch.len();
        send_claimed(state, &batch).await?;
    }
}

/// Sends pages already claimed and records how each attempt ended.
pub async fn send_claimed(state: &AppState, batch: &[Page]) -> Result<(), StoreError> {
    let mut refused = super::call_limit::refused(state, batch).await;
    let sends = batch.iter().map(|p| {
        let refused = refused.remove(&p.id);
        async move {
            match refused {
                Some(refused) => refused,
                None => attempt(state, p).await,
            }
        }
    });
    let outcomes = futures::future::join_all(sends).await;
    let outcomes: Vec<(&Page, Attempt)> = batch.iter().zip(outcomes).collect();
    for (p, outcome) in &outcomes {
        let label = match outcome {
            Attempt::Sent { .. } => "sent",
            Attempt::Retry { .. } => "retried",
            Attempt::Defer { .. } => "deferred",
            Attempt::GiveUp { .. } => "failed",
        };
        metrics::counter!("onsite_pages_total", "channel" => p.channel_kind.code(), "outcome" => label).increment(1);
    }
    let recorded = state.store.record_attempts(&outcomes, state.clock.now()).await?;
    for ((p, _), kept) in outcomes.iter().zip(recorded) {
        if !kept {
            tracing::warn!(page = p.id, "lost the claim on a page while sending it; another sender has it");
        }
    }
    Ok(())
}

async fn attempt(state: &AppState, p: &Page) -> Attempt {
    let kind = p.channel_kind;
    let Some(channel) = state.channels.get(kind) else {
        let error = format!("no {} sender is configured", kind.code());
        return Attempt::GiveUp { error, failure: DeliveryFailure::NoSender };
    };
    let body = &p.body;
    let mut text = body.text.clone();
    let mut action_url = None;
    if kind != ChannelKind::Telegram
        && let (Some(assignment_id), Some(person_id), Some(channel_id)) = (p.assignment_id, p.person_id, p.channel_id)
    {
        let url = state.action_url(assignment_id, person_id, channel_id);
        text = with_zh_line(&text, &format!("{LINE_PREFIX}{url}"));
        action_url = Some(url);
    } else if kind != ChannelKind::Telegram
        && let (Some(receipt_id), Some(person_id), Some(channel_id)) =
            (body.instruction_receipt_id, p.person_id, p.channel_id)
    {
        let url = state.read_url(receipt_id, person_id, channel_id);
        text = with_zh_line(&text, &format!("{LINE_PREFIX}{url}"));
        action_url = Some(url);
    }
    if kind.takes_reply_codes()
        && let (Some(assignment_id), Some(channel_id)) = (p.assignment_id, p.channel_id)
        && Delivery::carries_buttons(body.reason)
    {
        // Without its number the page still carries the action link.
        match state.store.reply_number(channel_id, assignment_id, state.clock.now()).await {
            Ok(number) => text = with_zh_line(&text, &reply::line(number, Lang::Zh)),
            Err(e) => tracing::warn!(error = %e, page = p.id, "cannot number a page's reply code"),
        }
    }
    let delivery = Delivery {
        address: p.address.clone(),
        idempotency_key: p.idempotency_key.clone(),
        text,
        action_url,
        body: body.clone(),
        sent_at: state.clock.now(),
    };
    let result = channel.send(&delivery).await;
    let now = state.clock.now();
    match result {
        Ok(provider_id) => Attempt::Sent { provider_id },
        Err(SendError::Permanent { reason }) => Attempt::GiveUp { error: reason, failure: DeliveryFailure::Rejected },
        Err(SendError::Deferred { after }) => {
            let after = chrono::Duration::from_std(after).unwrap_or(chrono::Duration::seconds(60));
            Attempt::Defer { at: to_storage_precision(now + after) }
        }
        Err(SendError::Retryable { reason, retry_after }) => {
            if p.attempts >= state.config.outbox.max_attempts {
                let error = format!("{reason} (after {} attempts)", p.attempts);
                return Attempt::GiveUp { error, failure: DeliveryFailure::Exhausted };
            }
            let wait =
                retry_delay(&state.config.outbox, p.attempts, retry_after, rand::thread_rng().gen_range(0.0..=1.0));
            let at =
                to_storage_precision(now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(60)));
            Attempt::Retry { error: reason, at }
        }
    }
}

/// Adds a line to the Chinese part of a page (so it survives an SMS cut
/// to the Chinese text).
fn with_zh_line(text: &str, line: &str) -> String {
    match text.split_once(ENGLISH_SEPARATOR) {
        Some((zh, en)) => format!("{zh}\n{line}{ENGLISH_SEPARATOR}{en}"),
        None => format!("{text}\n{line}"),
    }
}

/// Exponential backoff (base · 2^(attempt−1), capped) plus up to 25% jitter;
/// a provider's `retry_after` is honoured when it asks for longer.
pub fn retry_delay(config: &OutboxConfig, attempt: i32, retry_after: Option<Duration>, jitter: f64) -> Duration {
    let exp = 2u32.saturating_pow(u32::try_from(attempt.max(1) - 1).unwrap_or(0).min(20));
    let backoff = config.backoff_base.saturating_mul(exp).min(config.backoff_max);
    let backoff = backoff + backoff.mul_f64(0.25 * jitter.clamp(0.0, 1.0));
    retry_after.map_or(backoff, |wanted| wanted.max(backoff))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> OutboxConfig {
        OutboxConfig {
            max_attempts: 5,
            backoff_base: Duration::from_secs(2),
            backoff_max: Duration::from_secs(60),
            send_timeout: Duration::from_secs(5),
            lease: Duration::from_secs(60),
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let c = config();
        assert_eq!(retry_delay(&c, 1, None, 0.0), Duration::from_secs(2));
        assert_eq!(retry_delay(&c, 2, None, 0.0), Duration::from_secs(4));
        assert_eq!(retry_delay(&c, 4, None, 0.0), Duration::from_secs(16));
        assert_eq!(retry_delay(&c, 30, None, 0.0), Duration::from_secs(60));
    }

    #[test]
    fn jitter_adds_at_most_a_quarter() {
        let c = config();
        assert_eq!(retry_delay(&c, 2, None, 1.0), Duration::from_secs(5));
        assert!(retry_delay(&c, 2, None, 0.5) > Duration::from_secs(4));
    }

    #[test]
    fn retry_after_is_honoured_exactly_when_longer_than_backoff() {
        let c = config();
        assert_eq!(retry_delay(&c, 1, Some(Duration::from_secs(30)), 0.0), Duration::from_secs(30));
        // A short retry_after never makes a retry come sooner than the backoff.
        assert_eq!(retry_delay(&c, 3, Some(Duration::from_secs(1)), 0.0), Duration::from_secs(8));
    }
}
