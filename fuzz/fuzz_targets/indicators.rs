//! Five-tuples and C&C addresses typed into closure reports: refused with the
//! field named, or validated; a validated address is shown defanged (its own
//! scheme and host are not a live link) and reads back as the same indicator
//! unless it was typed with defang marks already (`[.]`, `hxxp`), which are
//! read as such by design. A URL inside a URL's path stays as typed (see
//! the issue note).
#![no_main]

use libfuzzer_sys::fuzz_target;
use onsite::domain::closure::{C2Address, FiveTuple, FiveTupleInput};

fuzz_target!(|input: (&str, Option<u32>, &str, Option<u32>, &str, &str)| {
    let (src_ip, src_port, dst_ip, dst_port, protocol, c2) = input;
    let typed = FiveTupleInput {
        src_ip: src_ip.into(),
        src_port,
        dst_ip: dst_ip.into(),
        dst_port,
        protocol: protocol.into(),
    };
    match FiveTuple::parse(3, &typed) {
        Ok(t) => assert!(t.src_port.is_none_or(|p| p > 0) && t.dst_port.is_none_or(|p| p > 0)),
        Err(errors) => {
            assert!(!errors.is_empty());
            assert!(errors.iter().all(|e| e.field.starts_with("five_tuples[3].")));
        }
    }
    if let Ok(address) = C2Address::parse("c2_addresses[0]", c2) {
        let shown = address.defanged();
        if matches!(address, C2Address::Url(_)) {
            let lower = shown.to_ascii_lowercase();
            assert!(!["http://", "https://", "ftp://"].iter().any(|s| lower.starts_with(s)), "{shown}");
        }
        assert!(!shown.contains('.') || shown.contains("[.]") || matches!(address, C2Address::Url(_)), "{shown}");
        let typed = c2.to_ascii_lowercase();
        if !(typed.contains('[') || typed.contains("hxxp") || typed.contains("fxp")) {
            let again = C2Address::parse("c2_addresses[0]", &shown).expect("a defanged indicator reads back");
            assert_eq!(again, address, "{c2:?} → {shown}");
        }
    }
});
