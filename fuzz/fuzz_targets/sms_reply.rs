//! SMS replies: any text is read as a reply code or refused, never a panic,
//! and never a number outside 1 to 99; every code a page offers (the reply
//! line for its number) reads back as that number.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onsite::domain::labels::Lang;
use onsite::domain::reply::{self, MAX_NUMBER};

fuzz_target!(|input: (&str, u8)| {
    let (text, n) = input;
    if let Some(r) = reply::parse(text) {
        assert!((1..=MAX_NUMBER).contains(&r.number), "{text:?} read as {}", r.number);
    }
    let number = i32::from(n) % MAX_NUMBER + 1;
    let line = reply::line(number, Lang::Zh);
    let codes = line.trim_start_matches(reply::PREFIX_ZH).split('，');
    for code in codes {
        let code = code.split(' ').next().unwrap_or_default();
        assert_eq!(reply::parse(code).map(|r| r.number), Some(number), "{line}");
    }
});
