//! SMS through an HTTP gateway. Gateways differ, so the request body is a
//! template from configuration with `{to}`, `{text}` and `{key}` (the page's
//! idempotency key, for the gateway to pass on as its `OutId`, so that its
//! delivery reports name the page) replaced, JSON-escaped.
//! The gateway's own key, if any, comes from the environment as a bearer token.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::{Channel, Delivery, SendError};
use crate::domain::reply;

/// Longest SMS text sent: a few segments, enough for the Chinese summary.
const MAX_CHARS: usize = 300;

pub struct Sms {
    client: reqwest::Client,
    url: String,
    template: String,
    key: Option<SecretString>,
}

impl Sms {
    pub fn new(
        url: String,
        template: String,
        key: Option<SecretString>,
        timeout: Duration,
    ) -> Result<Self, reqwest::Error> {
        Ok(Self {
            client: reqwest::Client::builder().timeout(timeout).connect_timeout(timeout).build()?,
            url,
            template,
            key,
        })
    }
}

/// The request body: the template with `{to}`, `{text}` and `{key}` JSON-escaped.
pub fn render(template: &str, to: &str, text: &str, key: &str) -> String {
    let escape = |s: &str| {
        let quoted = serde_json::to_string(s).unwrap_or_default();
        quoted[1..quoted.len().saturating_sub(1)].to_owned()
    };
    template.replace("{to}", &escape(to)).replace("{key}", &escape(key)).replace("{text}", &escape(text))
}

/// The Chinese part of the page only (before the English separator), cut to
/// size, but never cutting the action link or the reply codes: they are
/// moved to the end whole.
fn short_text(d: &Delivery) -> String {
    let zh = super::message::in_lang(&d.text, crate::domain::labels::Lang::Zh);
    let (kept, rest): (Vec<&str>, Vec<&str>) =
        zh.lines().partition(|l| l.starts_with(super::action_link::LINE_PREFIX) || l.starts_with(reply::PREFIX_ZH));
    let kept: String = kept.iter().map(|l| format!("\n{l}")).collect();
    let budget = MAX_CHARS.saturating_sub(kept.chars().count());
    let mut text: String = rest.join("\n").chars().take(budget).collect();
    text.push_str(&kept);
    text
}

impl Sms {
    /// A text to one phone (the answer to a reply), cut to size.
    pub async fn tell(&self, to: &str, text: &str) -> Result<(), SendError> {
        let text: String = text.chars().take(MAX_CHARS).collect();
        let key = format!("tell:{to}:{}", crate::crypto::random_secret("", 8));
        self.post(to, &text, &key).await.map(|_| ())
    }

    async fn post(&self, to: &str, text: &str, idempotency_key: &str) -> Result<Option<String>, SendError> {
        let body = render(&self.template, to, text, idempotency_key);
        let mut request = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(super::webhook::IDEMPOTENCY_HEADER, idempotency_key)
            .body(body);
        if let Some(key) = &self.key {
            request = request.bearer_auth(key.expose_secret());
        }
        let response = request.send().await.map_err(|e| SendError::unreachable("SMS gateway", &e))?;
        let status = response.status();
        if status.is_success() {
            Ok(None)
        } else if status.is_server_error() || status.as_u16() == 429 {
            Err(SendError::Retryable { reason: format!("SMS gateway answered {status}"), retry_after: None })
        } else {
            Err(SendError::Permanent { reason: format!("SMS gateway answered {status}") })
        }
    }
}

#[async_trait::async_trait]
impl Channel for Sms {
    async fn send(&self, d: &Delivery) -> Result<Option<String>, SendError> {
        self.post(&d.address, &short_text(d), &d.idempotency_key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::labels::Lang;

    #[test]
    fn a_long_page_is_cut_but_keeps_its_action_link() {
        let d = Delivery {
            address: "+8613800000000".into(),
            idempotency_key: "k".into(),
            text: format!("{}\n操作 Act: https://x/a/tok\n{}\n——\nEnglish", "长".repeat(500), reply::line(3, Lang::Zh)),
            action_url: Some("https://x/a/tok".into()),
            body: crate::notify::tests::dispatch_body("t"),
            sent_at: chrono::Utc::now(),
        };
        let text = short_text(&d);
        assert!(text.chars().count() <= MAX_CHARS);
        assert!(text.ends_with(&format!("操作 Act: https://x/a/tok\n{}", reply::line(3, Lang::Zh))), "{text}");
        assert!(!text.contains("English"));
    }

    #[test]
    fn the_template_is_filled_with_json_escaped_values() {
        let template = r#"{"phone":"{to}","msg":"{text}","out_id":"{key}"}"#;
        let body = render(template, "+8613800000000", "第一行\n\"引号\" {key}", "dispatch:12:c3");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["phone"], "+8613800000000");
        assert_eq!(v["msg"], "第一行\n\"引号\" {key}", "a text is never read as the template");
        assert_eq!(v["out_id"], "dispatch:12:c3");
    }
}
