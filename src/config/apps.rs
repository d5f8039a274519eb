//! The chat apps' sections: each is off, or whole. A half-configured app
//! (an id without its secret, a callback token without its key) stops
//! start-up naming what is missing, instead of paging nobody at 3 a.m.

use secrecy::{ExposeSecret, SecretString};

use super::{Config, ConfigError, invalid};

/// What a section holds of the keys that go together, by name.
fn missing<'a>(keys: &[(&'a str, bool)]) -> Option<Vec<&'a str>> {
    let set = keys.iter().filter(|(_, present)| *present).count();
    (set != 0 && set != keys.len()).then(|| keys.iter().filter(|(_, present)| !present).map(|(k, _)| *k).collect())
}

fn blank(secret: &Option<SecretString>) -> bool {
    secret.as_ref().is_some_and(|s| s.expose_secret().trim().is_empty())
}

impl Config {
    pub(super) fn validate_apps(&self) -> Result<(), ConfigError> {
        let w = &self.wecom;
        if url::Url::parse(&w.api_url).is_err() {
            return Err(invalid("wecom.api_url", "not a URL"));
        }
        for (key, secret) in
            [("wecom.secret", &w.secret), ("wecom.token", &w.token), ("wecom.encoding_aes_key", &w.encoding_aes_key)]
        {
            if blank(secret) {
                return Err(invalid(key, format!("ONSITE_{} is empty / 为空", key.to_uppercase().replace('.', "__"))));
            }
        }
        let app = [
            ("wecom.corp_id", w.corp_id.is_some()),
            ("wecom.agent_id", w.agent_id.is_some()),
            ("ONSITE_WECOM__SECRET", w.secret.is_some()),
        ];
        let callback = [
            ("ONSITE_WECOM__TOKEN", w.token.is_some()),
            ("ONSITE_WECOM__ENCODING_AES_KEY", w.encoding_aes_key.is_some()),
        ];
        let callback_on = w.token.is_some() || w.encoding_aes_key.is_some();
        let half = missing(&app)
            .or_else(|| missing(&callback))
            .or_else(|| (callback_on && w.corp_id.is_none()).then(|| app.iter().map(|(k, _)| *k).collect()));
        if let Some(absent) = half {
            return Err(invalid(
                "wecom",
                format!(
                    "half-configured, missing {} / 企业微信应用配置不完整，缺少 {}",
                    absent.join(", "),
                    absent.join("、")
                ),
            ));
        }
        if let Some(key) = &w.encoding_aes_key {
            let key = key.expose_secret();
            if key.len() != 43 || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/') {
                return Err(invalid(
                    "wecom.encoding_aes_key",
                    "ONSITE_WECOM__ENCODING_AES_KEY must be the 43 characters WeCom shows / 须为企业微信后台给出的 43 位字符",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_half_configured_wecom_app_is_refused_naming_what_is_missing() {
        let mut c = Config::default();
        c.wecom.corp_id = Some("ww1234".into());
        let msg = c.validate().unwrap_err().to_string();
        assert!(msg.contains("wecom.agent_id") && msg.contains("ONSITE_WECOM__SECRET"), "{msg}");
        assert!(msg.contains("配置不完整"), "{msg}");
        c.wecom.agent_id = Some(1000002);
        c.wecom.secret = Some(SecretString::from("app-secret"));
        assert!(c.validate().is_ok(), "the app alone pages without a callback");
        c.wecom.token = Some(SecretString::from("QDG6eK"));
        assert!(c.validate().unwrap_err().to_string().contains("ONSITE_WECOM__ENCODING_AES_KEY"));
        c.wecom.encoding_aes_key = Some(SecretString::from("short"));
        assert!(c.validate().unwrap_err().to_string().contains("43"));
        c.wecom.encoding_aes_key = Some(SecretString::from("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"));
        assert!(c.validate().is_ok());
        c.wecom.secret = Some(SecretString::from(" "));
        assert!(c.validate().unwrap_err().to_string().contains("ONSITE_WECOM__SECRET is empty"));
        let mut only_callback = Config::default();
        only_callback.wecom.token = Some(SecretString::from("QDG6eK"));
        only_callback.wecom.encoding_aes_key = Some(SecretString::from("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"));
        assert!(only_callback.validate().unwrap_err().to_string().contains("wecom.corp_id"));
    }
}
