//! The chat-group robots of WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书):
//! markdown or text to a robot URL. DingTalk and Feishu robots can require a
//! signature; their secret rides in the channel address after `#secret=`
//! (a URL fragment is never sent over the wire).
//!
//! Each provider answers HTTP 200 with an error code in the body; rate
//! limits are retried, anything else about the robot itself is permanent.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::action_link::LINE_PREFIX;
use super::{Channel, Delivery, SendError};
use crate::domain::people::ChannelKind;

pub struct Robot {
    kind: ChannelKind,
    client: reqwest::Client,
}

impl Robot {
    pub fn new(kind: ChannelKind, timeout: Duration) -> Result<Self, reqwest::Error> {
        Ok(Self { kind, client: reqwest::Client::builder().timeout(timeout).connect_timeout(timeout).build()? })
    }
}

/// Splits `URL#secret=S` into the URL and the secret.
pub fn split_secret(address: &str) -> (&str, Option<&str>) {
    match address.split_once("#secret=") {
        Some((url, secret)) if !secret.is_empty() => (url, Some(secret)),
        _ => (address.split('#').next().unwrap_or(address), None),
    }
}

fn hmac_b64(key: &[u8], message: &[u8]) -> String {
    STANDARD.encode(crate::crypto::hmac_sha256(key, message))
}

/// DingTalk: base64(HMAC-SHA256(key = secret, "{timestamp_ms}\n{secret}")).
pub fn dingtalk_sign(timestamp_ms: i64, secret: &str) -> String {
    hmac_b64(secret.as_bytes(), format!("{timestamp_ms}\n{secret}").as_bytes())
}

/// Feishu: base64(HMAC-SHA256(key = "{timestamp_s}\n{secret}", "")).
pub fn feishu_sign(timestamp_s: i64, secret: &str) -> String {
    hmac_b64(format!("{timestamp_s}\n{secret}").as_bytes(), b"")
}

/// Markdown: the title in bold, then the text with its line breaks kept.
/// Titles, names and addresses are typed by people, so everything is
/// escaped and only the page's own action link is a link: a title typed as
/// `[点此](http://…)` or `<font color="warning">` arrives as typed.
fn markdown(d: &Delivery) -> String {
    let own_link = d.action_url.as_ref().map(|url| (format!("{LINE_PREFIX}{url}"), url));
    let lines: Vec<String> = d
        .text
        .lines()
        .map(|line| match &own_link {
            Some((own, url)) if line == own => {
                let url = url.replace('(', "%28").replace(')', "%29");
                format!("{}[{}]({url})", escaped(LINE_PREFIX), escaped(LINK_LABEL))
            }
            _ => escaped(line),
        })
        .collect();
    titled(&d.body.title, &lines)
}

/// A markdown message: the title in bold, then lines already escaped.
pub(super) fn titled(title: &str, lines: &[String]) -> String {
    format!("**{}**\n\n{}", escaped(title), lines.join("  \n"))
}

/// What the action link reads as in a markdown message.
const LINK_LABEL: &str = "打开操作页 Open";

