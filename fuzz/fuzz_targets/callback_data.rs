//! Telegram callback data (the button presses anyone can forge): parsed only
//! when it is exactly what the bot itself encodes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onsite_telegram::callback::{encode, parse};

fuzz_target!(|data: &str| {
    if let Some((action, id)) = parse(data) {
        assert!(id > 0);
        assert_eq!(encode(action, id), data, "accepted data the bot never sends");
    }
});
