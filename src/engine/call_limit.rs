//! The voice channel's limit per number (`[voice] calls_per_window` within
//! `call_window`), so a storm of pages cannot ring a phone without end: a
//! call past it is not placed, and its page falls over to the person's next
//! channel. The calls of the batch about to be sent count with those
//! already sent.

use std::collections::HashMap;

use crate::AppState;
use crate::domain::event::DeliveryFailure;
use crate::domain::people::ChannelKind;
use crate::domain::record::Page;
use crate::store::outbox::Attempt;

/// The batch's calls past the limit, by page id, each given up. A count
/// that cannot be read lets its calls through.
pub async fn refused(state: &AppState, batch: &[Page]) -> HashMap<i64, Attempt> {
    let v = &state.config.voice;
    let window = chrono::Duration::from_std(v.call_window).unwrap_or(chrono::Duration::minutes(15));
    let since = state.clock.now() - window;
    let mut calls: HashMap<&str, u64> = HashMap::new();
    let mut refused = HashMap::new();
    for p in batch.iter().filter(|p| p.channel_kind == ChannelKind::Voice) {
        let placed = match calls.get(p.address.as_str()) {
            Some(n) => *n,
            None => match state.store.calls_since(&p.address, since).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, page = p.id, "cannot count the calls to a number");
                    continue;
                }
            },
        };
        if placed >= u64::from(v.calls_per_window) {
            let error = format!("{placed} calls within {} already", humantime::format_duration(v.call_window));
            refused.insert(p.id, Attempt::GiveUp { error, failure: DeliveryFailure::CallLimit });
            calls.insert(&p.address, placed);
        } else {
            calls.insert(&p.address, placed + 1);
        }
    }
    refused
}
