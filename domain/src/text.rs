//! Validation of free text from outside, one rule for every field: trimmed,
//! non-empty where required, bounded in length (counted in characters, as a
//! Chinese user counts them), and free of control characters and of the
//! invisible marks that reorder text on screen. Names, titles and addresses
//! are one line; only longer texts (descriptions, reasons, notes) may hold
//! line breaks and tabs.

use super::error::FieldError;

/// How long a field may be, and whether it may run over several lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: usize,
    pub lines: bool,
}

impl Limit {
    /// One line of at most `max` characters.
    pub const fn line(max: usize) -> Self {
        Self { max, lines: false }
    }

    /// Text of at most `max` characters, line breaks and tabs allowed.
    pub const fn lines(max: usize) -> Self {
        Self { max, lines: true }
    }
}

/// The common limits.
pub const NAME: Limit = Limit::line(100);
pub const TITLE: Limit = Limit::line(200);
pub const ADDRESS: Limit = Limit::line(300);
pub const REASON: Limit = Limit::lines(1_000);
pub const LONG_TEXT: Limit = Limit::lines(20_000);

/// Bidirectional embedding, override and isolate marks: they make a name
/// read differently on screen from what it is.
fn reorders(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Trims and checks a required text field.
pub fn required(field: &str, value: &str, limit: Limit) -> Result<String, FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(
            field,
            "required",
            format!("{field} must not be empty"),
            format!("{field} 不能为空"),
        ));
    }
    bounded(field, trimmed, limit)?;
    Ok(trimmed.to_owned())
}

/// Trims an optional text field; an empty string counts as absent.
pub fn optional(field: &str, value: Option<&str>, limit: Limit) -> Result<Option<String>, FieldError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => {
            bounded(field, v, limit)?;
            Ok(Some(v.to_owned()))
        }
    }
}

fn bounded(field: &str, value: &str, limit: Limit) -> Result<(), FieldError> {
    let (len, max) = (value.chars().count(), limit.max);
    if len > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("{field} is {len} characters long; at most {max} are allowed"),
            format!("{field} 长度为 {len} 个字符，最多允许 {max} 个"),
        ));
    }
    let line_break = |c: char| matches!(c, '\n' | '\r' | '\t');
    if !limit.lines && value.chars().any(line_break) {
        return Err(FieldError::new(
            field,
            "single_line",
            format!("{field} must be one line, without line breaks or tabs"),
            format!("{field} 只能填写一行，不能含换行或制表符"),
        ));
    }
    if value.chars().any(|c| (c.is_control() && !line_break(c)) || reorders(c)) {
        return Err(FieldError::new(
            field,
            "control_characters",
            format!("{field} contains control characters"),
            format!("{field} 含有控制字符"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_is_trimmed() {
        assert_eq!(required("title", "  网页篡改  ", Limit::line(10)).unwrap(), "网页篡改");
    }

    #[test]
    fn blank_required_text_is_refused() {
        assert_eq!(required("title", "   ", Limit::line(10)).unwrap_err().code, "required");
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Ten Chinese characters are thirty bytes but within a ten-character limit.
        assert!(required("title", "一二三四五六七八九十", Limit::line(10)).is_ok());
        let err = required("title", "一二三四五六七八九十一", Limit::line(10)).unwrap_err();
        assert_eq!(err.code, "too_long");
        assert!(err.message.contains("11"));
    }

    #[test]
    fn control_characters_are_refused_and_line_breaks_kept_only_in_longer_texts() {
        assert!(required("d", "line one\nline two\ttab", LONG_TEXT).is_ok());
        assert_eq!(required("d", "bell\u{7}", LONG_TEXT).unwrap_err().code, "control_characters");
        for name in ["安盾\r\nX-Injected: 1", "安\t盾"] {
            assert_eq!(required("name", name, NAME).unwrap_err().code, "single_line", "{name:?}");
        }
        assert_eq!(required("name", "安盾\n", NAME).unwrap(), "安盾", "a trailing line break is trimmed");
        assert_eq!(required("name", "安盾\u{202e}gpj.exe", NAME).unwrap_err().code, "control_characters");
        assert_eq!(required("title", "“某网站”被篡改 'x' <y>", TITLE).unwrap(), "“某网站”被篡改 'x' <y>");
    }

    #[test]
    fn empty_optional_text_is_absent() {
        assert_eq!(optional("x", Some("  "), Limit::line(5)).unwrap(), None);
        assert_eq!(optional("x", None, Limit::line(5)).unwrap(), None);
        assert_eq!(optional("x", Some(" a "), Limit::line(5)).unwrap(), Some("a".into()));
        assert!(optional("x", Some("abcdef"), Limit::line(5)).is_err());
    }
}
