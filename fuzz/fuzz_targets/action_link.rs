//! Action-link tokens from `/a/{token}`: a token is accepted only if it is
//! the one signed for its grant with this key, and only before it expires.
#![no_main]

use chrono::DateTime;
use libfuzzer_sys::fuzz_target;
use onsite::notify::action_link::{sign, verify};

const KEY: &[u8] = b"fuzzing key";

fuzz_target!(|input: (&str, i64)| {
    let (token, now) = input;
    let Some(now) = DateTime::from_timestamp(now.clamp(0, 4_102_444_800), 0) else { return };
    if let Some(grant) = verify(KEY, token, now) {
        assert!(grant.expires_at > now.timestamp());
        assert_eq!(sign(KEY, grant), token, "accepted a token this key did not sign");
    }
});
