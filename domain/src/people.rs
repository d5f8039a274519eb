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
    /// Whether a channel is paged: `broken` once the provider refused the
    /// address for good (replacing it revives it), `removed` when taken out
    /// of paging (the row stays, so past pages still name it).
    pub enum ChannelStatus {
        Active => ("active", "正常", "Active"),
        Broken => ("broken", "地址失效", "Broken"),
        Removed => ("removed", "已移除", "Removed"),
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
        WecomApp => ("wecom_app", "企业微信应用", "WeCom app"),
        FeishuApp => ("feishu_app", "飞书应用", "Feishu app"),
        DingtalkApp => ("dingtalk_app", "钉钉应用", "DingTalk app"),
        Voice => ("voice", "语音电话", "Voice call"),
    }
}

impl ChannelKind {
    /// Whether a page to act on ends with reply codes (`1A` …) its reader
    /// can text back: channels where an answer is a typed message.
    pub fn takes_reply_codes(self) -> bool {
        matches!(self, ChannelKind::Sms | ChannelKind::DingtalkApp)
    }
}

labelled_enum! {
    /// The bureau's own people who are paged on escalation and breach.
    pub enum BureauRole {
        DutyOfficer => ("duty_officer", "值班人员", "Duty officer"),
        Manager => ("manager", "管理人员", "Manager"),
    }
}

/// A channel to add or to put in place of another: its kind and an address
/// valid for that kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelDraft {
    pub kind: ChannelKind,
    pub address: String,
}

impl ChannelDraft {
    pub fn parse(kind: ChannelKind, address: &str) -> Result<Self, super::DomainError> {
        let address = validate_channel_address(kind, address).map_err(|e| super::DomainError::Invalid(vec![e]))?;
        Ok(Self { kind, address })
    }
}

/// A bureau contact to add: every bad field reported at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDraft {
    pub name: String,
    pub role: BureauRole,
    pub channel: ChannelDraft,
}

impl ContactDraft {
    pub fn parse(name: &str, role: BureauRole, kind: ChannelKind, address: &str) -> Result<Self, super::DomainError> {
        let mut v = super::error::Validator::default();
        let name = v.check(super::text::required("name", name, super::text::NAME));
        let address = v.check(validate_channel_address(kind, address));
        match (name, address) {
            (Some(name), Some(address)) => Ok(Self { name, role, channel: ChannelDraft { kind, address } }),
            _ => Err(super::DomainError::Invalid(v.into_errors())),
        }
    }
}

/// Validates a channel address for its kind: a chat id for Telegram, a phone
/// number for SMS, the person's userid for a chat app, an http(s) URL for the
/// robots and webhooks.
pub fn validate_channel_address(kind: ChannelKind, address: &str) -> Result<String, super::FieldError> {
    let address = super::text::required("address", address, super::text::Limit::line(1_000))?;
    let ok = match kind {
        ChannelKind::Telegram => {
            address.strip_prefix('-').unwrap_or(&address).chars().all(|c| c.is_ascii_digit()) && address.len() <= 20
        }
        ChannelKind::Sms | ChannelKind::Voice => is_phone(&address),
        ChannelKind::WecomApp | ChannelKind::FeishuApp | ChannelKind::DingtalkApp => is_chat_app_user(&address),
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
            ChannelKind::Sms | ChannelKind::Voice => ("a phone number", "手机号码"),
            ChannelKind::WecomApp => ("the person's WeCom userid", "此人的企业微信账号（userid）"),
            ChannelKind::FeishuApp => ("the person's Feishu open_id", "此人的飞书 open_id"),
            ChannelKind::DingtalkApp => ("the person's DingTalk userid", "此人的钉钉 userid"),
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

/// What is shown of a masked part of an address.
pub const MASK: &str = "***";

/// A channel address as anyone may read it back. Whoever holds a robot's
/// key or access token, a webhook's `user:password`, a token in its path or
/// query, or the signing secret after `#` can post false pages into the
/// group, so every such part is replaced by `***` for every reader; the
/// scheme, host, port and the path's plain words stay, so people can still
/// tell one robot from another. Chat ids and phone numbers are not
/// credentials and are shown as stored.
pub fn masked_address(kind: ChannelKind, address: &str) -> String {
    match kind {
        ChannelKind::Telegram
        | ChannelKind::Sms
        | ChannelKind::Voice
        | ChannelKind::WecomApp
        | ChannelKind::FeishuApp
        | ChannelKind::DingtalkApp => address.to_owned(),
        ChannelKind::Wecom | ChannelKind::Dingtalk | ChannelKind::Feishu | ChannelKind::Webhook => masked_url(address),
    }
}

fn masked_url(address: &str) -> String {
    let Ok(url) = url::Url::parse(address) else { return MASK.to_owned() };
    let Some(host) = url.host_str() else { return MASK.to_owned() };
    let mut out = format!("{}://", url.scheme());
    if !url.username().is_empty() || url.password().is_some() {
        out.push_str(MASK);
        out.push('@');
    }
    out.push_str(host);
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    let path: Vec<&str> =
        url.path().split('/').map(|segment| if is_plain_word(segment) { segment } else { MASK }).collect();
    out.push_str(&path.join("/"));
    let query: Vec<String> = url.query_pairs().map(|(key, _)| format!("{key}={MASK}")).collect();
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query.join("&"));
    }
    if url.fragment().is_some() {
        out.push('#');
        out.push_str(MASK);
    }
    out
}

