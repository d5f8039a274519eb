//! The Telegram bot's background work: long-poll Telegram into the durable
//! inbox, then handle stored updates. Telegram allows one poller per token,
//! so only the instance holding the store's `Exclusive` on it polls; if it
//! dies its session ends and another instance takes over.

use std::sync::Arc;
use std::time::Duration;

use onsite_telegram::{BotCore, handler, poller};
use teloxide::Bot;
use teloxide::requests::Requester;
use teloxide::types::{Me, Update};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::AppState;
use crate::bot::CoreBot;
use crate::store::StoreError;

/// The advisory lock key of the one Telegram poller ("onsite-telegram").
const POLLER_LOCK_KEY: i64 = 0x6f6e_7369_7465_7467;

/// Handles every stored, unhandled update, oldest first, each under a claim
/// so that instances sharing the inbox (webhook mode) never handle one twice
/// at once.
pub async fn handle_inbox(state: &AppState, bot: &Bot) -> Result<usize, StoreError> {
    let core: Arc<dyn BotCore> = Arc::new(CoreBot::new(state.clone()));
    let lease = chrono::Duration::seconds(60);
    let mut handled = 0;
    while let Some(stored) = state.store.claim_update(state.clock.now(), lease).await? {
        match serde_json::from_str::<Update>(&stored.payload) {
            Ok(update) => handler::handle(bot, core.clone(), me(state, bot).await, update).await,
            Err(e) => tracing::warn!(update = stored.update_id, error = %e, "unreadable update skipped"),
        }
        state.store.mark_update_handled(stored.id, state.clock.now()).await?;
        handled += 1;
    }
    Ok(handled)
}

/// The bot's account, asked of Telegram once; without it (Telegram down)
/// commands that name a bot are not taken as ours, and the rest still are.
async fn me<'s>(state: &'s AppState, bot: &Bot) -> Option<&'s Me> {
    match state.telegram_me.get_or_try_init(|| async { bot.get_me().await }).await {
        Ok(me) => Some(me),
        Err(e) => {
            tracing::warn!(error = %e, "cannot ask Telegram for the bot's name");
            None
        }
    }
}

/// Runs the bot until `stop`: the poller (when this instance may), or in
/// webhook mode the handler of what the webhook stored.
pub fn spawn(state: AppState, bot: Bot, stop: watch::Receiver<bool>) -> JoinHandle<()> {
    if state.config.telegram.webhook_url.is_some() {
        tokio::spawn(run_webhook_mode(state, bot, stop))
    } else {
        tokio::spawn(run_polling_mode(state, bot, stop))
    }
}

async fn run_webhook_mode(state: AppState, bot: Bot, mut stop: watch::Receiver<bool>) {
    use secrecy::ExposeSecret;
    use teloxide::prelude::*;
    let (Some(url), Some(secret)) = (&state.config.telegram.webhook_url, &state.config.telegram.webhook_secret) else {
        return;
    };
    let Ok(url) = url::Url::parse(url) else { return };
    let mut registered = false;
    while !*stop.borrow() {
        if !registered {
            match bot.set_webhook(url.clone()).secret_token(secret.expose_secret().to_owned()).await {
                Ok(_) => registered = true,
                Err(e) => tracing::warn!(error = %e, "cannot register the Telegram webhook; retrying"),
            }
        }
        if let Err(e) = handle_inbox(&state, &bot).await {
            tracing::error!(error = %e, "handling Telegram updates failed");
        }
        tokio::select! {
            () = state.telegram_wake.notified() => {}
            () = tokio::time::sleep(state.config.engine.poll_interval) => {}
            _ = stop.changed() => {}
        }
    }
}

async fn run_polling_mode(state: AppState, bot: Bot, mut stop: watch::Receiver<bool>) {
    let core = CoreBot::new(state.clone());
    let timeout = u32::try_from(state.config.telegram.poll_timeout.as_secs()).unwrap_or(25);
    // Held for as long as this instance polls.
    let mut lock = None;
    while !*stop.borrow() {
        if lock.is_none() {
            lock = state.store.try_exclusive(POLLER_LOCK_KEY).await;
            if lock.is_none() {
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(5)) => continue,
                    _ = stop.changed() => break,
                }
            }
            tracing::info!("this instance now polls Telegram");
        }
        let polled = tokio::select! {
            r = poller::poll_once(&bot, &core, timeout) => r,
            _ = stop.changed() => break,
        };
        if let Err(e) = polled {
            tracing::warn!(error = %e, "Telegram poll failed; retrying");
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        if let Err(e) = handle_inbox(&state, &bot).await {
            tracing::error!(error = %e, "handling Telegram updates failed");
        }
    }
    drop(lock);
}
