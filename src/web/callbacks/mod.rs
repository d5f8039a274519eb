//! The doors chat apps and phone gateways call back on (`/callbacks/…`):
//! each proves the vendor signed the call, finds the person the sender is
//! (a channel of theirs), and asks the application layer, which decides.
//! What they share: the freshness window, the receipt that keeps a retried
//! callback from being applied twice, the words of a refusal, and the one
//! conversion of their errors to problem+json in both languages.

pub mod dingtalk;
pub mod feishu;
pub mod replies;
pub mod sms;
pub mod sms_reports;
pub mod voice;
pub mod wecom;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::app::AppError;
use crate::domain::DomainError;
use crate::domain::labels::Lang;
use crate::notify::text::{CHAT_EN, CHAT_ZH};
use crate::notify::webhook::{SIGNATURE_HEADER, verify};
use crate::store::StoreError;
use crate::web::problem::Problem;

/// The doors, documented in the OpenAPI document beside the API.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(wecom::router())
        .merge(feishu::router())
        .merge(dingtalk::router())
        .merge(sms::router())
        .merge(voice::router())
}

/// A callback signed further than this from now is refused: a recorded
/// callback replayed later proves nothing.
pub const FRESHNESS: Duration = Duration::minutes(5);

#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    #[error("this callback is not configured")]
    NotConfigured,
    #[error("malformed callback: {0}")]
    Malformed(&'static str),
    #[error("the callback's timestamp is missing or too far from now")]
    Stale,
    #[error("the signature does not match")]
    Signature,
    #[error("the callback is addressed to another corp or app")]
    OtherReceiver,
    #[error("temporarily unavailable")]
    Unavailable,
}

impl CallbackError {
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Self::NotConfigured => (StatusCode::NOT_FOUND, "not_configured", "此回调未配置"),
            Self::Malformed(_) => (StatusCode::BAD_REQUEST, "malformed", "回调格式错误"),
            Self::Stale => (StatusCode::BAD_REQUEST, "stale", "回调时间戳缺失或已过期"),
            Self::Signature => (StatusCode::FORBIDDEN, "signature", "签名不匹配"),
            Self::OtherReceiver => (StatusCode::FORBIDDEN, "other_receiver", "回调的接收方不是本企业或本应用"),
            Self::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "服务暂时不可用，请稍后重试"),
        }
    }
}

impl IntoResponse for CallbackError {
    fn into_response(self) -> Response {
        let (status, code, zh) = self.parts();
        let problem = Problem {
            kind: format!("https://onsite.invalid/problems/callback-{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            detail_zh: Some(zh.to_owned()),
            code: code.to_owned(),
            errors: Vec::new(),
        };
        let body = serde_json::to_string(&problem).unwrap_or_default();
        (status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response()
    }
}

/// A door's JSON answer, or its refusal as problem+json (logged).
pub fn answer_json(door: &str, taken: Result<serde_json::Value, CallbackError>) -> Response {
    match taken {
        Ok(answer) => axum::Json(answer).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, door, "callback refused");
            e.into_response()
        }
    }
}

/// When a phone gateway signed what it forwards, in seconds since the epoch.
pub const TIMESTAMP_HEADER: &str = "X-Onsite-Timestamp";

/// Proves a phone gateway's forward (an SMS reply, a call report): fresh,
/// and `X-Onsite-Signature` the HMAC-SHA256 of `{timestamp}.{body}` under
/// the door's secret.
pub fn signed_by_gateway(
    headers: &HeaderMap,
    body: &[u8],
    secret: &SecretString,
    now: DateTime<Utc>,
) -> Result<(), CallbackError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let timestamp = header(TIMESTAMP_HEADER).ok_or(CallbackError::Stale)?;
    fresh(timestamp, now)?;
    let signature = header(SIGNATURE_HEADER).ok_or(CallbackError::Signature)?;
    let signed = [format!("{timestamp}.").as_bytes(), body].concat();
    if !verify(secret.expose_secret(), &signed, signature) {
        return Err(CallbackError::Signature);
    }
    Ok(())
}

/// Checks a callback's own timestamp (seconds) against the clock.
pub fn fresh(timestamp: &str, now: DateTime<Utc>) -> Result<(), CallbackError> {
    within(timestamp.parse::<i64>().ok().and_then(|s| DateTime::from_timestamp(s, 0)), now)
}

/// Checks a callback's own timestamp in milliseconds against the clock.
pub fn fresh_ms(timestamp_ms: &str, now: DateTime<Utc>) -> Result<(), CallbackError> {
    within(timestamp_ms.parse::<i64>().ok().and_then(DateTime::from_timestamp_millis), now)
}

fn within(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<(), CallbackError> {
    match at {
        Some(at) if (now - at).abs() <= FRESHNESS => Ok(()),
        _ => Err(CallbackError::Stale),
    }
}

/// What a person is told, in both languages (Chinese first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub zh: String,
    pub en: String,
}

impl Words {
    pub fn of(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self { zh: zh.into(), en: en.into() }
    }

    pub fn both(&self) -> String {
        format!("{}\n{}", self.zh, self.en)
    }

    pub fn unknown_user() -> Self {
        Self::of(CHAT_ZH.unknown_user, CHAT_EN.unknown_user)
    }

    pub fn unknown_button() -> Self {
        Self::of(CHAT_ZH.unknown_button, CHAT_EN.unknown_button)
    }

    pub fn failed() -> Self {
        Self::of(CHAT_ZH.failed, CHAT_EN.failed)
    }

    /// Why the application layer refused; `None` when the fault was ours
    /// (the database), which the vendor's retry may get past.
    pub fn refusal(e: &AppError) -> Option<Self> {
        Some(match e {
            AppError::Denied(need) => Self::of(need.refusal(Lang::Zh), need.refusal(Lang::En)),
            AppError::Store(StoreError::NotFound { .. }) => Self::of(CHAT_ZH.not_your_unit, CHAT_EN.not_your_unit),
            AppError::Store(StoreError::Domain(DomainError::Conflict { message, message_zh, .. })) => {
                Self::of(message_zh.clone(), message.clone())
            }
            AppError::Store(StoreError::Domain(DomainError::Invalid(errors))) => Self::of(
                errors.iter().map(|e| e.message_zh.clone()).collect::<Vec<_>>().join("；"),
                errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "),
            ),
            AppError::Store(_) | AppError::Evidence(_) => return None,
        })
    }
}
