//! Errors of the domain layer: invalid values (with the field they belong to)
//! and transitions the state machine refuses. They know nothing of HTTP.

use serde::Serialize;

/// One invalid field, with a stable code and messages in both languages so
/// the API, the web form and the bot can each show it their own way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
    pub message_zh: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        Self { field: field.into(), code, message: message.into(), message_zh: message_zh.into() }
    }

    /// The message in `lang`.
    pub fn text(&self, lang: super::labels::Lang) -> &str {
        match lang {
            super::labels::Lang::Zh => &self.message_zh,
            super::labels::Lang::En => &self.message,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// Values that can never be accepted, whatever the state.
    #[error("invalid input: {}", summary(.0))]
    Invalid(Vec<FieldError>),
    /// A transition the current state does not allow.
    #[error("{message}")]
    Conflict { code: &'static str, message: String, message_zh: String },
}

impl DomainError {
    /// What went wrong in `lang`: every field's message, or the conflict's.
    pub fn text(&self, lang: super::labels::Lang) -> String {
        match (self, lang) {
            (Self::Invalid(fields), _) => fields.iter().map(|f| f.text(lang)).collect::<Vec<_>>().join("；"),
            (Self::Conflict { message_zh, .. }, super::labels::Lang::Zh) => message_zh.clone(),
            (Self::Conflict { message, .. }, super::labels::Lang::En) => message.clone(),
        }
    }

    pub fn field(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        Self::Invalid(vec![FieldError::new(field, code, message, message_zh)])
    }

    pub fn conflict(code: &'static str, message: impl Into<String>, message_zh: impl Into<String>) -> Self {
        Self::Conflict { code, message: message.into(), message_zh: message_zh.into() }
    }
}

fn summary(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
}

/// Collects field errors so a form reports every bad field at once.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// Keeps the value if it is valid, records its error otherwise.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The errors collected so far.
    pub fn into_errors(self) -> Vec<FieldError> {
        self.errors
    }

    pub fn finish(self) -> Result<(), DomainError> {
        if self.errors.is_empty() { Ok(()) } else { Err(DomainError::Invalid(self.errors)) }
    }
}
