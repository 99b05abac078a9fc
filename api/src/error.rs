//! The one error type of the HTTP edge and its single mapping to RFC 9457
//! `application/problem+json`. Each error has a stable snake_case `code`, an HTTP
//! status and a title; the log gets the cause, the client a clean message.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use domain::{DomainError, ErrorCode, FieldError, Forbidden, PageNotAvailable};
use persistence::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// A problem report (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation_failed",
    "title": "The request has invalid fields",
    "status": 422,
    "detail": "name: name must not be empty",
    "code": "validation_failed",
    "errors": [{"field": "name", "code": "required", "message": "name must not be empty"}]
}))]
pub struct Problem {
    /// A URI reference naming the problem type: `/problems/{code}`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code; the `ErrorCode` schema lists every one.
    #[schema(value_type = ErrorCode)]
    pub code: ErrorCode,
    /// Present for validation errors: one entry per rejected field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemField>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// The request field, e.g. `name` or `parent_id` (for CSV imports: the column).
    pub field: String,
    /// For CSV imports: the line of the file (the header is line 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub code: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Malformed(String),
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("{0}")]
    InvalidToken(String),
    /// Unknown e-mail, wrong password or code, disabled account: one answer for all.
    #[error("the e-mail, password or code is wrong, or the account cannot sign in")]
    InvalidCredentials,
    #[error("the password is right; this account also needs a code from its authenticator in `totp_code`")]
    TotpRequired,
    #[error("your roles do not allow this action")]
    Forbidden(#[from] Forbidden),
    #[error(transparent)]
    PageNotAvailable(#[from] PageNotAvailable),
    #[error("not found")]
    NotFound,
    /// Unknown, used, expired and revoked activation links: one answer for all.
    #[error("this activation link is not valid")]
    ActivationNotFound,
    /// Unknown, used and expired password links: one answer for all.
    #[error("this link is not valid: it may be mistyped, used or expired; ask for a new one")]
    ResetLinkNotFound,
    #[error("this path accepts only {allow}")]
    MethodNotAllowed { allow: String },
    #[error("the record named by `{field}` was not found")]
    ReferenceNotFound { field: &'static str },
    #[error("{message}")]
    Conflict {
        code: ErrorCode,
        field: Option<&'static str>,
        message: String,
    },
    #[error("the record was changed since you read it; its current ETag is \"{current}\"")]
    PreconditionFailed { current: i64 },
    #[error("the request body exceeds {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("the request target (path and query) exceeds {limit} bytes")]
    UriTooLong { limit: usize },
    #[error("the request body must be {expected}")]
    UnsupportedMediaType { expected: &'static str },
    #[error("the request has invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("the file has {} problems; nothing was imported", .0.len())]
    ImportRejected(Vec<crate::operator_import::RowError>),
    #[error("too many requests; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("the service is temporarily unavailable")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// The code of this error; its status and title come from the table in `domain::ErrorCode`.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Malformed(_) => ErrorCode::MalformedRequest,
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::InvalidToken(_) => ErrorCode::InvalidToken,
            Self::InvalidCredentials => ErrorCode::InvalidCredentials,
            Self::TotpRequired => ErrorCode::TotpRequired,
            Self::ResetLinkNotFound => ErrorCode::ResetLinkNotFound,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::PageNotAvailable(_) => ErrorCode::PageNotAvailable,
            Self::NotFound => ErrorCode::NotFound,
            Self::ActivationNotFound => ErrorCode::ActivationNotFound,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::MethodNotAllowed { .. } => ErrorCode::MethodNotAllowed,
            Self::ReferenceNotFound { .. } => ErrorCode::ReferenceNotFound,
            Self::Conflict { code, .. } => *code,
            Self::PreconditionFailed { .. } => ErrorCode::StaleVersion,
            Self::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            Self::UriTooLong { .. } => ErrorCode::UriTooLong,
            Self::UnsupportedMediaType { .. } => ErrorCode::UnsupportedMediaType,
            Self::Invalid(_) => ErrorCode::ValidationFailed,
            Self::ImportRejected(_) => ErrorCode::ImportRejected,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::Internal(_) => ErrorCode::InternalError,
        }
    }

    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, code, message)])
    }

    fn fields(&self) -> Option<Vec<ProblemField>> {
        let to_problem = |f: &FieldError| ProblemField {
            field: f.field.clone(),
            line: None,
            code: f.code.to_string(),
            message: f.message.clone(),
        };
        match self {
            Self::Invalid(errors) => Some(errors.iter().map(to_problem).collect()),
            Self::Conflict {
                field: Some(field),
                code,
                message,
            } => Some(vec![ProblemField {
                field: (*field).to_string(),
                line: None,
                code: code.as_str().to_string(),
                message: message.clone(),
            }]),
            Self::ReferenceNotFound { field } => Some(vec![ProblemField {
                field: (*field).to_string(),
                line: None,
                code: "not_found".into(),
                message: "no organisation with this id is visible to you".into(),
            }]),
            Self::ImportRejected(rows) => Some(
                rows.iter()
                    .map(|r| ProblemField {
                        field: r.column.clone(),
                        line: Some(r.line),
                        code: r.code.clone(),
                        message: r.message.clone(),
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    fn detail(&self) -> String {
        match self {
            Self::Invalid(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            Self::NotFound => "no such record is visible to you".into(),
            Self::ActivationNotFound => {
                "this activation link is not valid: it may be mistyped, used, expired or replaced by a newer one".into()
            }
            Self::Unavailable(_) => "the database is unreachable; retry shortly".into(),
            Self::Internal(_) => "an unexpected error occurred; it has been logged".into(),
            other => other.to_string(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let code = self.code();
        let status = self.status_code();
        match self {
            Self::Internal(cause) => tracing::error!(%cause, "internal error"),
            // The outage itself is logged (throttled) where it is detected.
            Self::Unavailable(cause) => tracing::debug!(%cause, "database unavailable"),
            _ => {}
        }
        let problem = Problem {
            type_: format!("/problems/{code}"),
            title: code.title().into(),
            status: status.as_u16(),
            detail: self.detail(),
            code,
            errors: self.fields(),
        };
        let mut res = HttpResponse::build(status);
        res.content_type("application/problem+json");
        // RFC 6750 §3: no error code when credentials are missing.
        match self {
            Self::Unauthenticated(_) => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"partner-portal\""));
            }
            Self::InvalidToken(_) => {
                res.insert_header((
                    header::WWW_AUTHENTICATE,
                    "Bearer realm=\"partner-portal\", error=\"invalid_token\"",
                ));
            }
            _ => {}
        }
        if let Self::MethodNotAllowed { allow } = self {
            res.insert_header((header::ALLOW, allow.clone()));
        }
        if let Self::RateLimited { retry_after_secs } = self {
            res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.insert_header((header::RETRY_AFTER, "5"));
        }
        res.json(problem)
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid(errors) => Self::Invalid(errors),
            DomainError::Conflict { code, field, message } => Self::Conflict { code, field, message },
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(vec![e])
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if let Some(kind) = e.kind() {
            crate::metrics::database_error(kind);
        }
        if e.is_unavailable() {
            return Self::Unavailable(e.to_string());
        }
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::ReferenceNotFound { field } => Self::ReferenceNotFound { field },
            StoreError::StaleVersion { current } => Self::PreconditionFailed { current },
            StoreError::Duplicate { field, message } => Self::Conflict {
                code: ErrorCode::Duplicate,
                field: Some(field),
                message,
            },
            StoreError::IdempotencyRace => Self::Conflict {
                code: ErrorCode::IdempotencyKeyInUse,
                field: None,
                message: "a request with this Idempotency-Key is being processed; retry it".into(),
            },
            StoreError::Rule(d) => d.into(),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<crate::operator_import::ImportError> for ApiError {
    fn from(e: crate::operator_import::ImportError) -> Self {
        match e {
            crate::operator_import::ImportError::Rows(rows) => Self::ImportRejected(rows),
            crate::operator_import::ImportError::Store(s) => s.into(),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Internal(e.to_string())
    }
}
