//! The configuration's sections, one struct each, as `config/default.toml`
//! and the `ONSITE_SECTION__KEY` variables name them.

use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Address to listen on; port 0 picks a free one (tests).
    pub addr: String,
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    /// The address people reach this service at, for links in pages.
    pub public_url: String,
    /// A client that has not sent a request's headers within this is cut
    /// off (the request timeout starts only once they are complete).
    #[serde(with = "humantime_serde")]
    pub header_read_timeout: Duration,
    /// Open connections accepted at once; more wait until one closes.
    pub max_connections: usize,
    /// Open connections one client address may hold; more are closed at once.
    pub max_connections_per_address: usize,
    /// Bearer token `/metrics` asks for: only from
    /// `ONSITE_HTTP__METRICS_TOKEN`. Without it `/metrics` is open to
    /// whoever reaches the port.
    #[serde(skip_serializing, default)]
    pub metrics_token: Option<SecretString>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub format: LogFormat,
    /// A tracing filter such as `info` or `onsite=debug,info`.
    pub level: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisplayConfig {
    /// IANA zone every time is shown in.
    pub timezone: String,
}

/// The default SLA policy (docs/DOMAIN.md §4); durations like `90s`, `10m`, `2h`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Not acknowledged by then: page again, and the support lead.
    #[serde(with = "humantime_serde")]
    pub ack_target: Duration,
    /// Still not acknowledged: page the emergency lead and the bureau duty officer.
    #[serde(with = "humantime_serde")]
    pub escalate_at: Duration,
    /// Milestones missing: reminder to the unit.
    #[serde(with = "humantime_serde")]
    pub remind_at: Duration,
    /// Milestones missing: warning to the unit and the bureau.
    #[serde(with = "humantime_serde")]
    pub warn_at: Duration,
    /// The commitment: plan activated, on site and HQ remote by T0 + this.
    #[serde(with = "humantime_serde")]
    pub deadline: Duration,
    /// Shown as at risk this long before the deadline.
    #[serde(with = "humantime_serde")]
    pub at_risk: Duration,
}

/// The durable timer engine.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    /// Run the timer engine and the page outbox in this process.
    pub enabled: bool,
    /// Fallback re-check when no wake-up arrives (new work normally wakes
    /// the engine at once, across instances through PostgreSQL NOTIFY).
    #[serde(with = "humantime_serde")]
    pub poll_interval: Duration,
    /// A loop that has not finished a pass for this long is stalled:
    /// `/readyz` fails naming it and the heartbeat is withheld.
    #[serde(with = "humantime_serde", default = "default_stall_after")]
    pub stall_after: Duration,
    /// How often the instances sharing PostgreSQL look for a peer that died
    /// and take back the pages it was sending (and check their own
    /// liveness lock is still held).
    #[serde(with = "humantime_serde", default = "default_failover_check")]
    pub failover_check: Duration,
}

fn default_failover_check() -> Duration {
    Duration::from_secs(1)
}

fn default_stall_after() -> Duration {
    Duration::from_secs(120)
}

impl EngineConfig {
    pub fn stalled_after(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.stall_after).unwrap_or(chrono::Duration::MAX)
    }
}

/// `[heartbeat]`: the dead man's switch.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HeartbeatConfig {
    /// Called (POST) while the engine is healthy; only from
    /// `ONSITE_HEARTBEAT__URL` (a monitor's URL carries its secret).
    #[serde(skip_serializing)]
    pub url: Option<secrecy::SecretString>,
    #[serde(with = "humantime_serde")]
    pub every: Duration,
}

impl Default for HeartbeatConfig {
    fn default() -> Self {
        Self { url: None, every: Duration::from_secs(60) }
    }
}

/// Delivery of pages.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxConfig {
    /// Attempts on one channel before falling over to the next.
    pub max_attempts: i32,
    #[serde(with = "humantime_serde")]
    pub backoff_base: Duration,
    #[serde(with = "humantime_serde")]
    pub backoff_max: Duration,
    /// Timeout of one send to a provider.
    #[serde(with = "humantime_serde")]
    pub send_timeout: Duration,
    /// How long a claimed page is reserved for its sender; a sender that
    /// dies leaves it to be retried after this.
    #[serde(with = "humantime_serde")]
    pub lease: Duration,
}

