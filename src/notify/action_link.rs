//! Signed, expiring action links (`/a/{token}`) for channels that cannot
//! carry buttons: the token names the assignment and the person, so opening
//! it on a phone lets that person report a milestone without logging in.
//! Stateless: an HMAC over `assignment:person:channel:expiry`. The page
//! checks at use that the person is still active and the channel the link
//! went out on is still theirs.

use crate::crypto::{hmac_sha256, verify_truncated};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};

/// How a page's line carrying the link starts (kept whole when an SMS is cut).
pub const LINE_PREFIX: &str = "操作 Act: ";

/// Bytes of the MAC kept in a link: 128 bits, short enough for an SMS.
const MAC_LEN: usize = 16;

/// What a valid link grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionGrant {
    pub assignment_id: i64,
    pub person_id: i64,
    /// The channel the link was sent on.
    pub channel_id: i64,
    pub expires_at: i64,
}

fn mac(key: &[u8], payload: &str) -> Vec<u8> {
    hmac_sha256(key, payload.as_bytes())[..MAC_LEN].to_vec()
}

/// A token for `person_id` to act on `assignment_id` until `expires_at`.
pub fn sign(key: &[u8], grant: ActionGrant) -> String {
    let payload = format!("{}:{}:{}:{}", grant.assignment_id, grant.person_id, grant.channel_id, grant.expires_at);
    format!("{}.{}", URL_SAFE_NO_PAD.encode(&payload), URL_SAFE_NO_PAD.encode(mac(key, &payload)))
}

/// Checks a token: well formed, signed by `key`, not expired at `now`.
pub fn verify(key: &[u8], token: &str, now: DateTime<Utc>) -> Option<ActionGrant> {
    if token.len() > 200 {
        return None;
    }
    let (payload_b64, mac_b64) = token.split_once('.')?;
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload_b64).ok()?).ok()?;
    let given = URL_SAFE_NO_PAD.decode(mac_b64).ok()?;
    if given.len() != MAC_LEN || !verify_truncated(key, payload.as_bytes(), &given) {
        return None;
    }
    let mut parts = payload.split(':');
    let grant = ActionGrant {
        assignment_id: parts.next()?.parse().ok()?,
        person_id: parts.next()?.parse().ok()?,
        channel_id: parts.next()?.parse().ok()?,
        expires_at: parts.next()?.parse().ok()?,
    };
    if parts.next().is_some() || grant.expires_at <= now.timestamp() {
        return None;
    }
    Some(grant)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T19:00:00Z").unwrap().to_utc()
    }

    fn grant() -> ActionGrant {
        ActionGrant { assignment_id: 42, person_id: 7, channel_id: 3, expires_at: now().timestamp() + 3600 }
    }

    #[test]
    fn a_signed_link_verifies_until_it_expires() {
        let token = sign(b"key", grant());
        assert_eq!(verify(b"key", &token, now()), Some(grant()));
        assert_eq!(verify(b"key", &token, now() + chrono::Duration::hours(1)), None);
        assert!(token.len() < 80, "short enough for an SMS: {token}");
    }

    #[test]
    fn a_tampered_or_foreign_link_is_refused() {
        let token = sign(b"key", grant());
        assert_eq!(verify(b"other key", &token, now()), None);
        let forged_payload = URL_SAFE_NO_PAD.encode(format!("43:7:3:{}", grant().expires_at));
        let forged = format!("{forged_payload}.{}", token.split_once('.').unwrap().1);
        assert_eq!(verify(b"key", &forged, now()), None);
        for junk in ["", ".", "a.b", "abc", &"x".repeat(300)] {
            assert_eq!(verify(b"key", junk, now()), None, "{junk}");
        }
    }
}
