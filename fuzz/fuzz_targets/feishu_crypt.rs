//! Feishu events: any `encrypt` field and signature either open or are
//! refused, never panic; whatever is encrypted under the key decrypts to
//! itself, and a signature holds only for its own timestamp, nonce and body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onsite::notify::feishu_crypt::FeishuCrypt;

fuzz_target!(|input: (&str, &str, &str, &[u8], [u8; 16])| {
    let (event, signature, timestamp, body, iv) = input;
    let c = FeishuCrypt::new("6YezwdTZnkkei0lTgsMyMc2PJBTuc7JW");
    let _ = c.decrypt(event);
    assert_eq!(c.decrypt(&c.encrypt(event, iv)).as_deref(), Ok(event));
    let own = c.signature(timestamp, "n", body);
    assert!(c.verify(&own, timestamp, "n", body).is_ok());
    if signature.to_ascii_lowercase() != own {
        assert!(c.verify(signature, timestamp, "n", body).is_err(), "a signature not its own held");
    }
});
