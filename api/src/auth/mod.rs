//! Authentication: bearer JWTs the API signs itself (EdDSA) or that the
//! organisation's identity provider signs (RS256, keys from a JWKS file), and
//! the extractor that turns a request into a fresh [`domain::Principal`].

mod claims;
mod customer_session;
mod extractor;
mod impersonation;
mod issue;
mod keys;
mod launch;
mod oidc;
mod passwords;
mod totp;
mod verifier;

pub use claims::{AccessClaims, ACCESS_AUDIENCE, ACCESS_TOKEN_TYPE, TOTP_ENROLMENT_SCOPE};
pub use customer_session::{customer_session_token, CustomerSessionClaims, CUSTOMER_ACCESS_TOKEN_TYPE};
pub(crate) use extractor::bearer_token;
pub use extractor::{audit_entry, Authenticated, EnrolmentCaller};
pub use impersonation::{
    impersonation_token, ActingParty, ImpersonationClaims, ImpersonationToken, IMPERSONATION_AUDIENCE,
    IMPERSONATION_TOKEN_TYPE, IMPERSONATION_TTL_SECS,
};
pub use issue::{access_token, sign_in_token};
pub use keys::{KeyError, SigningKeys};
pub use launch::{launch_token, LaunchClaims, LaunchTarget, LaunchToken, LAUNCH_TOKEN_TYPE, LAUNCH_TTL_SECS};
pub use oidc::IdentityProvider;
pub use passwords::{hash_password, verify_password, PasswordHasher};
pub use totp::{TotpSealer, TotpSecret};
pub use verifier::{TokenError, TokenVerifier, Verified, VerifiedSubject};
