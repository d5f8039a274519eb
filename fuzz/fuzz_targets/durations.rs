//! Durations typed into policy overrides and the config (`90m`, `2h`):
//! any text is either refused with a field error or a length in range.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onsite::domain::policy::parse_offset;

fuzz_target!(|text: &str| {
    match parse_offset("deadline", text) {
        Ok(seconds) => assert!((1..=7 * 86_400).contains(&seconds), "{text:?} gave {seconds}"),
        Err(e) => assert_eq!(e.field, "deadline"),
    }
});
