//! What serde cannot check: addresses, zones, URLs, policy sanity, and the
//! strength of every secret, so a weak or empty one stops start-up with a
//! message saying which and why instead of quietly protecting nothing.

use secrecy::{ExposeSecret, SecretString};

use super::{Config, ConfigError, invalid};
use crate::crypto::weak_key;

fn env_name(key: &str) -> String {
    format!("ONSITE_{}", key.to_uppercase().replace('.', "__"))
}

fn check_key(key: &'static str, secret: Option<&SecretString>) -> Result<(), ConfigError> {
    match secret.and_then(|s| weak_key(s.expose_secret())) {
        Some(why) => Err(invalid(key, format!("{} {why}", env_name(key)))),
        None => Ok(()),
    }
}

impl Config {
    /// The secrets onsite itself signs or checks with must be strong; those a
    /// provider issues (a bot token, an SMS key) must at least not be blank.
    fn validate_secrets(&self) -> Result<(), ConfigError> {
        check_key("notify.link_secret", self.notify.link_secret.as_ref())?;
        check_key("notify.webhook_secret", self.notify.webhook_secret.as_ref())?;
        check_key("http.metrics_token", self.http.metrics_token.as_ref())?;
        check_key("database.audit_key", self.database.audit_key.as_ref())?;
        check_key("telegram.webhook_secret", self.telegram.webhook_secret.as_ref())?;
        if let Some(secret) = &self.telegram.webhook_secret
            && !secret.expose_secret().chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(invalid(
                "telegram.webhook_secret",
                "Telegram accepts only A-Z, a-z, 0-9, _ and - in a webhook secret / 仅可包含字母、数字、_ 和 -",
            ));
        }
        for (key, secret) in [("telegram.token", &self.telegram.token), ("notify.sms_key", &self.notify.sms_key)] {
            if secret.as_ref().is_some_and(|s| s.expose_secret().trim().is_empty()) {
                return Err(invalid(key, format!("{} is empty / 为空", env_name(key))));
            }
        }
        Ok(())
    }

    /// Checks what serde cannot: addresses, zones, URLs and policy sanity.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_secrets()?;
        self.validate_apps()?;
        self.http_addr()?;
        self.timezone()?;
        if self.http.body_limit_bytes < 1024 {
            return Err(invalid("http.body_limit_bytes", "must be at least 1024"));
        }
        let url = &self.database.url;
        if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(invalid("database.url", format!("`{url}` is neither sqlite: nor postgres://")));
        }
        if self.database.max_connections == 0 {
            return Err(invalid("database.max_connections", "must be at least 1"));
        }
        if url::Url::parse(&self.telegram.api_url).is_err() {
            return Err(invalid("telegram.api_url", "not a URL"));
        }
        let p = &self.policy;
        if p.deadline.is_zero() || p.ack_target.is_zero() {
            return Err(invalid("policy", "ack_target and deadline must be longer than zero"));
        }
        if p.at_risk >= p.deadline {
            return Err(invalid("policy.at_risk", "must be shorter than policy.deadline"));
        }
        if !(p.ack_target < p.escalate_at && p.escalate_at <= p.deadline) {
            return Err(invalid("policy.escalate_at", "must be after policy.ack_target and not after policy.deadline"));
        }
        if !(p.remind_at < p.warn_at && p.warn_at < p.deadline) {
            return Err(invalid("policy", "remind_at < warn_at < deadline must hold"));
        }
        if let Some(hook) = &self.telegram.webhook_url {
            if url::Url::parse(hook).is_err() {
                return Err(invalid("telegram.webhook_url", "not a URL"));
            }
            if self.telegram.webhook_secret.is_none() {
                return Err(invalid("telegram.webhook_secret", "webhook mode needs ONSITE_TELEGRAM__WEBHOOK_SECRET"));
            }
        }
        if url::Url::parse(&self.http.public_url).is_err() {
            return Err(invalid("http.public_url", "not a URL"));
        }
        if !(1..=28).contains(&self.work_reports.due_day) {
            return Err(invalid("work_reports.due_day", "must be a day from 1 to 28, which every month has"));
        }
        if let Some(sms) = &self.notify.sms_url
            && url::Url::parse(sms).is_err()
        {
            return Err(invalid("notify.sms_url", "not a URL"));
        }
        if !(self.notify.sms_template.contains("{to}") && self.notify.sms_template.contains("{text}")) {
            return Err(invalid("notify.sms_template", "must contain {to} and {text}"));
        }
        if self.outbox.max_attempts < 1 {
            return Err(invalid("outbox.max_attempts", "must be at least 1"));
        }
        for (key, value) in [
            ("web.sign_in_attempts_per_minute", self.web.sign_in_attempts_per_minute),
            ("web.action_link_requests_per_minute", self.web.action_link_requests_per_minute),
            ("telegram.link_code_attempts_per_hour", self.telegram.link_code_attempts_per_hour),
        ] {
            if value < 1 {
                return Err(invalid(key, "must be at least 1"));
            }
        }
        if self.web.login_max_failures < 1 {
            return Err(invalid("web.login_max_failures", "must be at least 1"));
        }
        if self.web.session_idle.is_zero() || self.web.session_max < self.web.session_idle {
            return Err(invalid("web", "session_idle must be longer than zero and not longer than session_max"));
        }
        if self.http.header_read_timeout.is_zero() || self.http.max_connections == 0 {
            return Err(invalid("http", "header_read_timeout and max_connections must be above zero"));
        }
        if self.http.max_connections_per_address == 0 {
            return Err(invalid("http.max_connections_per_address", "must be at least 1"));
        }
        if self.engine.poll_interval.is_zero() {
            return Err(invalid("engine.poll_interval", "must be longer than zero"));
        }
        if self.engine.failover_check.is_zero() {
            return Err(invalid("engine.failover_check", "must be longer than zero"));
        }
        if self.engine.stall_after <= self.engine.poll_interval * 2 {
            return Err(invalid("engine.stall_after", "must be longer than twice engine.poll_interval"));
        }
        if self.heartbeat.every.is_zero() {
            return Err(invalid("heartbeat.every", "must be longer than zero"));
        }
        if let Some(url) = &self.heartbeat.url {
            let url = url.expose_secret();
            if !(url.starts_with("https://") || url.starts_with("http://")) || reqwest::Url::parse(url).is_err() {
                return Err(invalid("heartbeat.url", "must be an http(s) URL"));
            }
        }
        let r = &self.retention;
        if [r.pages, r.web_sessions, r.telegram_updates].iter().any(|d| *d < super::RetentionConfig::SHORTEST) {
            return Err(invalid("retention", "pages, web_sessions and telegram_updates must each be at least 1d"));
        }
        if self.backup.keep == 0 {
            return Err(invalid("backup.keep", "must be at least 1"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weak_or_empty_secret_stops_start_up_and_says_which() {
        let strong = "9f3c1a7e5b2d4c6e8a0b1c3d5e7f9a2b";
        let mut c = Config::default();
        assert!(c.validate().is_ok(), "no secret configured is not a weak one");
        c.telegram.webhook_secret = Some(SecretString::from(""));
        let msg = c.validate().unwrap_err().to_string();
        assert!(msg.contains("ONSITE_TELEGRAM__WEBHOOK_SECRET") && msg.contains("empty"), "{msg}");
        c.telegram.webhook_secret = Some(SecretString::from(format!("{strong}!")));
        assert!(c.validate().unwrap_err().to_string().contains("only A-Z"));
        c.telegram.webhook_secret = Some(SecretString::from(strong));
        assert!(c.validate().is_ok());
        c.notify.link_secret = Some(SecretString::from("hunter2"));
        let msg = c.validate().unwrap_err().to_string();
        assert!(msg.contains("ONSITE_NOTIFY__LINK_SECRET") && msg.contains("at least 32"), "{msg}");
        c.notify.link_secret = None;
        c.http.metrics_token = Some(SecretString::from("x".repeat(40)));
        assert!(c.validate().unwrap_err().to_string().contains("ONSITE_HTTP__METRICS_TOKEN"));
        c.http.metrics_token = None;
        c.notify.sms_key = Some(SecretString::from(" "));
        assert!(c.validate().unwrap_err().to_string().contains("ONSITE_NOTIFY__SMS_KEY"));
    }
}