/// A path segment that names a route rather than carrying a token: a short
/// word (`open-apis`, `bot`, `hook`, `cgi-bin`, `send`) or a version (`v2`).
fn is_plain_word(segment: &str) -> bool {
    let version = segment.strip_prefix('v').is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    version || (segment.len() <= 12 && segment.chars().all(|c| c.is_ascii_alphabetic() || matches!(c, '-' | '_' | '.')))
}

/// A chat app's id of a person (a WeCom userid, a Feishu open_id): 1 to 64
/// bytes of letters, digits and `_-@.`, as both allow.
fn is_chat_app_user(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '@' | '.'))
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
        assert!(validate_channel_address(ChannelKind::Voice, "+8613800138000").is_ok());
        assert!(validate_channel_address(ChannelKind::Voice, "call me").is_err());
        assert!(validate_channel_address(ChannelKind::Webhook, "https://hooks.example/x").is_ok());
        assert!(validate_channel_address(ChannelKind::Wecom, "ftp://x").is_err());
        assert!(validate_channel_address(ChannelKind::Feishu, "not a url").is_err());
        assert!(validate_channel_address(ChannelKind::WecomApp, "zhao.lei@anshield").is_ok());
        assert!(validate_channel_address(ChannelKind::WecomApp, "赵磊").is_err());
        assert!(validate_channel_address(ChannelKind::WecomApp, &"x".repeat(65)).is_err());
        assert!(validate_channel_address(ChannelKind::FeishuApp, "ou_7d8a6e6df7621556ce0d21922b676706ccs").is_ok());
        assert!(validate_channel_address(ChannelKind::FeishuApp, "https://open.feishu.cn/x").is_err());
        assert!(validate_channel_address(ChannelKind::DingtalkApp, "manager4220").is_ok());
        assert!(validate_channel_address(ChannelKind::DingtalkApp, "two words").is_err());
    }

    #[test]
    fn no_credential_of_a_channel_address_is_shown() {
        let cases = [
            (
                ChannelKind::Wecom,
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***",
            ),
            (
                ChannelKind::Dingtalk,
                "https://oapi.dingtalk.com/robot/send?access_token=abc123def456#secret=SECabc",
                "https://oapi.dingtalk.com/robot/send?access_token=***#***",
            ),
            (
                ChannelKind::Feishu,
                "https://open.feishu.cn/open-apis/bot/v2/hook/2f0b1c3d-aaaa-bbbb-cccc-0123456789ab#secret=s",
                "https://open.feishu.cn/open-apis/bot/v2/hook/***#***",
            ),
            (
                ChannelKind::Webhook,
                "https://ops:hunter2@hooks.example:8443/onsite/T0ken99x?token=t0k&team=sec",
                "https://***@hooks.example:8443/onsite/***?token=***&team=***",
            ),
            (ChannelKind::Webhook, "https://hooks.example/receive", "https://hooks.example/receive"),
            (ChannelKind::Webhook, "not a url with key=1", "***"),
            (ChannelKind::Sms, "+8613800138000", "+8613800138000"),
            (ChannelKind::Telegram, "-100123456", "-100123456"),
        ];
        for (kind, address, shown) in cases {
            assert_eq!(masked_address(kind, address), shown, "{address}");
        }
    }
}
