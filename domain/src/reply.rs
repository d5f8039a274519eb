//! SMS reply codes (短信回复码): a page sent by SMS carries a number that
//! stands for its assignment on that phone, and the engineer answers with
//! the number and a letter: `1A` acknowledged, `1P` plan activated, `1S`
//! on site, `1H` HQ remote support, as GoAlert's reply codes do.

use crate::assignment::Milestone;
use crate::labels::Lang;

/// The highest number handed out on one phone; numbers are reused after.
pub const MAX_NUMBER: i32 = 99;

/// The letters, in the order shown.
const LETTERS: [(char, Milestone); 4] = [
    ('A', Milestone::Acknowledged),
    ('P', Milestone::PlanActivated),
    ('S', Milestone::OnSite),
    ('H', Milestone::HqRemote),
];

/// A reply as the engineer meant it: a number and a milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    pub number: i32,
    pub milestone: Milestone,
}

/// Reads a reply: digits then one letter, in either case, with spaces and
/// the full-width forms a Chinese keyboard types (`１Ａ`) allowed.
pub fn parse(text: &str) -> Option<Reply> {
    let plain: String = text
        .chars()
        .filter_map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
            '\u{3000}' => None,
            c if c.is_whitespace() => None,
            c => Some(c),
        })
        .collect();
    let mut chars = plain.chars();
    let letter = chars.next_back()?.to_ascii_uppercase();
    let digits = chars.as_str();
    if digits.is_empty() || digits.len() > 2 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let number: i32 = digits.parse().ok().filter(|n| (1..=MAX_NUMBER).contains(n))?;
    let milestone = LETTERS.iter().find(|(l, _)| *l == letter).map(|(_, m)| *m)?;
    Some(Reply { number, milestone })
}

/// The line a page's SMS ends with, saying what to reply.
pub fn line(number: i32, lang: Lang) -> String {
    let codes: Vec<String> = LETTERS.iter().map(|(letter, m)| format!("{number}{letter} {}", m.label(lang))).collect();
    match lang {
        Lang::Zh => format!("{PREFIX_ZH}{}", codes.join("，")),
        Lang::En => format!("{PREFIX_EN}{}", codes.join(", ")),
    }
}

/// How the reply line begins, so a channel cutting the text keeps it whole.
pub const PREFIX_ZH: &str = "回复 Reply: ";
const PREFIX_EN: &str = "Reply: ";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_is_a_number_and_a_letter_however_it_is_typed() {
        let ack = Some(Reply { number: 1, milestone: Milestone::Acknowledged });
        for text in ["1A", "1a", " 1 A ", "１Ａ", "１ａ", "01A"] {
            assert_eq!(parse(text), ack, "{text:?}");
        }
        assert_eq!(parse("12s").map(|r| (r.number, r.milestone)), Some((12, Milestone::OnSite)));
        assert_eq!(parse("3H").map(|r| r.milestone), Some(Milestone::HqRemote));
        for bad in ["", "A", "1", "1X", "0A", "100A", "A1", "1AA", "-1A", "好的", "1确认"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_line_names_each_code_and_parses_back() {
        let zh = line(7, Lang::Zh);
        assert!(zh.starts_with(PREFIX_ZH) && zh.contains("7A 已接收") && zh.contains("7S"), "{zh}");
        assert!(line(7, Lang::En).contains("7P Plan activated"), "{}", line(7, Lang::En));
        for (letter, m) in LETTERS {
            assert_eq!(parse(&format!("7{letter}")).map(|r| r.milestone), Some(m));
        }
    }
}
