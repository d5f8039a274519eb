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

/// Refuses a section holding part of what goes together: `app` (all or
/// none), `callback` (all or none, and only with the app).
fn whole(
    section: &'static str,
    name_zh: &str,
    app: &[(&str, bool)],
    callback: &[(&str, bool)],
) -> Result<(), ConfigError> {
    let callback_on = callback.iter().any(|(_, present)| *present);
    let app_off = app.iter().all(|(_, present)| !present);
    let half = missing(app)
        .or_else(|| missing(callback))
        .or_else(|| (callback_on && app_off).then(|| app.iter().map(|(k, _)| *k).collect()));
    match half {
        Some(absent) => Err(invalid(
            section,
            format!("half-configured, missing {} / {name_zh}配置不完整，缺少 {}", absent.join(", "), absent.join("、")),
        )),
        None => Ok(()),
    }
}

/// Refuses a secret set to nothing, which would page with an empty key.
fn not_blank(secrets: &[(&'static str, &Option<SecretString>)]) -> Result<(), ConfigError> {
    match secrets.iter().find(|(_, secret)| blank(secret)) {
        Some((key, _)) => {
            Err(invalid(key, format!("ONSITE_{} is empty / 为空", key.to_uppercase().replace('.', "__"))))
        }
        None => Ok(()),
    }
}

/// Refuses a callback AES key that is not the 43 Base64 characters the
/// vendor's console shows.
fn aes_key_43(key: &'static str, value: &Option<SecretString>, message: &str) -> Result<(), ConfigError> {
    let Some(value) = value else { return Ok(()) };
    let value = value.expose_secret();
    if value.len() == 43 && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/') {
        Ok(())
    } else {
        Err(invalid(key, message.to_owned()))
    }
}

impl Config {
    pub(super) fn validate_apps(&self) -> Result<(), ConfigError> {
        self.validate_wecom()?;
        self.validate_feishu()?;
        self.validate_dingtalk()?;
        self.validate_voice()
    }

    fn validate_wecom(&self) -> Result<(), ConfigError> {
        let w = &self.wecom;
        if url::Url::parse(&w.api_url).is_err() {
            return Err(invalid("wecom.api_url", "not a URL"));
        }
        not_blank(&[
            ("wecom.secret", &w.secret),
            ("wecom.token", &w.token),
            ("wecom.encoding_aes_key", &w.encoding_aes_key),
        ])?;
        whole(
            "wecom",
            "企业微信应用",
            &[
                ("wecom.corp_id", w.corp_id.is_some()),
                ("wecom.agent_id", w.agent_id.is_some()),
                ("ONSITE_WECOM__SECRET", w.secret.is_some()),
            ],
            &[
                ("ONSITE_WECOM__TOKEN", w.token.is_some()),
                ("ONSITE_WECOM__ENCODING_AES_KEY", w.encoding_aes_key.is_some()),
            ],
        )?;
        aes_key_43(
            "wecom.encoding_aes_key",
            &w.encoding_aes_key,
            "ONSITE_WECOM__ENCODING_AES_KEY must be the 43 characters WeCom shows / 须为企业微信后台给出的 43 位字符",
        )
    }

    fn validate_voice(&self) -> Result<(), ConfigError> {
        let v = &self.voice;
        if v.url.as_deref().is_some_and(|u| url::Url::parse(u).is_err()) {
            return Err(invalid("voice.url", "not a URL"));
        }
        not_blank(&[("voice.key", &v.key), ("voice.report_secret", &v.report_secret)])?;
        let app = [("voice.url", v.url.is_some()), ("voice.tts_code", v.tts_code.is_some())];
        whole("voice", "语音通知", &app, &[("ONSITE_VOICE__KEY", v.key.is_some())])?;
        whole("voice", "语音通知", &app, &[("ONSITE_VOICE__REPORT_SECRET", v.report_secret.is_some())])?;
        if !(1..=3).contains(&v.play_times) {
            return Err(invalid("voice.play_times", "must be 1 to 3 / 须为 1 至 3"));
        }
        if v.calls_per_window == 0 || v.call_window.is_zero() {
            return Err(invalid(
                "voice.calls_per_window",
                "calls_per_window and call_window must be more than zero / 须大于零",
            ));
        }
        Ok(())
    }

    fn validate_dingtalk(&self) -> Result<(), ConfigError> {
        let d = &self.dingtalk;
        if url::Url::parse(&d.api_url).is_err() {
            return Err(invalid("dingtalk.api_url", "not a URL"));
        }
        not_blank(&[
            ("dingtalk.app_secret", &d.app_secret),
            ("dingtalk.callback_token", &d.callback_token),
            ("dingtalk.callback_aes_key", &d.callback_aes_key),
        ])?;
        whole(
            "dingtalk",
            "钉钉应用",
            &[("dingtalk.app_key", d.app_key.is_some()), ("ONSITE_DINGTALK__APP_SECRET", d.app_secret.is_some())],
            &[
                ("ONSITE_DINGTALK__CALLBACK_TOKEN", d.callback_token.is_some()),
                ("ONSITE_DINGTALK__CALLBACK_AES_KEY", d.callback_aes_key.is_some()),
            ],
        )?;
        aes_key_43(
            "dingtalk.callback_aes_key",
            &d.callback_aes_key,
            "ONSITE_DINGTALK__CALLBACK_AES_KEY must be the 43 characters DingTalk shows / 须为钉钉开发者后台给出的 43 位字符",
        )
    }

    fn validate_feishu(&self) -> Result<(), ConfigError> {
        let f = &self.feishu;
        if url::Url::parse(&f.api_url).is_err() {
            return Err(invalid("feishu.api_url", "not a URL"));
        }
        not_blank(&[
            ("feishu.app_secret", &f.app_secret),
            ("feishu.verification_token", &f.verification_token),
            ("feishu.encrypt_key", &f.encrypt_key),
        ])?;
        whole(
            "feishu",
            "飞书应用",
            &[("feishu.app_id", f.app_id.is_some()), ("ONSITE_FEISHU__APP_SECRET", f.app_secret.is_some())],
            &[("ONSITE_FEISHU__VERIFICATION_TOKEN", f.verification_token.is_some())],
        )?;
        if f.encrypt_key.is_some() && f.verification_token.is_none() {
            return Err(invalid(
                "feishu",
                "half-configured, missing ONSITE_FEISHU__VERIFICATION_TOKEN (the Encrypt Key serves the callback) / \
                 飞书应用配置不完整，缺少 ONSITE_FEISHU__VERIFICATION_TOKEN（Encrypt Key 用于回调）",
            ));
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

    #[test]
    fn a_half_configured_feishu_app_is_refused_naming_what_is_missing() {
        let mut c = Config::default();
        c.feishu.app_id = Some("cli_a1b2c3d4e5f6a7b8".into());
        let msg = c.validate().unwrap_err().to_string();
        assert!(msg.contains("ONSITE_FEISHU__APP_SECRET") && msg.contains("飞书应用配置不完整"), "{msg}");
        c.feishu.app_secret = Some(SecretString::from("secret"));
        assert!(c.validate().is_ok(), "the app alone pages without a callback");
        c.feishu.encrypt_key = Some(SecretString::from("6YezwdTZnkkei0lTgsMyMc2PJBTuc7JW"));
        assert!(c.validate().unwrap_err().to_string().contains("ONSITE_FEISHU__VERIFICATION_TOKEN"));
        c.feishu.verification_token = Some(SecretString::from("066zT6pS4QCbgj5Do145GfDbbagCHGgF"));
        assert!(c.validate().is_ok());
        c.feishu.app_id = None;
        assert!(c.validate().unwrap_err().to_string().contains("feishu.app_id"));
        let mut blank = Config::default();
        blank.feishu.app_secret = Some(SecretString::from(""));
        assert!(blank.validate().unwrap_err().to_string().contains("ONSITE_FEISHU__APP_SECRET is empty"));
    }

    #[test]
    fn a_half_configured_dingtalk_app_is_refused_naming_what_is_missing() {
        let mut c = Config::default();
        c.dingtalk.app_key = Some("dingbench0000000001".into());
        let msg = c.validate().unwrap_err().to_string();
        assert!(msg.contains("ONSITE_DINGTALK__APP_SECRET") && msg.contains("钉钉应用配置不完整"), "{msg}");
        c.dingtalk.app_secret = Some(SecretString::from("secret"));
        assert!(c.validate().is_ok(), "the app alone pages and takes its robot's messages");
        c.dingtalk.callback_token = Some(SecretString::from("mryue"));
        assert!(c.validate().unwrap_err().to_string().contains("ONSITE_DINGTALK__CALLBACK_AES_KEY"));
        c.dingtalk.callback_aes_key = Some(SecretString::from("too short"));
        assert!(c.validate().unwrap_err().to_string().contains("43"));
        c.dingtalk.callback_aes_key = Some(SecretString::from("Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7"));
        assert!(c.validate().is_ok());
        c.dingtalk.app_key = None;
        assert!(c.validate().unwrap_err().to_string().contains("dingtalk.app_key"));
    }

    #[test]
    fn a_half_configured_voice_gateway_is_refused_and_its_limit_must_ring() {
        let mut c = Config::default();
        c.voice.url = Some("https://voice-gateway.example/call".into());
        let msg = c.validate().unwrap_err().to_string();
        assert!(msg.contains("voice.tts_code") && msg.contains("语音通知配置不完整"), "{msg}");
        c.voice.tts_code = Some("TTS_269350123".into());
        assert!(c.validate().is_ok());
        c.voice.play_times = 4;
        assert!(c.validate().unwrap_err().to_string().contains("voice.play_times"));
        c.voice.play_times = 2;
        c.voice.calls_per_window = 0;
        assert!(c.validate().unwrap_err().to_string().contains("voice.calls_per_window"));
        let mut key_only = Config::default();
        key_only.voice.key = Some(SecretString::from("gateway-key"));
        assert!(key_only.validate().unwrap_err().to_string().contains("voice.url"));
        let mut reports_only = Config::default();
        reports_only.voice.report_secret = Some(SecretString::from("report-secret"));
        assert!(reports_only.validate().unwrap_err().to_string().contains("voice.tts_code"));
    }
}
