//! The generic JSON webhook channel: POSTs the page to the channel's URL,
//! signed with HMAC-SHA256 when a secret is configured, with the page's
//! idempotency key in a header so the receiver can drop repeats.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use secrecy::{ExposeSecret, SecretString};

use super::{Channel, Delivery, SendError};

pub const SIGNATURE_HEADER: &str = "X-Onsite-Signature";
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

pub struct Webhook {
    client: reqwest::Client,
    secret: Option<SecretString>,
}

impl Webhook {
    pub fn new(timeout: Duration, secret: Option<SecretString>) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout).build()?;
        Ok(Self { client, secret })
    }
}

/// `sha256=<hex>` of the body under `secret`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex::encode(crate::crypto::hmac_sha256(secret.as_bytes(), body)))
}

/// Checks a received `X-Onsite-Signature` header against the body, in
/// constant time: what a receiver (and this repository's tests) runs.
pub fn verify(secret: &str, body: &[u8], header: &str) -> bool {
    let Some(hex_tag) = header.trim().strip_prefix("sha256=") else { return false };
    match hex::decode(hex_tag) {
        Ok(tag) if tag.len() == 32 => crate::crypto::verify_truncated(secret.as_bytes(), body, &tag),
        _ => false,
    }
}

/// Reads `Retry-After` given in seconds (the form providers use for 429).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[async_trait::async_trait]
impl Channel for Webhook {
    async fn send(&self, d: &Delivery) -> Result<Option<String>, SendError> {
        let body = serde_json::to_vec(&serde_json::json!({
            "title": d.body.title,
            "text": d.text,
            "page": d.body,
        }))
        .map_err(|e| SendError::Permanent { reason: format!("cannot encode page: {e}") })?;
        let mut request = self
            .client
            .post(&d.address)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(IDEMPOTENCY_HEADER, &d.idempotency_key);
        if let Some(secret) = &self.secret {
            request = request.header(SIGNATURE_HEADER, sign(secret.expose_secret(), &body));
        }
        let response = request.body(body).send().await.map_err(|e| SendError::Retryable {
            reason: if e.is_timeout() { "timed out".into() } else { format!("request failed: {}", without_url(&e)) },
            retry_after: None,
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(None);
        }
        let reason = format!("webhook answered {status}");
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT
        {
            Err(SendError::Retryable { reason, retry_after: retry_after(response.headers()) })
        } else {
            Err(SendError::Permanent { reason })
        }
    }
}

/// The error without its URL: webhook URLs often embed their own secret key.
fn without_url(e: &reqwest::Error) -> String {
    let mut e = format!("{}", e);
    if let Some(i) = e.find(" for url") {
        e.truncate(i);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_hex() {
        // Known vector: HMAC-SHA256(key="key", "The quick brown fox jumps over the lazy dog").
        assert_eq!(
            sign("key", b"The quick brown fox jumps over the lazy dog"),
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn a_receiver_accepts_only_the_whole_signature_of_this_body() {
        let body = br#"{"text":"page"}"#;
        let header = sign("s3cret", body);
        assert!(verify("s3cret", body, &header));
        assert!(!verify("other", body, &header));
        assert!(!verify("s3cret", b"{}", &header));
        assert!(!verify("s3cret", body, &header[..header.len() - 2]), "a truncated tag is refused");
        assert!(!verify("s3cret", body, header.trim_start_matches("sha256=")));
    }

    #[test]
    fn retry_after_in_seconds_is_read() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(RETRY_AFTER, "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }
}
