//! Signed, expiring action links for channels that cannot carry buttons:
//! `/a/{token}` names an assignment and a person, so opening it on a phone
//! lets that person report a milestone without logging in; `/r/{token}`
//! names an instruction's receipt, so they confirm reading it. Stateless:
//! an HMAC over `assignment:person:channel:expiry` (or
//! `r:receipt:person:channel:expiry`, which no action token can be read
//! as). The pages check at use that the person is still active and the
//! channel the link went out on is still theirs.

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

/// What a valid read link grants: the person may confirm, for their unit,
/// reading the instruction of `receipt_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadGrant {
    pub receipt_id: i64,
    pub person_id: i64,
    pub channel_id: i64,
    pub expires_at: i64,
}

/// How a read token's payload starts.
const READ: &str = "r:";

fn mac(key: &[u8], payload: &str) -> Vec<u8> {
    hmac_sha256(key, payload.as_bytes())[..MAC_LEN].to_vec()
}

fn seal(key: &[u8], payload: &str) -> String {
    format!("{}.{}", URL_SAFE_NO_PAD.encode(payload), URL_SAFE_NO_PAD.encode(mac(key, payload)))
}

/// The four numbers a token signed by `key` carries after `prefix`, unless
/// it is malformed or expired at `now`.
fn open(key: &[u8], token: &str, prefix: &str, now: DateTime<Utc>) -> Option<[i64; 4]> {
    if token.len() > 200 {
        return None;
    }
    let (payload_b64, mac_b64) = token.split_once('.')?;
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload_b64).ok()?).ok()?;
    let given = URL_SAFE_NO_PAD.decode(mac_b64).ok()?;
    if given.len() != MAC_LEN || !verify_truncated(key, payload.as_bytes(), &given) {
        return None;
    }
    let mut parts = payload.strip_prefix(prefix)?.split(':');
    let mut n = [0; 4];
    for slot in &mut n {
        *slot = parts.next()?.parse().ok()?;
    }
    (parts.next().is_none() && n[3] > now.timestamp()).then_some(n)
}

/// A token for `person_id` to act on `assignment_id` until `expires_at`.
pub fn sign(key: &[u8], grant: ActionGrant) -> String {
    seal(key, &format!("{}:{}:{}:{}", grant.assignment_id, grant.person_id, grant.channel_id, grant.expires_at))
}

/// Checks a token: well formed, signed by `key`, not expired at `now`.
pub fn verify(key: &[u8], token: &str, now: DateTime<Utc>) -> Option<ActionGrant> {
    let [assignment_id, person_id, channel_id, expires_at] = open(key, token, "", now)?;
    Some(ActionGrant { assignment_id, person_id, channel_id, expires_at })
}

/// A token for `person_id` to confirm reading the instruction of `receipt_id`.
pub fn sign_read(key: &[u8], grant: ReadGrant) -> String {
    seal(key, &format!("{READ}{}:{}:{}:{}", grant.receipt_id, grant.person_id, grant.channel_id, grant.expires_at))
}

/// Checks a read token as `verify` checks an action token.
pub fn verify_read(key: &[u8], token: &str, now: DateTime<Utc>) -> Option<ReadGrant> {
    let [receipt_id, person_id, channel_id, expires_at] = open(key, token, READ, now)?;
    Some(ReadGrant { receipt_id, person_id, channel_id, expires_at })
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

    #[test]
    fn a_read_link_and_an_action_link_are_never_taken_for_each_other() {
        let g = grant();
        let read = ReadGrant { receipt_id: 42, person_id: 7, channel_id: 3, expires_at: g.expires_at };
        let token = sign_read(b"key", read);
        assert_eq!(verify_read(b"key", &token, now()), Some(read));
        assert_eq!(verify(b"key", &token, now()), None);
        assert_eq!(verify_read(b"key", &sign(b"key", g), now()), None);
        assert_eq!(verify_read(b"other key", &token, now()), None);
        assert_eq!(verify_read(b"key", &token, now() + chrono::Duration::hours(1)), None);
    }
}
