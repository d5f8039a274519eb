//! The few primitives every layer uses, in one place: HMAC-SHA256 (behind
//! webhook and robot signatures, action links and the audit chain), fresh
//! random secrets, and comparing secrets without leaking where they differ.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// HMAC-SHA256 of `message` under `key` (any key length is valid).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Checks a (possibly truncated, left-most bytes) MAC in constant time.
pub fn verify_truncated(key: &[u8], message: &[u8], tag: &[u8]) -> bool {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { return false };
    mac.update(message);
    mac.verify_truncated_left(tag).is_ok()
}

/// A fresh high-entropy secret, hex after `prefix` (tokens, link codes,
/// cookies, keys).
pub fn random_secret(prefix: &str, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    format!("{prefix}{}", hex::encode(buf))
}

/// Whether two secrets are equal, in time that does not depend on where
/// they first differ.
pub fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.ct_eq(expected).into()
}

/// Fewest characters of a key onsite signs or checks with.
const MIN_KEY_CHARS: usize = 32;

/// Fewest distinct characters in such a key (refuses `aaaa…`, `abab…`).
const MIN_DISTINCT_CHARS: usize = 10;

/// Why a key is too weak to use, if it is.
pub fn weak_key(secret: &str) -> Option<String> {
    let chars: Vec<char> = secret.chars().collect();
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if secret.trim().is_empty() {
        Some("is empty / 为空".to_owned())
    } else if chars.len() < MIN_KEY_CHARS {
        Some(format!(
            "has {} characters; use at least {MIN_KEY_CHARS} random ones, e.g. `openssl rand -hex 32` / 长度不足 {MIN_KEY_CHARS} 个字符",
            chars.len()
        ))
    } else if distinct.len() < MIN_DISTINCT_CHARS {
        Some(format!(
            "repeats too few characters ({}); use a random one / 字符过于单一，请使用随机密钥",
            distinct.len()
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weak_or_empty_key_is_named_with_the_reason() {
        let strong = "9f3c1a7e5b2d4c6e8a0b1c3d5e7f9a2b";
        assert_eq!(weak_key(strong), None);
        assert!(weak_key("").is_some() && weak_key("   ").is_some());
        assert!(weak_key("short-secret").unwrap().contains("at least 32"));
        assert!(weak_key(&"ab".repeat(20)).unwrap().contains("too few"));
    }

    #[test]
    fn known_vector() {
        // RFC 4231-style check: HMAC-SHA256(key="key", "The quick brown fox jumps over the lazy dog").
        assert_eq!(
            hex::encode(hmac_sha256(b"key", b"The quick brown fox jumps over the lazy dog")),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
        let tag = hmac_sha256(b"k", b"m");
        assert!(verify_truncated(b"k", b"m", &tag[..16]));
        assert!(!verify_truncated(b"k", b"n", &tag[..16]));
    }

    #[test]
    fn secrets_compare_whole_and_are_fresh() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"ab"));
        assert!(!same_secret(b"", b"x"));
        assert_ne!(random_secret("t_", 16), random_secret("t_", 16));
        assert_eq!(random_secret("t_", 16).len(), 2 + 32);
    }
}
