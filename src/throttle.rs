//! Per-client limits on the doors a stranger can knock on without an
//! account: sign-in (per address, on top of each account's lockout), the
//! action-link pages (per address) and Telegram link codes (per chat). Each
//! instance counts for itself; with several instances a client gets each
//! instance's allowance, which still makes guessing hopeless.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Config;

/// Keys remembered before idle ones are forgotten: a flood from many
/// addresses must not grow the limiter without bound.
const REMEMBERED_KEYS: usize = 10_000;

pub struct Throttles {
    sign_in: DefaultKeyedRateLimiter<IpAddr>,
    action_links: DefaultKeyedRateLimiter<IpAddr>,
    link_codes: DefaultKeyedRateLimiter<i64>,
}

impl Throttles {
    pub fn new(config: &Config) -> Self {
        let hourly = count(config.telegram.link_code_attempts_per_hour);
        Self {
            sign_in: RateLimiter::keyed(Quota::per_minute(count(config.web.sign_in_attempts_per_minute))),
            action_links: RateLimiter::keyed(Quota::per_minute(count(config.web.action_link_requests_per_minute))),
            link_codes: RateLimiter::keyed(
                Quota::with_period(Duration::from_secs(3600) / hourly.get())
                    .unwrap_or_else(|| Quota::per_hour(hourly))
                    .allow_burst(hourly),
            ),
        }
    }

    /// One sign-in attempt from `client`; false once it has used its minute.
    pub fn sign_in(&self, client: IpAddr) -> bool {
        allow(&self.sign_in, client)
    }

    /// One action-link request from `client`.
    pub fn action_link(&self, client: IpAddr) -> bool {
        allow(&self.action_links, client)
    }

    /// One `/start CODE` from Telegram chat `chat`.
    pub fn link_code(&self, chat: i64) -> bool {
        allow(&self.link_codes, chat)
    }
}

fn count(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

fn allow<K: Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: K) -> bool {
    if limiter.len() > REMEMBERED_KEYS {
        limiter.retain_recent();
    }
    limiter.check_key(&key).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_has_its_own_allowance() {
        let mut config = Config::default();
        config.web.action_link_requests_per_minute = 3;
        config.telegram.link_code_attempts_per_hour = 2;
        let t = Throttles::new(&config);
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        assert!((0..3).all(|_| t.action_link(a)));
        assert!(!t.action_link(a), "the fourth request in a minute waits");
        assert!(t.action_link(b), "another address is not held back");
        assert!(t.link_code(7) && t.link_code(7) && !t.link_code(7));
        assert!(t.link_code(8));
    }
}
