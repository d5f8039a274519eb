//! Validation of free text from outside: trimmed, non-empty where required,
//! bounded in length (counted in characters, as a Chinese user counts them)
//! and free of control characters other than line breaks and tabs.

use super::error::FieldError;

/// Common limits, in characters.
pub const NAME_MAX: usize = 100;
pub const TITLE_MAX: usize = 200;
pub const ADDRESS_MAX: usize = 300;
pub const REASON_MAX: usize = 1_000;
pub const LONG_TEXT_MAX: usize = 20_000;

/// Trims and checks a required text field.
pub fn required(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(
            field,
            "required",
            format!("{field} must not be empty"),
            format!("{field} 不能为空"),
        ));
    }
    bounded(field, trimmed, max)?;
    Ok(trimmed.to_owned())
}

/// Trims an optional text field; an empty string counts as absent.
pub fn optional(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => {
            bounded(field, v, max)?;
            Ok(Some(v.to_owned()))
        }
    }
}

fn bounded(field: &str, value: &str, max: usize) -> Result<(), FieldError> {
    let len = value.chars().count();
    if len > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("{field} is {len} characters long; at most {max} are allowed"),
            format!("{field} 长度为 {len} 个字符，最多允许 {max} 个"),
        ));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
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
        assert_eq!(required("title", "  网页篡改  ", 10).unwrap(), "网页篡改");
    }

    #[test]
    fn blank_required_text_is_refused() {
        assert_eq!(required("title", "   ", 10).unwrap_err().code, "required");
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Ten Chinese characters are thirty bytes but within a ten-character limit.
        assert!(required("title", "一二三四五六七八九十", 10).is_ok());
        let err = required("title", "一二三四五六七八九十一", 10).unwrap_err();
        assert_eq!(err.code, "too_long");
        assert!(err.message.contains("11"));
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_are_kept() {
        assert!(required("d", "line one\nline two\ttab", 100).is_ok());
        assert_eq!(required("d", "bell\u{7}", 100).unwrap_err().code, "control_characters");
    }

    #[test]
    fn empty_optional_text_is_absent() {
        assert_eq!(optional("x", Some("  "), 5).unwrap(), None);
        assert_eq!(optional("x", None, 5).unwrap(), None);
        assert_eq!(optional("x", Some(" a "), 5).unwrap(), Some("a".into()));
        assert!(optional("x", Some("abcdef"), 5).is_err());
    }
}
