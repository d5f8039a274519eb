//! DingTalk's enterprise internal app (钉钉企业内部应用) as a paging
//! channel: a page goes to the person's userid from the app's robot, in
//! their one-to-one chat with it (`/v1.0/robot/oToMessages/batchSend`). A
//! robot's message carries only link buttons, so a page to act on is an
//! ActionCard whose four buttons open the page's signed action link at that
//! milestone, and its text ends with the reply codes (`1A` …) the engineer
//! may send the robot instead, which `/callbacks/dingtalk` takes.
//!
//! DingTalk's server API answers an error with its HTTP status and
//! `{code, message}`. The access token (`/v1.0/oauth2/accessToken`) is
//! cached until shortly before `expireIn`, and fetched again once when a
//! call is refused as unauthenticated (401).

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};

use super::action_link::LINE_PREFIX;
use super::app_token::{Issued, TokenCache};
use super::message::cut_bytes;
use super::msg_crypt::MsgCrypt;
use super::robots::{dingtalk_sign, escaped, titled};
use super::text::{CHAT_ZH, ChatText};
use super::{Channel, Delivery, SendError, buttons};
use crate::crypto::same_secret;
use crate::domain::clock::Clock;

/// The app's identity and keys, from `[dingtalk]`.
pub struct DingtalkKeys {
    pub api_url: String,
    pub app_key: String,
    pub app_secret: SecretString,
    pub robot_code: String,
    /// The event subscription's token and aes_key, when it is set up.
    pub callback: Option<MsgCrypt>,
}

pub struct DingtalkApp {
    client: reqwest::Client,
    keys: DingtalkKeys,
    tokens: TokenCache,
    clock: Arc<dyn Clock>,
}

/// A message's text is kept well inside DingTalk's 15,000 bytes of
/// parameters.
const TEXT_BYTES: usize = 6000;

/// How long a rate-limited call waits: DingTalk's limits are per second
/// (per app and API) and per minute (per person's chat).
const QPS_WAIT: Duration = Duration::from_secs(1);
const PERSON_WAIT: Duration = Duration::from_secs(60);

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenAnswer {
    access_token: Option<String>,
    expire_in: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SendAnswer {
    #[serde(default)]
    process_query_key: Option<String>,
    #[serde(default)]
    invalid_staff_id_list: Vec<String>,
    #[serde(default)]
    flow_controlled_staff_id_list: Vec<String>,
}

/// DingTalk's error body.
#[derive(Deserialize, Default)]
struct Refusal {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

impl DingtalkApp {
    pub fn new(keys: DingtalkKeys, timeout: Duration, clock: Arc<dyn Clock>) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout).build()?;
        Ok(Self { client, keys, tokens: TokenCache::default(), clock })
    }

    /// The event subscription's keys, when it is set up.
    pub fn crypt(&self) -> Option<&MsgCrypt> {
        self.keys.callback.as_ref()
    }

    pub fn robot_code(&self) -> &str {
        &self.keys.robot_code
    }

    /// Whether a robot message's `sign` header is what DingTalk computes
    /// for its `timestamp` header (milliseconds) with the app secret.
    pub fn signed(&self, timestamp_ms: i64, sign: &str) -> bool {
        let expected = dingtalk_sign(timestamp_ms, self.keys.app_secret.expose_secret());
        same_secret(sign.as_bytes(), expected.as_bytes())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.keys.api_url.trim_end_matches('/'))
    }

    async fn fetch_token(&self) -> Result<Issued, SendError> {
        let body = json!({ "appKey": self.keys.app_key, "appSecret": self.keys.app_secret.expose_secret() });
        let response = self.client.post(self.url("/v1.0/oauth2/accessToken")).json(&body).send().await;
        let answer: TokenAnswer = answer(response).await?;
        match (answer.access_token, answer.expire_in) {
            (Some(token), Some(expires_in)) => Ok(Issued { token, expires_in }),
            _ => Err(SendError::Retryable {
                reason: "dingtalk_app: accessToken answered no token".into(),
                retry_after: None,
            }),
        }
    }

    /// One robot message to one person, fetching a new token once when
    /// DingTalk refuses the cached one.
    async fn send_to(&self, userid: &str, msg_key: &str, param: &Value) -> Result<Option<String>, SendError> {
        let body = json!({
            "robotCode": self.keys.robot_code,
            "userIds": [userid],
            "msgKey": msg_key,
            "msgParam": param.to_string(),
        });
        let mut refreshed = false;
        let sent: SendAnswer = loop {
            let token = self.tokens.get(self.clock.now(), || self.fetch_token()).await?;
            let response = self
                .client
                .post(self.url("/v1.0/robot/oToMessages/batchSend"))
                .header("x-acs-dingtalk-access-token", &token)
                .json(&body)
                .send()
                .await;
            match answer(response).await {
                Err(Failed::Unauthenticated) if !refreshed => {
                    self.tokens.forget(&token).await;
                    refreshed = true;
                }
                other => break other?,
            }
        };
        if sent.invalid_staff_id_list.iter().any(|u| u == userid) {
            return Err(SendError::Permanent {
                reason: format!("dingtalk_app: user {userid} cannot receive this robot"),
            });
        }
        if sent.flow_controlled_staff_id_list.iter().any(|u| u == userid) {
            return Err(SendError::Retryable {
                reason: format!("dingtalk_app: messages to {userid} are flow-controlled"),
                retry_after: Some(PERSON_WAIT),
            });
        }
        Ok(sent.process_query_key)
    }

    /// A text to one person (the answer to a reply).
    pub async fn tell(&self, userid: &str, text: &str) -> Result<(), SendError> {
        self.send_to(userid, "sampleText", &json!({ "content": cut_bytes(text, TEXT_BYTES) })).await.map(|_| ())
    }
}

