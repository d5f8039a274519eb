//! The people of a support unit, their roles, and the channels they are paged on.

use crate::labelled_enum;

labelled_enum! {
    /// 角色: what a person does for their unit, which decides when they are paged.
    pub enum Role {
        Liaison => ("liaison", "接口人", "Liaison"),
        SupportLead => ("support_lead", "支撑单位工作负责人", "Support lead"),
        EmergencyLead => ("emergency_lead", "网络安全应急工作负责人", "Emergency lead"),
        Engineer => ("engineer", "技术人员", "Engineer"),
        HqEngineer => ("hq_engineer", "总部技术人员", "HQ engineer"),
    }
}

labelled_enum! {
    /// 渠道: where a page can be delivered.
    pub enum ChannelKind {
        Telegram => ("telegram", "Telegram", "Telegram"),
        Wecom => ("wecom", "企业微信", "WeCom"),
        Dingtalk => ("dingtalk", "钉钉", "DingTalk"),
        Feishu => ("feishu", "飞书", "Feishu"),
        Sms => ("sms", "短信", "SMS"),
        Webhook => ("webhook", "Webhook", "Webhook"),
    }
}

labelled_enum! {
    /// The bureau's own people who are paged on escalation and breach.
    pub enum BureauRole {
        DutyOfficer => ("duty_officer", "值班人员", "Duty officer"),
        Manager => ("manager", "管理人员", "Manager"),
    }
}

/// Validates a channel address for its kind: a chat id for Telegram, a phone
/// number for SMS, an http(s) URL for the robots and webhooks.
pub fn validate_channel_address(kind: ChannelKind, address: &str) -> Result<String, super::FieldError> {
    let address = super::text::required("address", address, 1_000)?;
    let ok = match kind {
        ChannelKind::Telegram => {
            address.strip_prefix('-').unwrap_or(&address).chars().all(|c| c.is_ascii_digit()) && address.len() <= 20
        }
        ChannelKind::Sms => is_phone(&address),
        ChannelKind::Wecom | ChannelKind::Dingtalk | ChannelKind::Feishu | ChannelKind::Webhook => {
            url::Url::parse(&address)
                .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .unwrap_or(false)
        }
    };
    if ok {
        Ok(address)
    } else {
        let (en, zh) = match kind {
            ChannelKind::Telegram => ("a numeric Telegram chat id", "数字形式的 Telegram 会话 ID"),
            ChannelKind::Sms => ("a phone number", "手机号码"),
            _ => ("an http(s) URL", "http(s) 网址"),
        };
        Err(super::FieldError::new(
            "address",
            "invalid_address",
            format!("a {} channel needs {en}", kind.code()),
            format!("{} 渠道需要填写{zh}", kind.label(super::labels::Lang::Zh)),
        ))
    }
}

/// A phone number: optional leading `+`, then 5 to 15 digits (E.164 length).
pub fn is_phone(value: &str) -> bool {
    let digits = value.strip_prefix('+').unwrap_or(value);
    (5..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_addresses_are_checked_for_their_kind() {
        assert!(validate_channel_address(ChannelKind::Telegram, "-100123456").is_ok());
        assert!(validate_channel_address(ChannelKind::Telegram, "@someone").is_err());
        assert!(validate_channel_address(ChannelKind::Sms, "+8613800138000").is_ok());
        assert!(validate_channel_address(ChannelKind::Sms, "138-0013").is_err());
        assert!(validate_channel_address(ChannelKind::Webhook, "https://hooks.example/x").is_ok());
        assert!(validate_channel_address(ChannelKind::Wecom, "ftp://x").is_err());
        assert!(validate_channel_address(ChannelKind::Feishu, "not a url").is_err());
    }
}
