//! Errors a rule can raise. The api crate maps each to one HTTP status:
//! [`DomainError::Invalid`] → 422, [`DomainError::Conflict`] → 409,
//! [`Forbidden`] → 403.

use crate::error_code::ErrorCode;
use crate::permission::Action;

/// One rejected input field, named as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    /// The same error reported under another field name (e.g. `email` inside `contact_email`).
    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// Input that can never be valid, whatever the state of the data.
    #[error("the request has invalid fields")]
    Invalid(Vec<FieldError>),
    /// Input that is well formed but breaks a rule given the current state.
    #[error("{message}")]
    Conflict {
        code: ErrorCode,
        field: Option<&'static str>,
        message: String,
    },
}

impl DomainError {
    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, code, message)])
    }

    pub fn conflict(code: ErrorCode, field: Option<&'static str>, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            field,
            message: message.into(),
        }
    }
}

impl From<FieldError> for DomainError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(vec![e])
    }
}

/// The caller can see the record but its roles do not allow the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("your roles do not allow {action:?}")]
pub struct Forbidden {
    pub action: Action,
}