/// Outbound channels.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// HMAC-SHA256 key signing generic webhooks: only from `ONSITE_NOTIFY__WEBHOOK_SECRET`.
    #[serde(skip_serializing, default)]
    pub webhook_secret: Option<SecretString>,
    /// The SMS gateway's URL; SMS is off without it.
    #[serde(default)]
    pub sms_url: Option<String>,
    /// The gateway's request body, with `{to}`, `{text}` and `{key}` (the
    /// page's key, passed on as the gateway's `OutId`: its delivery reports
    /// to `/callbacks/sms` then name the page).
    pub sms_template: String,
    /// The gateway's bearer key: only from `ONSITE_NOTIFY__SMS_KEY`.
    #[serde(skip_serializing, default)]
    pub sms_key: Option<SecretString>,
    /// Signs action links: only from `ONSITE_NOTIFY__LINK_SECRET`. Several
    /// instances must share it; without it each process makes its own and
    /// links die with the process.
    #[serde(skip_serializing, default)]
    pub link_secret: Option<SecretString>,
    /// How long an action link in a page stays valid.
    #[serde(with = "humantime_serde")]
    pub link_ttl: Duration,
    /// Demo mode (`onsite serve --demo`): every page except Telegram's is
    /// delivered to the built-in demo inbox (`/demo/inbox`) instead of a
    /// provider, so one browser can play both the bureau and the engineer.
    #[serde(default)]
    pub demo_inbox: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramConfig {
    /// Bot API base URL; tests point it at a local fake.
    pub api_url: String,
    /// The bot token: only from `ONSITE_TELEGRAM__TOKEN`. Without it the bot
    /// and the Telegram channel are off.
    #[serde(skip_serializing, default)]
    pub token: Option<SecretString>,
    /// Long-poll timeout of one getUpdates call.
    #[serde(with = "humantime_serde")]
    pub poll_timeout: Duration,
    /// How long a link code (`/start CODE`) stays valid.
    #[serde(with = "humantime_serde")]
    pub link_code_ttl: Duration,
    /// `/start CODE` attempts one chat may make per hour (a burst of this
    /// many, then one every hour/N).
    pub link_code_attempts_per_hour: u32,
    /// An "on site" location farther than this from the site is flagged.
    pub onsite_radius_m: f64,
    /// Webhook mode: the public URL of `/telegram/webhook` to register with
    /// Telegram. Without it the bot long-polls.
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// Checks that webhook calls come from Telegram: only from
    /// `ONSITE_TELEGRAM__WEBHOOK_SECRET`; required in webhook mode.
    #[serde(skip_serializing, default)]
    pub webhook_secret: Option<SecretString>,
}

/// The bureau's web app: sign-in and sessions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    /// A session unused this long ends.
    #[serde(with = "humantime_serde")]
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however busy.
    #[serde(with = "humantime_serde")]
    pub session_max: Duration,
    /// Send the session cookie only over HTTPS (off in development and tests).
    pub secure_cookie: bool,
    /// Wrong passwords in a row before the account is locked.
    pub login_max_failures: i32,
    /// How long a locked account stays locked.
    #[serde(with = "humantime_serde")]
    pub lockout: Duration,
    /// Sign-in attempts one client address may make per minute.
    pub sign_in_attempts_per_minute: u32,
    /// Action-link page views and presses one client address may make per minute.
    pub action_link_requests_per_minute: u32,
}

/// WeCom's self-built app (企业微信自建应用): pages to a person's WeCom
/// userid as cards with buttons, and the callback `/callbacks/wecom` that
/// takes their presses. Off unless `corp_id`, `agent_id` and the secret are
/// all set; the callback is on when its token and key are set too.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WecomConfig {
    /// WeCom's server API; tests point it at a local fake.
    pub api_url: String,
    /// 企业ID (CorpID).
    #[serde(default)]
    pub corp_id: Option<String>,
    /// The app's AgentId.
    #[serde(default)]
    pub agent_id: Option<i64>,
    /// The app's Secret: only from `ONSITE_WECOM__SECRET`.
    #[serde(skip_serializing, default)]
    pub secret: Option<SecretString>,
    /// The callback's Token: only from `ONSITE_WECOM__TOKEN`.
    #[serde(skip_serializing, default)]
    pub token: Option<SecretString>,
    /// The callback's EncodingAESKey (43 characters): only from
    /// `ONSITE_WECOM__ENCODING_AES_KEY`.
    #[serde(skip_serializing, default)]
    pub encoding_aes_key: Option<SecretString>,
}

/// Feishu's (飞书 / Lark) custom app: pages to a person's open_id as cards
/// with buttons, and the card-action callback `/callbacks/feishu`. Off
/// unless the app id and secret are both set; the callback is on when its
/// verification token is set, and signed and encrypted when the Encrypt Key
/// is set too.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeishuConfig {
    /// Feishu's open API (`https://open.larksuite.com` for Lark); tests
    /// point it at a local fake.
    pub api_url: String,
    /// The app's App ID (`cli_…`).
    #[serde(default)]
    pub app_id: Option<String>,
    /// The app's App Secret: only from `ONSITE_FEISHU__APP_SECRET`.
    #[serde(skip_serializing, default)]
    pub app_secret: Option<SecretString>,
    /// The callback's Verification Token: only from
    /// `ONSITE_FEISHU__VERIFICATION_TOKEN`.
    #[serde(skip_serializing, default)]
    pub verification_token: Option<SecretString>,
    /// The Encrypt Key: only from `ONSITE_FEISHU__ENCRYPT_KEY`.
    #[serde(skip_serializing, default)]
    pub encrypt_key: Option<SecretString>,
}

