//! Per-client limits on the doors a stranger can knock on without an
//! account: sign-in (per address, on top of each account's lockout), the
//! action-link pages (per address) and Telegram link codes (per chat).
//! Counted for the whole deployment (`limits`): with several instances a
//! client gets one allowance, not one per instance.

use std::net::IpAddr;
use std::sync::Arc;

use crate::config::Config;
use crate::domain::rate::Limit;
use crate::limits::Limits;

pub struct Throttles {
    limits: Arc<Limits>,
    sign_in: Limit,
    action_links: Limit,
    link_codes: Limit,
}

impl Throttles {
    pub fn new(config: &Config, limits: Arc<Limits>) -> Self {
        Self {
            limits,
            sign_in: Limit::per_minute(config.web.sign_in_attempts_per_minute.max(1)),
            action_links: Limit::per_minute(config.web.action_link_requests_per_minute.max(1)),
            link_codes: Limit::per_hour(config.telegram.link_code_attempts_per_hour.max(1)),
        }
    }

    /// One sign-in attempt from `client`; false once it has used its minute.
    pub async fn sign_in(&self, client: IpAddr) -> bool {
        self.limits.allow(format!("sign-in:{client}"), self.sign_in).await
    }

    /// One action-link request from `client`.
    pub async fn action_link(&self, client: IpAddr) -> bool {
        self.limits.allow(format!("action-link:{client}"), self.action_links).await
    }

    /// One `/start CODE` from Telegram chat `chat`.
    pub async fn link_code(&self, chat: i64) -> bool {
        self.limits.allow(format!("link-code:{chat}"), self.link_codes).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_client_has_its_own_allowance() {
        let mut config = Config::default();
        config.web.action_link_requests_per_minute = 3;
        config.telegram.link_code_attempts_per_hour = 2;
        let t = Throttles::new(&config, Arc::new(Limits::Local(Default::default())));
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        for _ in 0..3 {
            assert!(t.action_link(a).await);
        }
        assert!(!t.action_link(a).await, "the fourth request in a minute waits");
        assert!(t.action_link(b).await, "another address is not held back");
        assert!(t.link_code(7).await && t.link_code(7).await && !t.link_code(7).await);
        assert!(t.link_code(8).await);
        assert!(t.sign_in(a).await, "sign-in counts apart from action links");
    }
}
