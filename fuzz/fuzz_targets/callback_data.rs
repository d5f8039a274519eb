//! Telegram callback data (the button presses anyone can forge): parsed only
//! when it is exactly what the bot itself encodes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onsite_telegram::callback::{Press, encode_press, parse};

fuzz_target!(|data: &str| {
    if let Some(press) = parse(data) {
        let (Press::Milestone(_, id) | Press::Read(id)) = press;
        assert!(id > 0);
        assert_eq!(encode_press(press), data, "accepted data the bot never sends");
    }
});