/// DingTalk's enterprise internal app (钉钉企业内部应用): pages to a
/// person's userid from the app's robot, and the robot's messages back on
/// `/callbacks/dingtalk`. Off unless the app key and secret are both set;
/// the encrypted event subscription on the same door is on when its token
/// and AES key are set too.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DingtalkConfig {
    /// DingTalk's server API; tests point it at a local fake.
    pub api_url: String,
    /// The app's AppKey (`ding…`).
    #[serde(default)]
    pub app_key: Option<String>,
    /// The robot's code; DingTalk gives an internal app's robot its app key,
    /// which is used when this is not set.
    #[serde(default)]
    pub robot_code: Option<String>,
    /// The app's AppSecret (it also signs the robot's messages to us): only
    /// from `ONSITE_DINGTALK__APP_SECRET`.
    #[serde(skip_serializing, default)]
    pub app_secret: Option<SecretString>,
    /// The event subscription's token: only from
    /// `ONSITE_DINGTALK__CALLBACK_TOKEN`.
    #[serde(skip_serializing, default)]
    pub callback_token: Option<SecretString>,
    /// The event subscription's aes_key (43 characters): only from
    /// `ONSITE_DINGTALK__CALLBACK_AES_KEY`.
    #[serde(skip_serializing, default)]
    pub callback_aes_key: Option<SecretString>,
}

/// Replies to SMS pages (短信回复): the gateway forwards each text an
/// engineer sends back to `/callbacks/sms`, signed with this secret. The
/// pages themselves go out through `[notify] sms_url`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    /// The inbound callback's signing secret: only from
    /// `ONSITE_SMS__REPLY_SECRET`; the callback is off without it.
    #[serde(skip_serializing, default)]
    pub reply_secret: Option<SecretString>,
}

/// Voice calls (语音通知) through a voice-notification gateway in the shape
/// of the Chinese cloud voice services: a TTS template in the vendor's
/// console with parameters, a call id back. Off without `url` and
/// `tts_code`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoiceConfig {
    /// The gateway's endpoint for one call.
    #[serde(default)]
    pub url: Option<String>,
    /// The TTS template's code (`TtsCode`), whose variables are `title`
    /// and `deadline`.
    #[serde(default)]
    pub tts_code: Option<String>,
    /// The gateway's key, sent as a bearer token: only from
    /// `ONSITE_VOICE__KEY`.
    #[serde(skip_serializing, default)]
    pub key: Option<SecretString>,
    /// The signing secret of the gateway's call reports (answered, key
    /// pressed, not answered) to `/callbacks/voice`: only from
    /// `ONSITE_VOICE__REPORT_SECRET`; the callback is off without it.
    #[serde(skip_serializing, default)]
    pub report_secret: Option<SecretString>,
    /// Times the message is played in one call (1 to 3).
    pub play_times: u8,
    /// At most this many calls ring one number within `call_window`; a page
    /// past the limit falls over to the person's next channel.
    pub calls_per_window: u32,
    #[serde(with = "humantime_serde")]
    pub call_window: Duration,
}

impl Default for VoiceConfig {
    fn default() -> Self {
        Self {
            url: None,
            tts_code: None,
            key: None,
            report_secret: None,
            play_times: 2,
            calls_per_window: 3,
            call_window: Duration::from_secs(15 * 60),
        }
    }
}

/// Following up the bureau's instructions (工作指示) a unit has not
/// confirmed reading: the liaisons are reminded `remind_after` it went out
/// (at its deadline at the latest), and the unit's support leads are told
/// `escalate_after` its deadline passed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstructionsConfig {
    #[serde(with = "humantime_serde")]
    pub remind_after: Duration,
    #[serde(with = "humantime_serde")]
    pub escalate_after: Duration,
}

impl Default for InstructionsConfig {
    fn default() -> Self {
        Self { remind_after: Duration::from_secs(3600), escalate_after: Duration::from_secs(30 * 60) }
    }
}

impl InstructionsConfig {
    pub fn follow_up(&self) -> crate::domain::instruction::FollowUp {
        let d = |d: Duration| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
        crate::domain::instruction::FollowUp {
            remind_after: d(self.remind_after),
            escalate_after: d(self.escalate_after),
        }
    }
}

/// Work reports (汇报): a month's report is due by the end of `due_day` of
/// the following month; the unit's liaisons are reminded `remind_before`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkReportsConfig {
    pub due_day: u32,
    #[serde(with = "humantime_serde")]
    pub remind_before: Duration,
}

impl Default for WorkReportsConfig {
    fn default() -> Self {
        Self { due_day: 5, remind_before: Duration::from_secs(3 * 24 * 3600) }
    }
}

impl WorkReportsConfig {
    pub fn schedule(&self) -> crate::domain::work_report::Schedule {
        crate::domain::work_report::Schedule {
            due_day: self.due_day,
            remind_before: chrono::Duration::from_std(self.remind_before).unwrap_or(chrono::Duration::days(3)),
        }
    }
}
