//! Callback data of the page buttons: `m:{action}:{assignment}` for a
//! milestone, `i:read:{receipt}` for an instruction read; well under
//! Telegram's 64-byte limit, parsed strictly (it comes from outside).

/// What a button reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Acknowledge,
    PlanActivated,
    OnSite,
    HqRemote,
}

impl Action {
    pub const ALL: [Action; 4] = [Action::Acknowledge, Action::PlanActivated, Action::OnSite, Action::HqRemote];

    fn short(self) -> &'static str {
        match self {
            Action::Acknowledge => "ack",
            Action::PlanActivated => "plan",
            Action::OnSite => "site",
            Action::HqRemote => "hq",
        }
    }

    /// The milestone code the core records.
    pub fn milestone(self) -> &'static str {
        match self {
            Action::Acknowledge => "acknowledged",
            Action::PlanActivated => "plan_activated",
            Action::OnSite => "on_site",
            Action::HqRemote => "hq_remote",
        }
    }
}

/// What a button reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    Milestone(Action, i64),
    /// The unit read the instruction of this receipt.
    Read(i64),
}

/// Encodes a milestone button.
pub fn encode(action: Action, assignment_id: i64) -> String {
    format!("m:{}:{assignment_id}", action.short())
}

/// Encodes an instruction's "read" button.
pub fn encode_read(receipt_id: i64) -> String {
    format!("i:read:{receipt_id}")
}

/// Encodes any press.
pub fn encode_press(press: Press) -> String {
    match press {
        Press::Milestone(action, id) => encode(action, id),
        Press::Read(id) => encode_read(id),
    }
}

/// Parses callback data; `None` for anything this bot did not produce.
pub fn parse(data: &str) -> Option<Press> {
    if data.len() > 64 {
        return None;
    }
    let mut parts = data.split(':');
    let (Some(kind), Some(short), Some(id), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    // Only the bot's own spelling: digits, no leading zero (found by fuzzing).
    if id.is_empty() || id.len() > 19 || id.starts_with('0') || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let id: i64 = id.parse().ok().filter(|id| *id > 0)?;
    match (kind, short) {
        ("m", _) => Action::ALL.into_iter().find(|a| a.short() == short).map(|a| Press::Milestone(a, id)),
        ("i", "read") => Some(Press::Read(id)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_within_64_bytes() {
        for a in Action::ALL {
            let data = encode(a, i64::MAX);
            assert!(data.len() <= 64);
            assert_eq!(parse(&data), Some(Press::Milestone(a, i64::MAX)));
        }
        assert_eq!(parse(&encode_read(i64::MAX)), Some(Press::Read(i64::MAX)));
    }

    #[test]
    fn foreign_or_malformed_data_is_refused() {
        for bad in [
            "",
            "m",
            "m:ack",
            "m:ack:",
            "m:ack:-1",
            "m:ack:0",
            "m:site:085",
            "m:ack:1:2",
            "x:ack:1",
            "m:fly:1",
            "m:ack:1e3",
            "m:ack:+5",
            "m:ack:99999999999999999999",
            "i:read:0",
            "i:ack:5",
            "m:read:5",
            "i:read:5:6",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(parse(&"9".repeat(70)), None);
    }
}
