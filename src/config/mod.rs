//! Typed configuration: built-in defaults < `config/default.toml` <
//! `config/$ONSITE_ENV.toml` < `ONSITE_SECTION__KEY` environment variables.
//! Validated once at start-up; secrets are accepted only from the environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use chrono_tz::Tz;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
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

mod apps;
mod backup;
mod evidence;
mod sections;
mod validate;

pub use crate::crypto::weak_key;
pub use crate::store::DatabaseConfig;
pub use backup::{BackupConfig, RetentionConfig};
pub use evidence::{EvidenceConfig, EvidenceStore};
pub use sections::*;

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
    pub wecom: WecomConfig,
    pub feishu: FeishuConfig,
    pub dingtalk: DingtalkConfig,
    #[serde(default)]
    pub sms: SmsConfig,
    #[serde(default)]
    pub voice: VoiceConfig,
    #[serde(default)]
    pub instructions: InstructionsConfig,
    #[serde(default)]
    pub work_reports: WorkReportsConfig,
    #[serde(default)]
    pub evidence: EvidenceConfig,
    #[serde(default)]
    pub backup: BackupConfig,
    #[serde(default)]
    pub heartbeat: HeartbeatConfig,
    #[serde(default)]
    pub retention: RetentionConfig,
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
            engine: EngineConfig {
                enabled: true,
                poll_interval: Duration::from_secs(5),
                stall_after: Duration::from_secs(120),
                failover_check: Duration::from_secs(1),
            },
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
                demo_inbox: false,
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
            wecom: WecomConfig {
                api_url: "https://qyapi.weixin.qq.com".into(),
                corp_id: None,
                agent_id: None,
                secret: None,
                token: None,
                encoding_aes_key: None,
            },
            feishu: FeishuConfig {
                api_url: "https://open.feishu.cn".into(),
                app_id: None,
                app_secret: None,
                verification_token: None,
                encrypt_key: None,
            },
            dingtalk: DingtalkConfig {
                api_url: "https://api.dingtalk.com".into(),
                app_key: None,
                robot_code: None,
                app_secret: None,
                callback_token: None,
                callback_aes_key: None,
            },
            sms: SmsConfig::default(),
            voice: VoiceConfig::default(),
            instructions: InstructionsConfig::default(),
            work_reports: WorkReportsConfig::default(),
            evidence: EvidenceConfig::default(),
            backup: BackupConfig::default(),
            heartbeat: HeartbeatConfig::default(),
            retention: RetentionConfig::default(),
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
    "wecom.secret",
    "wecom.token",
    "wecom.encoding_aes_key",
    "feishu.app_secret",
    "feishu.verification_token",
    "feishu.encrypt_key",
    "dingtalk.app_secret",
    "dingtalk.callback_token",
    "dingtalk.callback_aes_key",
    "sms.reply_secret",
    "heartbeat.url",
    "voice.key",
    "voice.report_secret",
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