/// Why a call failed, before it is a `SendError`: a refused token is
/// fetched again.
enum Failed {
    Unauthenticated,
    Send(SendError),
}

impl From<Failed> for SendError {
    fn from(f: Failed) -> Self {
        match f {
            Failed::Unauthenticated => {
                SendError::Permanent { reason: "dingtalk_app: the app key or secret is refused".into() }
            }
            Failed::Send(e) => e,
        }
    }
}

/// Reads DingTalk's answer: a transport failure, a 5xx or a rate limit is
/// retried; 401 asks for a new token; any other refusal falls over.
async fn answer<T: serde::de::DeserializeOwned>(sent: Result<reqwest::Response, reqwest::Error>) -> Result<T, Failed> {
    let retry = |reason: String, retry_after| Failed::Send(SendError::Retryable { reason, retry_after });
    let response = sent.map_err(|e| Failed::Send(SendError::unreachable("dingtalk_app", &e)))?;
    let status = response.status();
    if status.is_success() {
        return response.json().await.map_err(|_| retry("dingtalk_app answered no JSON".into(), None));
    }
    let refusal: Refusal = response.json().await.unwrap_or_default();
    let reason = format!("dingtalk_app refused ({status}, {}): {}", refusal.code, refusal.message);
    Err(if status.as_u16() == 401 || refusal.code == "InvalidAuthentication" {
        Failed::Unauthenticated
    } else if status.as_u16() == 429 || refusal.code.contains("QpsLimit") || refusal.code.starts_with("Throttling") {
        retry(reason, Some(QPS_WAIT))
    } else if status.is_server_error() {
        retry(reason, None)
    } else {
        Failed::Send(SendError::Permanent { reason })
    })
}

/// A page as the robot's message: an ActionCard with a button per
/// milestone when it asks to be acted on and carries its link, else text.
fn message(d: &Delivery, text: &ChatText) -> (String, Value) {
    let (Some(_), Some(url)) = (d.buttons_for(), d.action_url.as_deref()) else {
        let body = format!("{}\n{}", d.body.title, d.text);
        return ("sampleText".into(), json!({ "content": cut_bytes(&body, TEXT_BYTES) }));
    };
    let lines: Vec<String> = d.text.lines().filter(|l| !l.starts_with(LINE_PREFIX)).map(escaped).collect();
    let markdown = titled(&d.body.title, &lines);
    let mut param = json!({ "title": d.body.title, "text": cut_bytes(&markdown, TEXT_BYTES) });
    for (i, m) in buttons::MILESTONES.iter().enumerate() {
        param[format!("actionTitle{}", i + 1)] = json!(buttons::label(*m, text));
        param[format!("actionURL{}", i + 1)] = json!(format!("{url}#m-{}", m.code()));
    }
    (format!("sampleActionCard{}", buttons::MILESTONES.len()), param)
}

#[async_trait::async_trait]
impl Channel for DingtalkApp {
    async fn send(&self, d: &Delivery) -> Result<Option<String>, SendError> {
        let (msg_key, param) = message(d, &CHAT_ZH);
        self.send_to(&d.address, &msg_key, &param).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::escalation::PageReason;

    fn delivery(reason: PageReason) -> Delivery {
        let mut body = crate::notify::tests::dispatch_body("【应急响应派单】某门户网站首页被篡改 [点此](http://evil)");
        body.reason = reason;
        body.assignment_id = Some(12);
        Delivery {
            address: "manager4220".into(),
            idempotency_key: "dispatch:12:c3".into(),
            text: "单位：安盾\n操作 Act: https://x/a/t\n回复 Reply: 1A 已接收".into(),
            action_url: Some("https://x/a/t".into()),
            body,
            sent_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_page_to_act_on_is_an_action_card_whose_buttons_open_its_link_at_each_milestone() {
        let (key, p) = message(&delivery(PageReason::Dispatch), &CHAT_ZH);
        assert_eq!(key, "sampleActionCard4");
        assert_eq!(p["actionTitle1"], "确认接收");
        assert_eq!(p["actionURL1"], "https://x/a/t#m-acknowledged");
        assert_eq!(p["actionURL3"], "https://x/a/t#m-on_site");
        let text = p["text"].as_str().unwrap();
        assert!(text.contains("回复 Reply: 1A 已接收"), "the reply codes stay: {text}");
        assert!(!text.contains("https://x/a/t"), "the link is the buttons: {text}");
        assert!(text.contains(r"\[点此\]\(http://evil\)"), "a typed link stays text: {text}");
    }

    #[test]
    fn a_page_not_to_act_on_is_text() {
        let (key, p) = message(&delivery(PageReason::Breach), &CHAT_ZH);
        assert_eq!(key, "sampleText");
        assert!(p["content"].as_str().unwrap().starts_with("【应急响应派单】"));
    }
}
