//! WeCom's self-built app (企业微信自建应用) as a paging channel: a page an
//! engineer acts on goes to their WeCom userid as a `button_interaction`
//! template card with the four milestone buttons; other pages as text. The
//! same client answers the callback door (`web/callbacks/wecom.rs`): it
//! updates the pressed card and tells a refused person why.
//!
//! WeCom answers HTTP 200 with `errcode` in the body. The access token is
//! cached until shortly before `expires_in`, and fetched again when WeCom
//! calls it expired or invalid (40014, 42001, 40001).

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};

use super::app_token::{Issued, TokenCache};
use super::message::cut_bytes;
use super::msg_crypt::MsgCrypt;
use super::text::{CHAT_ZH, ChatText};
use super::{Channel, Delivery, SendError, buttons, message};
use crate::domain::clock::Clock;
use crate::domain::labels::Lang;

/// The app's identity and keys, from `[wecom]`.
pub struct WecomKeys {
    pub api_url: String,
    pub corp_id: String,
    pub agent_id: i64,
    pub secret: SecretString,
    /// The callback's Token and EncodingAESKey, when the callback is set up.
    pub callback: Option<MsgCrypt>,
}

pub struct WecomApp {
    client: reqwest::Client,
    keys: WecomKeys,
    tokens: TokenCache,
    clock: Arc<dyn Clock>,
}

/// WeCom's limits on a card's texts (characters) and a text message (bytes).
const TITLE_CHARS: usize = 36;
const DESC_CHARS: usize = 44;
const SUBTITLE_CHARS: usize = 160;
const TEXT_BYTES: usize = 2048;

/// The error codes that mean the token must be fetched again.
const TOKEN_REFUSED: [i64; 3] = [40001, 40014, 42001];

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    invaliduser: Option<String>,
    #[serde(default)]
    msgid: Option<String>,
}

impl WecomApp {
    pub fn new(keys: WecomKeys, timeout: Duration, clock: Arc<dyn Clock>) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout).build()?;
        Ok(Self { client, keys, tokens: TokenCache::default(), clock })
    }

    /// The callback's keys, when the callback is set up.
    pub fn crypt(&self) -> Option<&MsgCrypt> {
        self.keys.callback.as_ref()
    }

    pub fn agent_id(&self) -> i64 {
        self.keys.agent_id
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.keys.api_url.trim_end_matches('/'))
    }

    async fn fetch_token(&self) -> Result<Issued, SendError> {
        let request = self
            .client
            .get(self.url("/cgi-bin/gettoken"))
            .query(&[("corpid", self.keys.corp_id.as_str()), ("corpsecret", self.keys.secret.expose_secret())]);
        let answer = answer(request.send().await).await?;
        match (answer.errcode, answer.access_token, answer.expires_in) {
            (0, Some(token), Some(expires_in)) => Ok(Issued { token, expires_in }),
            (0, _, _) => {
                Err(SendError::Retryable { reason: "wecom_app: gettoken answered no token".into(), retry_after: None })
            }
            (code, _, _) => Err(refused(code, &answer.errmsg)),
        }
    }

    /// POSTs `body` to a server API with the access token, fetching a new
    /// token once when WeCom refuses the cached one.
    async fn post(&self, path: &str, body: &Value) -> Result<Answer, SendError> {
        let mut refreshed = false;
        loop {
            let token = self.tokens.get(self.clock.now(), || self.fetch_token()).await?;
            let request = self.client.post(self.url(path)).query(&[("access_token", token.as_str())]).json(body);
            let answer = answer(request.send().await).await?;
            match answer.errcode {
                0 => return Ok(answer),
                code if TOKEN_REFUSED.contains(&code) && !refreshed => {
                    self.tokens.forget(&token).await;
                    refreshed = true;
                }
                code => return Err(refused(code, &answer.errmsg)),
            }
        }
    }

    /// A text message to one person (a press refused, and why).
    pub async fn tell(&self, userid: &str, text: &str) -> Result<(), SendError> {
        let body = json!({
            "touser": userid,
            "msgtype": "text",
            "agentid": self.keys.agent_id,
            "text": { "content": cut_bytes(text, TEXT_BYTES) },
        });
        self.post("/cgi-bin/message/send", &body).await.map(|_| ())
    }

    /// Turns the pressed card's buttons into one grey line saying what was
    /// done (`response_code` is the press's, valid once).
    pub async fn update_card(&self, userid: &str, response_code: &str, done: &str) -> Result<(), SendError> {
        let body = json!({
            "userids": [userid],
            "agentid": self.keys.agent_id,
            "response_code": response_code,
            "button": { "replace_name": cut_chars(done, DESC_CHARS) },
        });
        self.post("/cgi-bin/message/update_template_card", &body).await.map(|_| ())
    }
}

/// Reads WeCom's answer: a transport failure or a 5xx is retried.
async fn answer(sent: Result<reqwest::Response, reqwest::Error>) -> Result<Answer, SendError> {
    let response = sent.map_err(|e| SendError::unreachable("wecom_app", &e))?;
    let status = response.status();
    if !status.is_success() {
        let reason = format!("wecom_app answered {status}");
        return Err(if status.is_server_error() || status.as_u16() == 429 {
            SendError::Retryable { reason, retry_after: None }
        } else {
            SendError::Permanent { reason }
        });
    }
    response
        .json()
        .await
        .map_err(|_| SendError::Retryable { reason: "wecom_app answered no JSON".into(), retry_after: None })
}

