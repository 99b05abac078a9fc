//! Local sign-in's records: the password hash and TOTP state on the operator
//! row (kept out of [`Operator`], which is passed around and logged), failed
//! sign-ins for throttling, and single-use password links.

mod failures;
mod links;
mod secrets;

pub(crate) use failures::{clear_failures, failures_since, record_failure};
pub(crate) use links::{consume_link, insert_link};
pub use links::{NewPasswordLink, PasswordLinkHolder, PasswordLinkPurpose};
pub(crate) use secrets::{
    accept_totp_step, candidates, clear_totp, confirm_totp, secrets, set_initial_password, set_operator_password,
    start_totp,
};
pub use secrets::{OperatorSecrets, SignInCandidate};
