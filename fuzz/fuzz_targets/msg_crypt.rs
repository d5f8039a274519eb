//! WeCom and DingTalk callbacks: any signature, timestamp, nonce and ciphertext either
//! open to a message or are refused, never panic; whatever is encrypted for
//! this receiver opens to itself, and only with its own signature.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onsite::notify::msg_crypt::MsgCrypt;

fuzz_target!(|input: (&str, &str, &str, &str, [u8; 16])| {
    let (signature, timestamp, message, ciphertext, random) = input;
    let c = MsgCrypt::new("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7").unwrap();
    let _ = c.open(signature, timestamp, "1", ciphertext);
    let sealed = c.encrypt(message, random);
    let own = c.signature(timestamp, "1", &sealed);
    assert_eq!(c.open(&own, timestamp, "1", &sealed).as_deref(), Ok(message));
    if signature.to_ascii_lowercase() != own {
        assert!(c.open(signature, timestamp, "1", &sealed).is_err(), "opened with a signature not its own");
    }
});
