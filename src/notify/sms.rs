//! SMS through an HTTP gateway. Gateways differ, so the request body is a
//! template from configuration with `{to}` and `{text}` replaced (JSON-escaped).
//! The gateway's own key, if any, comes from the environment as a bearer token.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::{Channel, Delivery, SendError};

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

/// The request body: the template with `{to}` and `{text}` JSON-escaped.
pub fn render(template: &str, to: &str, text: &str) -> String {
    let escape = |s: &str| {
        let quoted = serde_json::to_string(s).unwrap_or_default();
        quoted[1..quoted.len().saturating_sub(1)].to_owned()
    };
    template.replace("{to}", &escape(to)).replace("{text}", &escape(text))
}

/// The Chinese part of the page only (before the English separator), cut to
/// size, but never cutting the action link: it is moved to the end whole.
fn short_text(d: &Delivery) -> String {
    let zh = super::message::in_lang(&d.text, crate::domain::labels::Lang::Zh);
    let (link, rest): (Vec<&str>, Vec<&str>) = zh.lines().partition(|l| l.starts_with(super::action_link::LINE_PREFIX));
    let link = link.first().map(|l| format!("\n{l}")).unwrap_or_default();
    let budget = MAX_CHARS.saturating_sub(link.chars().count());
    let mut text: String = rest.join("\n").chars().take(budget).collect();
    text.push_str(&link);
    text
}

#[async_trait::async_trait]
impl Channel for Sms {
    async fn send(&self, d: &Delivery) -> Result<Option<String>, SendError> {
        let body = render(&self.template, &d.address, &short_text(d));
        let mut request = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(super::webhook::IDEMPOTENCY_HEADER, &d.idempotency_key)
            .body(body);
        if let Some(key) = &self.key {
            request = request.bearer_auth(key.expose_secret());
        }
        let response = request.send().await.map_err(|e| SendError::Retryable {
            reason: if e.is_timeout() { "timed out".into() } else { "SMS gateway unreachable".into() },
            retry_after: None,
        })?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_page_is_cut_but_keeps_its_action_link() {
        let d = Delivery {
            address: "+8613800000000".into(),
            idempotency_key: "k".into(),
            text: format!("{}\n操作 Act: https://x/a/tok\n——\nEnglish", "长".repeat(500)),
            action_url: Some("https://x/a/tok".into()),
            body: crate::notify::tests::dispatch_body("t"),
            sent_at: chrono::Utc::now(),
        };
        let text = short_text(&d);
        assert!(text.chars().count() <= MAX_CHARS);
        assert!(text.ends_with("操作 Act: https://x/a/tok"), "{text}");
        assert!(!text.contains("English"));
    }

    #[test]
    fn the_template_is_filled_with_json_escaped_values() {
        let body = render(r#"{"phone":"{to}","msg":"{text}"}"#, "+8613800000000", "第一行\n\"引号\"");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["phone"], "+8613800000000");
        assert_eq!(v["msg"], "第一行\n\"引号\"");
    }
}
