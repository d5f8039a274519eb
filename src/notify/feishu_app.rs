//! Feishu's (飞书 / Lark) custom app as a paging channel: a page an engineer
//! acts on goes to their open_id as an interactive card with the four
//! milestone buttons and a link to the action page, in Chinese or English
//! as their Feishu shows (`i18n_elements`); other pages as text. The card
//! a press answers with (`web/callbacks/feishu.rs`) is built here too.
//!
//! Feishu answers `code` in the body, on HTTP 200 and on 4xx alike. The
//! tenant access token is cached until shortly before `expire`, and fetched
//! again when Feishu calls it invalid or expired.

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::app_token::{Issued, TokenCache};
use super::feishu_crypt::FeishuCrypt;
use super::message::cut_bytes;
use super::text::{CHAT_EN, CHAT_ZH, ChatText};
use super::{Channel, Delivery, SendError, buttons, message};
use crate::domain::assignment::Milestone;
use crate::domain::clock::Clock;
use crate::domain::labels::Lang;

/// The app's identity and keys, from `[feishu]`.
pub struct FeishuKeys {
    pub api_url: String,
    pub app_id: String,
    pub app_secret: SecretString,
    /// The callback's Verification Token, when the callback is set up.
    pub verification_token: Option<SecretString>,
    /// The Encrypt Key, when events are encrypted and signed.
    pub crypt: Option<FeishuCrypt>,
}

pub struct FeishuApp {
    client: reqwest::Client,
    keys: FeishuKeys,
    tokens: TokenCache,
    clock: Arc<dyn Clock>,
}

/// The codes that mean the tenant access token must be fetched again:
/// missing, invalid, or expired.
const TOKEN_REFUSED: [i64; 3] = [99991661, 99991663, 99991677];

/// Feishu's frequency limits (the gateway's and the message API's).
const RATE_LIMITED: [i64; 2] = [99991400, 230020];

/// Feishu keeps one message per `uuid` for an hour; at most 50 characters.
const UUID_CHARS: usize = 50;

/// A text message's limit Feishu documents (150 KB); a page is far shorter.
const TEXT_BYTES: usize = 150 * 1024;

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    code: i64,
    #[serde(default)]
    msg: String,
    #[serde(default)]
    tenant_access_token: Option<String>,
    #[serde(default)]
    expire: Option<i64>,
    #[serde(default)]
    data: Option<Value>,
}

impl FeishuApp {
    pub fn new(keys: FeishuKeys, timeout: Duration, clock: Arc<dyn Clock>) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout).build()?;
        Ok(Self { client, keys, tokens: TokenCache::default(), clock })
    }

    pub fn app_id(&self) -> &str {
        &self.keys.app_id
    }

    pub fn verification_token(&self) -> Option<&SecretString> {
        self.keys.verification_token.as_ref()
    }

    pub fn crypt(&self) -> Option<&FeishuCrypt> {
        self.keys.crypt.as_ref()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.keys.api_url.trim_end_matches('/'))
    }

    async fn fetch_token(&self) -> Result<Issued, SendError> {
        let body = json!({ "app_id": self.keys.app_id, "app_secret": self.keys.app_secret.expose_secret() });
        let request = self.client.post(self.url("/open-apis/auth/v3/tenant_access_token/internal")).json(&body);
        let answer = answer(request.send().await).await?;
        match (answer.code, answer.tenant_access_token, answer.expire) {
            (0, Some(token), Some(expires_in)) => Ok(Issued { token, expires_in }),
            (0, _, _) => {
                Err(SendError::Retryable { reason: "feishu_app: no tenant_access_token".into(), retry_after: None })
            }
            (code, _, _) => Err(refused(code, &answer.msg, None)),
        }
    }

    /// Sends one message to an open_id, fetching a new token once when
    /// Feishu refuses the cached one.
    async fn post_message(
        &self,
        open_id: &str,
        msg_type: &str,
        content: &Value,
        uuid: &str,
    ) -> Result<Answer, SendError> {
        let body = json!({
            "receive_id": open_id,
            "msg_type": msg_type,
            "content": content.to_string(),
            "uuid": uuid,
        });
        let mut refreshed = false;
        loop {
            let token = self.tokens.get(self.clock.now(), || self.fetch_token()).await?;
            let request = self
                .client
                .post(self.url("/open-apis/im/v1/messages"))
                .query(&[("receive_id_type", "open_id")])
                .bearer_auth(&token)
                .json(&body);
            let answer = answer(request.send().await).await?;
            match answer.code {
                0 => return Ok(answer),
                code if TOKEN_REFUSED.contains(&code) && !refreshed => {
                    self.tokens.forget(&token).await;
                    refreshed = true;
                }
                code => return Err(refused(code, &answer.msg, None)),
            }
        }
    }
}

