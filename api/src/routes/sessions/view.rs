//! JSON shapes of sign-in, password and second-factor requests. Passwords and
//! codes are only ever read, never written back.

use domain::credentials::{Password, MAX_PASSWORD_CHARS};
use domain::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;

/// E-mail and password, and the authenticator's code when the account has one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "megan@northwind.example", "password": "correct horse battery staple"}))]
pub struct SignIn {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 256, format = Password)]
    pub password: String,
    /// The 6-digit code from the authenticator app (accounts with a second factor).
    #[schema(pattern = "^[0-9]{6}$")]
    pub totp_code: Option<String>,
}

impl SignIn {
    /// The e-mail (lowercased) after the shape checks; the password is checked
    /// against its hash, not against the rules for new passwords.
    pub fn email(&self) -> Result<String, ApiError> {
        let email = self.email.trim().to_lowercase();
        let mut errors = Vec::new();
        if email.is_empty() || email.chars().count() > 254 {
            errors.push(FieldError::new("email", "invalid", "email must be an e-mail address"));
        }
        if self.password.is_empty() {
            errors.push(FieldError::new("password", "required", "password must not be empty"));
        } else if self.password.chars().count() > MAX_PASSWORD_CHARS {
            errors.push(FieldError::new(
                "password",
                "too_long",
                format!("password may have at most {MAX_PASSWORD_CHARS} characters"),
            ));
        }
        if errors.is_empty() {
            Ok(email)
        } else {
            Err(ApiError::Invalid(errors))
        }
    }
}

/// A bearer token (the same kind `partner-portal token` mints).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJFZERTQSIs…", "token_type": "Bearer", "expires_in": 3600}))]
pub struct Session {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
    /// Present when the token reaches only `/v1/me` and second-factor
    /// enrolment (`totp_enrolment`): enrol, then sign in again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// Ask for a password-reset link.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "megan@northwind.example"}))]
pub struct RequestPasswordReset {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
}

/// Set a password with a reset or invitation link.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "correct horse battery staple"}))]
pub struct ResetPassword {
    /// 12 to 256 characters, not one of the most common passwords.
    #[schema(min_length = 12, max_length = 256, format = Password)]
    pub password: String,
}

/// Change your password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "correct horse battery staple", "new_password": "another long passphrase"}))]
pub struct ChangePassword {
    #[schema(format = Password)]
    pub current_password: String,
    /// 12 to 256 characters, not one of the most common passwords.
    #[schema(min_length = 12, max_length = 256, format = Password)]
    pub new_password: String,
}

/// A code from the authenticator app.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "287082"}))]
pub struct TotpCode {
    #[schema(pattern = "^[0-9]{6}$")]
    pub code: String,
}

/// Remove the second factor: proven with the password and a current code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "correct horse battery staple", "code": "287082"}))]
pub struct RemoveTotp {
    #[schema(format = Password)]
    pub current_password: String,
    #[schema(pattern = "^[0-9]{6}$")]
    pub code: String,
}

/// A second-factor enrolment to confirm: add the secret to an authenticator app.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    "otpauth_uri": "otpauth://totp/Partner%20Portal:megan%40northwind.example?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Partner%20Portal"
}))]
pub struct TotpEnrolment {
    /// The secret in base32 (RFC 6238: SHA-1, 6 digits, 30 s).
    pub secret: String,
    /// The same as an `otpauth://` URI, for a QR code.
    pub otpauth_uri: String,
}

/// A new password checked against the rules, named as the request names it.
pub fn new_password(raw: &str, field: &str) -> Result<Password, ApiError> {
    Ok(Password::parse(raw, field)?)
}
