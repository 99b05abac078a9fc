//! Local sign-in: what a password must be, when sign-in attempts are throttled,
//! which TOTP codes are fresh, and what a successful password check yields.
//! The hashing and the clock live in the api crate; these are the rules.

mod password;
mod revocation;
mod sign_in;
mod throttle;
mod totp;

pub use password::{Password, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
pub use revocation::{credentials_changed_at, issue_time, issued_before_credential_change, next_credentials_change};
pub use sign_in::{sign_in_outcome, SecondFactor, SignInOutcome};
pub use throttle::{retry_after, sign_in_retry_after, Throttle, ADDRESS_LIMIT, EMAIL_LIMIT, THROTTLE_WINDOW};
pub use totp::{is_fresh_step, totp_steps, TOTP_DIGITS, TOTP_PERIOD_SECS};

/// How long a password-reset or invitation link stays usable.
pub const RESET_TTL: chrono::Duration = chrono::Duration::hours(1);
/// How long a customer-portal invitation stays usable (they set their first password).
pub const INVITATION_TTL: chrono::Duration = chrono::Duration::days(7);
