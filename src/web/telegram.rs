//! The Telegram webhook (webhook mode): each update is stored in the durable
//! inbox and committed before Telegram gets its 200, then handled from there.
//! Calls without Telegram's secret token are refused.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use secrecy::ExposeSecret;

use crate::AppState;

pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

pub fn router() -> Router<AppState> {
    Router::new().route("/telegram/webhook", post(receive))
}

async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let Some(secret) = &state.config.telegram.webhook_secret else { return StatusCode::NOT_FOUND };
    let given = headers.get(SECRET_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
    if !crate::crypto::same_secret(given, secret.expose_secret().as_bytes()) {
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(update) = serde_json::from_slice::<serde_json::Value>(&body) else { return StatusCode::BAD_REQUEST };
    let Some(id) = update["update_id"].as_i64() else { return StatusCode::BAD_REQUEST };
    match state.store.store_updates(&[(id, update.to_string())], state.clock.now()).await {
        Ok(()) => {
            state.telegram_wake.notify_one();
            StatusCode::OK
        }
        Err(e) => {
            // Telegram retries a failed delivery: nothing is lost.
            tracing::error!(error = %e, "cannot store a Telegram update");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}
