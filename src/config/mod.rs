//! Typed configuration: built-in defaults < `config/default.toml` <
//! `config/$ONSITE_ENV.toml` < `ONSITE_SECTION__KEY` environment variables.
//! Validated once at start-up; secrets are accepted only from the environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use chrono_tz::Tz;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::domain::login::{Lockout, SessionLifetime};
use crate::domain::policy::SlaPolicy;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    #[error("configuration: {key}: {message}")]
    Invalid { key: &'static str, message: String },
}

mod validate;

pub use validate::weak_key;

fn invalid(key: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { key, message: message.into() }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub http: HttpConfig,
    pub database: DatabaseConfig,
    pub log: LogConfig,
    pub display: DisplayConfig,
    pub policy: PolicyConfig,
    pub engine: EngineConfig,
    pub outbox: OutboxConfig,
    pub notify: NotifyConfig,
    pub telegram: TelegramConfig,
    pub web: WebConfig,
}

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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://data/onsite.db` (the embedded default) or `postgres://…`.
    pub url: String,
    pub max_connections: u32,
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
    /// The audit chain's key: only from `ONSITE_DATABASE__AUDIT_KEY`.
    /// Without it, the key file below (created on first start).
    #[serde(skip_serializing, default)]
    pub audit_key: Option<SecretString>,
    /// Where the audit key is kept when not in the environment; by default
    /// `audit.key` beside the SQLite file, or `data/audit.key`.
    #[serde(default)]
    pub audit_key_file: Option<PathBuf>,
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
    /// The gateway's request body, with `{to}` and `{text}`.
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

impl Default for Config {
    fn default() -> Self {
        Self {
            http: HttpConfig {
                addr: "127.0.0.1:8080".into(),
                body_limit_bytes: 2 * 1024 * 1024,
                request_timeout: Duration::from_secs(30),
                public_url: "http://127.0.0.1:8080".into(),
                header_read_timeout: Duration::from_secs(10),
                max_connections: 1024,
                max_connections_per_address: 256,
                metrics_token: None,
            },
            database: DatabaseConfig {
                url: "sqlite://data/onsite.db".into(),
                max_connections: 10,
                connect_timeout: Duration::from_secs(10),
                audit_key: None,
                audit_key_file: None,
            },
            log: LogConfig { format: LogFormat::Human, level: "info".into() },
            display: DisplayConfig { timezone: "Asia/Shanghai".into() },
            policy: PolicyConfig {
                ack_target: Duration::from_secs(10 * 60),
                escalate_at: Duration::from_secs(20 * 60),
                remind_at: Duration::from_secs(60 * 60),
                warn_at: Duration::from_secs(90 * 60),
                deadline: Duration::from_secs(2 * 3600),
                at_risk: Duration::from_secs(30 * 60),
            },
            engine: EngineConfig { enabled: true, poll_interval: Duration::from_secs(5) },
            outbox: OutboxConfig {
                max_attempts: 5,
                backoff_base: Duration::from_secs(2),
                backoff_max: Duration::from_secs(300),
                send_timeout: Duration::from_secs(10),
                lease: Duration::from_secs(60),
            },
            notify: NotifyConfig {
                webhook_secret: None,
                sms_url: None,
                sms_template: r#"{"to":"{to}","text":"{text}"}"#.into(),
                sms_key: None,
                link_secret: None,
                link_ttl: Duration::from_secs(24 * 3600),
            },
            telegram: TelegramConfig {
                api_url: "https://api.telegram.org".into(),
                token: None,
                poll_timeout: Duration::from_secs(25),
                link_code_ttl: Duration::from_secs(24 * 3600),
                link_code_attempts_per_hour: 10,
                onsite_radius_m: 1_000.0,
                webhook_url: None,
                webhook_secret: None,
            },
            web: WebConfig {
                session_idle: Duration::from_secs(12 * 3600),
                session_max: Duration::from_secs(7 * 24 * 3600),
                secure_cookie: true,
                login_max_failures: 5,
                lockout: Duration::from_secs(15 * 60),
                sign_in_attempts_per_minute: 20,
                action_link_requests_per_minute: 30,
            },
        }
    }
}

/// Keys that hold secrets and so must not come from files in the repository.
const SECRET_KEYS: &[&str] = &[
    "telegram.token",
    "notify.webhook_secret",
    "notify.sms_key",
    "notify.link_secret",
    "telegram.webhook_secret",
    "http.metrics_token",
    "database.audit_key",
];

impl Config {
    /// Loads from `dir` (normally `./config`, or `ONSITE_CONFIG_DIR`) and the
    /// process environment.
    pub fn load() -> Result<Self, ConfigError> {
        let dir = std::env::var_os("ONSITE_CONFIG_DIR").map_or_else(|| PathBuf::from("config"), PathBuf::from);
        let env = std::env::var("ONSITE_ENV").unwrap_or_else(|_| "development".into());
        Self::from_figment(Self::files(&dir, &env), Env::prefixed("ONSITE_").split("__").ignore(&["env", "config_dir"]))
    }

