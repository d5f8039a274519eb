//! Voice calls (语音通知) through a voice-notification gateway in the shape
//! of the Chinese cloud voice services' TTS call (`SingleCallByTts`): the
//! called number, the TTS template's code and its parameters as a JSON
//! string, how many times it plays, and our id for the call (`OutId`); the
//! gateway answers `Code` (`OK`) and a `CallId`. The page's title and
//! deadline are what the call reads out; the engineer acts on the page
//! elsewhere (its other channels, the action link).

use std::time::Duration;

use chrono_tz::Tz;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;

use super::{Channel, Delivery, SendError};

/// The longest title read out: a TTS template's variable is short.
const TITLE_CHARS: usize = 20;

pub struct Voice {
    client: reqwest::Client,
    url: String,
    tts_code: String,
    key: Option<SecretString>,
    play_times: u8,
    tz: Tz,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    call_id: Option<String>,
}

impl Voice {
    pub fn new(
        url: String,
        tts_code: String,
        key: Option<SecretString>,
        play_times: u8,
        tz: Tz,
        timeout: Duration,
    ) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout).build()?;
        Ok(Self { client, url, tts_code, key, play_times, tz })
    }
}

/// The TTS template's parameters: the title, cut, and the deadline in the
/// display zone (`HH:MM`), or nothing when the page has none.
fn params(d: &Delivery, tz: Tz) -> serde_json::Value {
    let title: String = d.body.title.chars().take(TITLE_CHARS).collect();
    let deadline = d.body.deadline_at.map(|at| at.with_timezone(&tz).format("%H:%M").to_string()).unwrap_or_default();
    json!({ "title": title, "deadline": deadline })
}

/// How one of the gateway's codes bears on the page.
fn refused(code: &str, message: &str) -> SendError {
    let reason = format!("voice refused ({code}): {message}");
    match code {
        // The carrier's limit per number (a minute apart at least), or ours
        // per account: wait a minute.
        "isv.BUSINESS_LIMIT_CONTROL" | "Throttling.User" | "Throttling" => {
            SendError::Retryable { reason, retry_after: Some(Duration::from_secs(60)) }
        }
        "isp.RAM_PERMISSION_DENY" | "isv.OUT_OF_SERVICE" | "isv.ACCOUNT_ABNORMAL" | "isp.SYSTEM_ERROR" => {
            SendError::Retryable { reason, retry_after: None }
        }
        _ => SendError::Permanent { reason },
    }
}

#[async_trait::async_trait]
impl Channel for Voice {
    async fn send(&self, d: &Delivery) -> Result<Option<String>, SendError> {
        let body = json!({
            "CalledNumber": d.address,
            "TtsCode": self.tts_code,
            "TtsParam": params(d, self.tz).to_string(),
            "PlayTimes": self.play_times,
            "OutId": d.idempotency_key,
        });
        let mut request =
            self.client.post(&self.url).header(super::webhook::IDEMPOTENCY_HEADER, &d.idempotency_key).json(&body);
        if let Some(key) = &self.key {
            request = request.bearer_auth(key.expose_secret());
        }
        let response = request.send().await.map_err(|e| SendError::unreachable("voice gateway", &e))?;
        let status = response.status();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(SendError::Retryable { reason: format!("voice gateway answered {status}"), retry_after: None });
        }
        let answer: Answer = response.json().await.map_err(|_| SendError::Retryable {
            reason: format!("voice gateway answered {status} without JSON"),
            retry_after: None,
        })?;
        match answer.code.as_str() {
            "OK" => Ok(answer.call_id),
            code => Err(refused(code, &answer.message)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_call_reads_the_title_cut_and_the_local_deadline() {
        let mut body =
            crate::notify::tests::dispatch_body("【应急响应派单】某门户网站首页被篡改，请立即处置并于两小时内到场");
        body.deadline_at = Some(chrono::DateTime::parse_from_rfc3339("2026-11-24T19:00:00Z").unwrap().to_utc());
        let d = Delivery {
            address: "+8613800138000".into(),
            idempotency_key: "dispatch:12:c3".into(),
            text: String::new(),
            action_url: None,
            body,
            sent_at: chrono::Utc::now(),
        };
        let p = params(&d, chrono_tz::Asia::Shanghai);
        assert_eq!(p["title"].as_str().unwrap().chars().count(), TITLE_CHARS);
        assert_eq!(p["deadline"], "03:00");
    }

    #[test]
    fn the_carriers_limit_waits_a_minute_and_a_bad_number_falls_over() {
        let limited = refused("isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控");
        assert!(matches!(limited, SendError::Retryable { retry_after: Some(d), .. } if d.as_secs() == 60));
        assert!(matches!(refused("isv.MOBILE_NUMBER_ILLEGAL", "号码格式错误"), SendError::Permanent { .. }));
    }
}