/// What a card shows: the title, the page's text in each language, the
/// milestones left to press, a line saying what was done, the action link.
pub struct CardParts<'a> {
    pub title: &'a str,
    pub zh: &'a str,
    pub en: &'a str,
    pub assignment_id: i64,
    pub buttons: &'a [Milestone],
    pub done: Option<(&'a str, &'a str)>,
    pub action_url: Option<&'a str>,
}

/// A message card (JSON 1.0) in both languages, Feishu showing the one the
/// reader's client is set to.
pub fn card(parts: &CardParts) -> Value {
    let elements = |lang: Lang, text: &ChatText| {
        let body = match lang {
            Lang::Zh => parts.zh,
            Lang::En => parts.en,
        };
        let body: Vec<&str> = body.lines().filter(|l| !l.starts_with(super::action_link::LINE_PREFIX)).collect();
        let mut out = vec![json!({ "tag": "div", "text": { "tag": "plain_text", "content": body.join("\n") } })];
        if let Some((zh, en)) = parts.done {
            let line = if lang == Lang::Zh { zh } else { en };
            out.push(json!({ "tag": "note", "elements": [{ "tag": "plain_text", "content": line }] }));
        }
        let mut actions: Vec<Value> = parts
            .buttons
            .iter()
            .map(|m| {
                json!({
                    "tag": "button",
                    "text": { "tag": "plain_text", "content": buttons::label(*m, text) },
                    "type": "primary",
                    "value": { "key": buttons::key(*m, parts.assignment_id) },
                })
            })
            .collect();
        if let Some(url) = parts.action_url {
            actions.push(json!({
                "tag": "button",
                "text": { "tag": "plain_text", "content": text.button_open },
                "type": "default",
                "url": url,
            }));
        }
        if !actions.is_empty() {
            out.push(json!({ "tag": "action", "actions": actions }));
        }
        out.push(json!({ "tag": "note", "elements": [{ "tag": "plain_text", "content": text.source }] }));
        Value::Array(out)
    };
    json!({
        "config": { "wide_screen_mode": true, "update_multi": false },
        "header": { "template": "red", "title": { "tag": "plain_text", "content": parts.title } },
        "i18n_elements": { "zh_cn": elements(Lang::Zh, &CHAT_ZH), "en_us": elements(Lang::En, &CHAT_EN) },
    })
}