/// How one of WeCom's error codes bears on the page.
fn refused(code: i64, message: &str) -> SendError {
    let reason = format!("wecom_app refused ({code}): {message}");
    match code {
        // Too many calls (45009), too many at once (45033), or WeCom busy (-1).
        45009 | 45033 => SendError::Retryable { reason, retry_after: Some(Duration::from_secs(60)) },
        -1 => SendError::Retryable { reason, retry_after: None },
        _ => SendError::Permanent { reason },
    }
}

fn cut_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The card of a page an engineer acts on: the title, the page's Chinese
/// text, the action link behind the card, and the milestone buttons.
fn card(d: &Delivery, agent_id: i64, assignment_id: i64, text: &ChatText) -> Value {
    let zh = message::in_lang(&d.text, Lang::Zh);
    let mut lines = zh.lines().filter(|l| !l.starts_with(super::action_link::LINE_PREFIX));
    let first = lines.next().unwrap_or_default();
    let rest: Vec<&str> = lines.collect();
    let buttons: Vec<Value> = buttons::MILESTONES
        .iter()
        .map(|m| json!({ "text": buttons::label(*m, text), "style": 1, "key": buttons::key(*m, assignment_id) }))
        .collect();
    let mut card = json!({
        "card_type": "button_interaction",
        "source": { "desc": text.source },
        "main_title": { "title": cut_chars(&d.body.title, TITLE_CHARS), "desc": cut_chars(first, DESC_CHARS) },
        "sub_title_text": cut_chars(&rest.join("\n"), SUBTITLE_CHARS),
        "task_id": task_id(&d.idempotency_key),
        "button_list": buttons,
    });
    if let Some(url) = &d.action_url {
        card["card_action"] = json!({ "type": 1, "url": url });
    }
    json!({
        "touser": d.address,
        "msgtype": "template_card",
        "agentid": agent_id,
        "template_card": card,
        "enable_duplicate_check": 1,
        "duplicate_check_interval": 1800,
    })
}

/// WeCom refuses a second card with the same task id, which makes a resend
/// after a lost answer harmless: the page's idempotency key, in the
/// characters a task id allows.
fn task_id(idempotency_key: &str) -> String {
    idempotency_key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '@') { c } else { '-' })
        .take(128)
        .collect()
}

#[async_trait::async_trait]
impl Channel for WecomApp {
    async fn send(&self, d: &Delivery) -> Result<Option<String>, SendError> {
        let body = match d.buttons_for() {
            Some(assignment_id) => card(d, self.keys.agent_id, assignment_id, &CHAT_ZH),
            None => json!({
                "touser": d.address,
                "msgtype": "text",
                "agentid": self.keys.agent_id,
                "text": { "content": cut_bytes(&format!("{}\n{}", d.body.title, d.text), TEXT_BYTES) },
            }),
        };
        let answer = self.post("/cgi-bin/message/send", &body).await?;
        match answer.invaliduser.filter(|u| !u.is_empty()) {
            Some(user) => {
                Err(SendError::Permanent { reason: format!("wecom_app: user {user} cannot receive this app") })
            }
            None => Ok(answer.msgid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::escalation::PageReason;

    #[test]
    fn a_page_to_act_on_is_a_card_with_four_buttons_and_its_link() {
        let mut body = crate::notify::tests::dispatch_body(
            "【应急响应派单】某门户网站首页被篡改，请立即处置，时限两小时内到场，并同步总部远程支撑",
        );
        body.reason = PageReason::Dispatch;
        body.assignment_id = Some(12);
        let d = Delivery {
            address: "zhao.lei".into(),
            idempotency_key: "dispatch:12:c3".into(),
            text: "单位：安盾\n现场：重庆市渝中区\n操作 Act: https://x/a/t\n——\nEnglish".into(),
            action_url: Some("https://x/a/t".into()),
            body,
            sent_at: chrono::Utc::now(),
        };
        let v = card(&d, 1000002, 12, &CHAT_ZH);
        let c = &v["template_card"];
        assert_eq!(v["touser"], "zhao.lei");
        assert_eq!(c["task_id"], "dispatch-12-c3");
        assert_eq!(c["main_title"]["title"].as_str().unwrap().chars().count(), TITLE_CHARS);
        assert_eq!(c["main_title"]["desc"], "单位：安盾");
        assert_eq!(c["sub_title_text"], "现场：重庆市渝中区");
        assert_eq!(c["card_action"]["url"], "https://x/a/t");
        let keys: Vec<&str> = c["button_list"].as_array().unwrap().iter().map(|b| b["key"].as_str().unwrap()).collect();
        assert_eq!(keys, ["acknowledged@12", "plan_activated@12", "on_site@12", "hq_remote@12"]);
        assert_eq!(c["button_list"][0]["text"], "确认接收");
    }

    #[test]
    fn rate_limits_wait_and_refusals_fall_over() {
        assert!(matches!(refused(45009, "freq"), SendError::Retryable { retry_after: Some(_), .. }));
        assert!(matches!(refused(-1, "busy"), SendError::Retryable { retry_after: None, .. }));
        assert!(matches!(refused(81013, "user invalid"), SendError::Permanent { .. }));
    }
}
