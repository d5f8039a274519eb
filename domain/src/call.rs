//! What a voice call's report means for its page. The cloud voice services
//! report a call's end, and a keypress, with a status code: `200000` the
//! message was heard through, `200001` the callee hung up before its end,
//! `300000` a key was pressed (with the keys in `dtmf`); `200002` to
//! `200099` the call never reached anyone (busy, not answered, switched
//! off, out of service, unreachable). Other codes are states on the way
//! (ringing, connected) and change nothing.

use crate::labelled_enum;

labelled_enum! {
    /// What a key pressed during a page's call asks for.
    pub enum CallKey {
        Acknowledge => ("1", "按 1 确认接收", "Press 1 to acknowledge"),
        Decline => ("2", "按 2 无法接单，通知他人", "Press 2 if you cannot: page someone else"),
    }
}

/// What the call's report means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// Someone took the call; with the key they pressed, when it means
    /// something.
    Answered(Option<CallKey>),
    /// The call reached nobody: the page was not delivered.
    NotReached,
    /// Nothing to act on yet.
    Pending,
}

/// Reads a report's status code and keys. The first key that means
/// something counts: a callee who pressed `2` and then `1` declined.
pub fn outcome(status_code: &str, dtmf: Option<&str>) -> CallOutcome {
    let key = || dtmf.unwrap_or_default().chars().find_map(|c| CallKey::from_code(c.encode_utf8(&mut [0; 4])));
    match status_code.trim() {
        "200000" | "200001" | "300000" => CallOutcome::Answered(key()),
        code if code.len() == 6 && code.starts_with("2000") && code.bytes().all(|b| b.is_ascii_digit()) => {
            CallOutcome::NotReached
        }
        _ => CallOutcome::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_pressed_on_an_answered_call_counts_and_the_first_meaningful_one_wins() {
        assert_eq!(outcome("300000", Some("1")), CallOutcome::Answered(Some(CallKey::Acknowledge)));
        assert_eq!(outcome("300000", Some("#21")), CallOutcome::Answered(Some(CallKey::Decline)));
        assert_eq!(outcome("200000", Some("9")), CallOutcome::Answered(None));
        assert_eq!(outcome("200001", None), CallOutcome::Answered(None));
    }

    #[test]
    fn busy_unanswered_and_unreachable_calls_reached_nobody_and_states_on_the_way_wait() {
        for code in ["200002", "200003", "200005", "200007", "200010", "200011"] {
            assert_eq!(outcome(code, None), CallOutcome::NotReached, "{code}");
        }
        for code in ["200100", "", "2000x1", "20000", "OK"] {
            assert_eq!(outcome(code, Some("1")), CallOutcome::Pending, "{code}");
        }
    }
}