/// Reads Feishu's answer, whose body carries the code on 4xx too: only a
/// transport failure, a 5xx or a body that is not Feishu's is retried here.
async fn answer(sent: Result<reqwest::Response, reqwest::Error>) -> Result<Answer, SendError> {
    let response = sent.map_err(|e| SendError::unreachable("feishu_app", &e))?;
    let status = response.status();
    let reset = response
        .headers()
        .get("x-ogw-ratelimit-reset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_secs);
    if status.is_server_error() {
        return Err(SendError::Retryable { reason: format!("feishu_app answered {status}"), retry_after: None });
    }
    match response.json::<Answer>().await {
        Ok(answer) if RATE_LIMITED.contains(&answer.code) => Err(refused(answer.code, &answer.msg, reset)),
        Ok(answer) => Ok(answer),
        Err(_) if status.as_u16() == 429 => Err(refused(99991400, "rate limited", reset)),
        Err(_) => Err(SendError::Retryable {
            reason: format!("feishu_app answered {status} without JSON"),
            retry_after: None,
        }),
    }
}

/// How one of Feishu's codes bears on the page.
fn refused(code: i64, message: &str, reset: Option<Duration>) -> SendError {
    let reason = format!("feishu_app refused ({code}): {message}");
    if RATE_LIMITED.contains(&code) {
        return SendError::Retryable { reason, retry_after: Some(reset.unwrap_or(Duration::from_secs(1))) };
    }
    SendError::Permanent { reason }
}

/// Feishu sends one message per `uuid` within an hour, which makes a resend
/// after a lost answer harmless: the page's idempotency key, or its hash
/// when longer than Feishu allows.
fn uuid_of(key: &str) -> String {
    if key.len() <= UUID_CHARS {
        key.to_owned()
    } else {
        hex::encode(Sha256::digest(key.as_bytes()))[..UUID_CHARS].to_owned()
    }
}

#[async_trait::async_trait]
impl Channel for FeishuApp {
    async fn send(&self, d: &Delivery) -> Result<Option<String>, SendError> {
        let uuid = uuid_of(&d.idempotency_key);
        let answer = match d.buttons_for() {
            Some(assignment_id) => {
                let parts = CardParts {
                    title: &d.body.title,
                    zh: message::in_lang(&d.text, Lang::Zh),
                    en: message::in_lang(&d.text, Lang::En),
                    assignment_id,
                    buttons: &buttons::MILESTONES,
                    done: None,
                    action_url: d.action_url.as_deref(),
                };
                self.post_message(&d.address, "interactive", &card(&parts), &uuid).await?
            }
            None => {
                let text = format!("{}\n{}", d.body.title, d.text);
                self.post_message(&d.address, "text", &json!({ "text": cut_bytes(&text, TEXT_BYTES) }), &uuid).await?
            }
        };
        Ok(answer.data.and_then(|d| d["message_id"].as_str().map(str::to_owned)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_has_the_buttons_left_and_the_link_in_both_languages() {
        let parts = CardParts {
            title: "【应急响应派单】某门户网站首页被篡改",
            zh: "单位：安盾\n操作 Act: https://x/a/t",
            en: "Unit: Anshield",
            assignment_id: 12,
            buttons: &buttons::MILESTONES[1..],
            done: Some(("已接收 · 赵磊", "Acknowledged · 赵磊")),
            action_url: Some("https://x/a/t"),
        };
        let c = card(&parts);
        let zh = c["i18n_elements"]["zh_cn"].as_array().unwrap();
        assert_eq!(zh[0]["text"]["content"], "单位：安盾", "the link's line is a button, not text");
        assert_eq!(zh[1]["elements"][0]["content"], "已接收 · 赵磊");
        let actions = zh[2]["actions"].as_array().unwrap();
        let keys: Vec<&str> = actions.iter().filter_map(|a| a["value"]["key"].as_str()).collect();
        assert_eq!(keys, ["plan_activated@12", "on_site@12", "hq_remote@12"]);
        assert_eq!(actions[3]["url"], "https://x/a/t");
        assert_eq!(c["i18n_elements"]["en_us"][2]["actions"][0]["text"]["content"], "Plan activated");
    }

    #[test]
    fn rate_limits_wait_expired_tokens_are_known_and_refusals_fall_over() {
        let wait = refused(99991400, "frequency limit", Some(Duration::from_secs(7)));
        assert!(matches!(wait, SendError::Retryable { retry_after: Some(d), .. } if d.as_secs() == 7));
        assert!(matches!(refused(230013, "no availability", None), SendError::Permanent { .. }));
        assert!(TOKEN_REFUSED.contains(&99991663));
        assert_eq!(uuid_of("dispatch:12:c3"), "dispatch:12:c3");
        assert_eq!(uuid_of(&"k".repeat(80)).len(), UUID_CHARS);
        assert_ne!(uuid_of(&"k".repeat(80)), uuid_of(&"k".repeat(81)));
    }
}
