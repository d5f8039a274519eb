//! `X-Onsite-Signature` headers as a receiver checks them: no header but the
//! one signed over this very body with this secret is accepted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onsite::notify::webhook::{sign, verify};

fuzz_target!(|input: (&str, &[u8], &str)| {
    let (secret, body, header) = input;
    let genuine = sign(secret, body);
    assert!(verify(secret, body, &genuine));
    if verify(secret, body, header) {
        assert_eq!(header.trim().to_ascii_lowercase(), genuine, "a forged header was accepted");
    }
});
