//! Voice call reports: any status code and keys are read without a panic;
//! a key counts only on an answered call, and it is the first 1 or 2
//! pressed; a call that reached nobody never acknowledges anything.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onsite::domain::call::{CallKey, CallOutcome, outcome};

fuzz_target!(|input: (&str, Option<&str>)| {
    let (status, dtmf) = input;
    let first = dtmf.unwrap_or_default().chars().find(|c| *c == '1' || *c == '2');
    match outcome(status, dtmf) {
        CallOutcome::Answered(key) => {
            assert!(["200000", "200001", "300000"].contains(&status.trim()), "{status:?} answered");
            let expected = first.map(|c| if c == '1' { CallKey::Acknowledge } else { CallKey::Decline });
            assert_eq!(key, expected, "{dtmf:?}");
        }
        CallOutcome::NotReached => assert!(status.trim().starts_with("2000"), "{status:?} not reached"),
        CallOutcome::Pending => {}
    }
});