    fn files(dir: &std::path::Path, env: &str) -> Figment {
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(dir.join("default.toml")))
            .merge(Toml::file(dir.join(format!("{env}.toml"))))
    }

    fn from_figment(files: Figment, env: Env) -> Result<Self, ConfigError> {
        for key in SECRET_KEYS {
            if files.contains(key) {
                return Err(invalid(
                    "secret",
                    format!(
                        "{key} is a secret: set it in the environment (ONSITE_{}), not in a config file",
                        key.to_uppercase().replace('.', "__")
                    ),
                ));
            }
        }
        let config: Config = files.merge(env).extract().map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    pub fn http_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.http.addr.parse().map_err(|_| invalid("http.addr", format!("`{}` is not host:port", self.http.addr)))
    }

    pub fn timezone(&self) -> Result<Tz, ConfigError> {
        self.display
            .timezone
            .parse()
            .map_err(|_| invalid("display.timezone", format!("unknown zone `{}`", self.display.timezone)))
    }

    /// The SLA policy new assignments are dispatched with.
    pub fn sla_policy(&self) -> SlaPolicy {
        let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        SlaPolicy {
            ack_target_secs: secs(self.policy.ack_target),
            deadline_secs: secs(self.policy.deadline),
            at_risk_secs: secs(self.policy.at_risk),
            escalate_secs: secs(self.policy.escalate_at),
            remind_secs: secs(self.policy.remind_at),
            warn_secs: secs(self.policy.warn_at),
            ..SlaPolicy::default()
        }
    }

    /// Sign-in lockout and session lifetime, as the domain reads them.
    pub fn lockout(&self) -> Lockout {
        Lockout { max_failures: self.web.login_max_failures, duration: chrono_duration(self.web.lockout) }
    }

    pub fn session_lifetime(&self) -> SessionLifetime {
        SessionLifetime { idle: chrono_duration(self.web.session_idle), max: chrono_duration(self.web.session_max) }
    }

    pub fn is_sqlite(&self) -> bool {
        self.database.url.starts_with("sqlite:")
    }
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

#[cfg(test)]
// figment::Jail closures must return figment::Error, which is large.
#[allow(clippy::result_large_err)]
mod tests {
    use figment::Jail;

    use super::*;

    fn load_in(jail: &Jail) -> Result<Config, ConfigError> {
        let env = std::env::var("ONSITE_ENV").unwrap_or_else(|_| "development".into());
        Config::from_figment(
            Config::files(&jail.directory().join("config"), &env),
            Env::prefixed("ONSITE_").split("__").ignore(&["env", "config_dir"]),
        )
    }

    #[test]
    fn layers_apply_in_order_defaults_files_then_environment() {
        Jail::expect_with(|jail| {
            jail.create_dir("config")?;
            jail.create_file("config/default.toml", "[http]\naddr = \"127.0.0.1:9000\"\n[policy]\ndeadline = \"3h\"")?;
            jail.create_file("config/test.toml", "[policy]\ndeadline = \"100m\"")?;
            jail.set_env("ONSITE_ENV", "test");
            jail.set_env("ONSITE_POLICY__ACK_TARGET", "90s");
            let c = load_in(jail).expect("loads");
            assert_eq!(c.http.addr, "127.0.0.1:9000");
            assert_eq!(c.policy.deadline, Duration::from_secs(100 * 60));
            assert_eq!(c.policy.ack_target, Duration::from_secs(90));
            assert_eq!(c.policy.at_risk, Duration::from_secs(30 * 60));
            assert_eq!(c.sla_policy().ack_target_secs, 90);
            Ok(())
        });
    }

    #[test]
    fn a_bad_duration_names_the_key() {
        Jail::expect_with(|jail| {
            jail.set_env("ONSITE_POLICY__DEADLINE", "two hours");
            let msg = load_in(jail).unwrap_err().to_string();
            assert!(msg.to_lowercase().contains("policy.deadline"), "{msg}");
            Ok(())
        });
    }

    #[test]
    fn an_unknown_key_is_refused_rather_than_ignored() {
        Jail::expect_with(|jail| {
            jail.set_env("ONSITE_HTTP__ADRESS", "x");
            let msg = load_in(jail).unwrap_err().to_string();
            assert!(msg.contains("adress"), "{msg}");
            Ok(())
        });
    }

    #[test]
    fn the_bot_token_is_accepted_only_from_the_environment() {
        Jail::expect_with(|jail| {
            jail.create_dir("config")?;
            jail.create_file("config/default.toml", "[telegram]\ntoken = \"123:abc\"")?;
            let msg = load_in(jail).unwrap_err().to_string();
            assert!(msg.contains("ONSITE_TELEGRAM__TOKEN"), "{msg}");
            assert!(!msg.contains("123:abc"), "{msg}");
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("ONSITE_TELEGRAM__TOKEN", "123:abc");
            assert!(load_in(jail).unwrap().telegram.token.is_some());
            Ok(())
        });
    }

    #[test]
    fn semantic_errors_are_explained() {
        Jail::expect_with(|jail| {
            jail.set_env("ONSITE_DISPLAY__TIMEZONE", "Mars/Olympus");
            assert!(load_in(jail).unwrap_err().to_string().contains("Mars/Olympus"));
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("ONSITE_POLICY__AT_RISK", "3h");
            assert!(load_in(jail).unwrap_err().to_string().contains("policy.at_risk"));
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("ONSITE_DATABASE__URL", "mysql://x");
            assert!(load_in(jail).unwrap_err().to_string().contains("database.url"));
            Ok(())
        });
    }
}