/// Text that markdown and the HTML the robots accept read as plain text.
pub(super) fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '(' | ')' | '#' | '|' | '!' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[async_trait::async_trait]
impl Channel for Robot {
    async fn send(&self, d: &Delivery) -> Result<Option<String>, SendError> {
        let (url, secret) = split_secret(&d.address);
        let mut url =
            reqwest::Url::parse(url).map_err(|_| SendError::Permanent { reason: "not a robot URL".into() })?;
        let body = match self.kind {
            ChannelKind::Wecom => serde_json::json!({ "msgtype": "markdown", "markdown": { "content": markdown(d) } }),
            ChannelKind::Dingtalk => {
                if let Some(secret) = secret {
                    let ts = d.sent_at.timestamp_millis();
                    url.query_pairs_mut()
                        .append_pair("timestamp", &ts.to_string())
                        .append_pair("sign", &dingtalk_sign(ts, secret));
                }
                serde_json::json!({ "msgtype": "markdown", "markdown": { "title": d.body.title, "text": markdown(d) } })
            }
            _ => {
                let mut body = serde_json::json!({ "msg_type": "text", "content": { "text": format!("{}\n{}", d.body.title, d.text) } });
                if let Some(secret) = secret {
                    let ts = d.sent_at.timestamp();
                    body["timestamp"] = ts.to_string().into();
                    body["sign"] = feishu_sign(ts, secret).into();
                }
                body
            }
        };
        let response =
            self.client.post(url).json(&body).send().await.map_err(|e| SendError::unreachable("robot", &e))?;
        let status = response.status();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(SendError::Retryable { reason: format!("robot answered {status}"), retry_after: None });
        }
        if !status.is_success() {
            return Err(SendError::Permanent { reason: format!("robot answered {status}") });
        }
        let answer: serde_json::Value = response.json().await.unwrap_or_default();
        let code = answer["errcode"].as_i64().or_else(|| answer["code"].as_i64()).unwrap_or(0);
        let message = answer["errmsg"].as_str().or_else(|| answer["msg"].as_str()).unwrap_or("").to_owned();
        match (self.kind, code) {
            (_, 0) => Ok(None),
            // Sending too fast: WeCom 45009, DingTalk 130101, Feishu 11232.
            (ChannelKind::Wecom, 45009) | (ChannelKind::Dingtalk, 130_101) | (ChannelKind::Feishu, 11232) => {
                Err(SendError::Retryable {
                    reason: format!("{} rate limit ({code})", self.kind.code()),
                    retry_after: Some(Duration::from_secs(60)),
                })
            }
            _ => Err(SendError::Permanent { reason: format!("{} refused ({code}): {message}", self.kind.code()) }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_taken_from_the_fragment() {
        assert_eq!(
            split_secret("https://x/send?access_token=a#secret=SEC1"),
            ("https://x/send?access_token=a", Some("SEC1"))
        );
        assert_eq!(split_secret("https://x/send?access_token=a"), ("https://x/send?access_token=a", None));
        assert_eq!(split_secret("https://x/send#other"), ("https://x/send", None));
    }

    #[test]
    fn typed_markup_arrives_as_typed_and_only_the_action_link_is_a_link() {
        let url = "https://onsite.example/a/tok_en-1";
        let d = Delivery {
            address: String::new(),
            idempotency_key: "k".into(),
            text: format!(
                "【派单】[点此](http://evil.example)\n现场地址：<font color=\"warning\">#1</font> a_b\n{LINE_PREFIX}{url}\n{LINE_PREFIX}http://evil.example/a/x"
            ),
            action_url: Some(url.into()),
            body: crate::notify::tests::dispatch_body("【派单】[点此](http://evil.example) **急**"),
            sent_at: chrono::Utc::now(),
        };
        let m = markdown(&d);
        assert!(m.starts_with("**【派单】\\[点此\\]\\(http://evil.example\\) \\*\\*急\\*\\***\n\n"), "{m}");
        assert!(m.contains("现场地址：&lt;font color=\"warning\"&gt;\\#1&lt;/font&gt; a\\_b"), "{m}");
        assert!(m.contains(&format!("操作 Act: [打开操作页 Open]({url})")), "{m}");
        assert_eq!(m.matches("](").count(), 1, "one link, ours: {m}");
    }

    #[test]
    fn signatures_follow_the_providers_recipes() {
        // Both are base64 of a 32-byte MAC, and depend on time and secret.
        let a = dingtalk_sign(1_700_000_000_000, "SECabc");
        assert_eq!(STANDARD.decode(&a).unwrap().len(), 32);
        assert_ne!(a, dingtalk_sign(1_700_000_000_001, "SECabc"));
        assert_ne!(feishu_sign(1_700_000_000, "s1"), feishu_sign(1_700_000_000, "s2"));
        assert_eq!(feishu_sign(1_700_000_000, "s1"), hmac_b64(b"1700000000\ns1", b""));
    }
}
