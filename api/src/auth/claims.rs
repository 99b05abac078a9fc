use serde::{Deserialize, Serialize};

/// The audience of access tokens for this API; other token kinds carry others.
pub const ACCESS_AUDIENCE: &str = "partner-portal-api";
/// The `typ` claim of access tokens, so no other kind is accepted in their place.
pub const ACCESS_TOKEN_TYPE: &str = "access";
/// The `scope` of a token that reaches only `/v1/me` and second-factor enrolment
/// (a sign-in below an organisation that requires a second factor, before enrolling).
pub const TOTP_ENROLMENT_SCOPE: &str = "totp_enrolment";

/// Claims of the access tokens the API signs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    /// The operator's or API client's id.
    pub sub: String,
    /// `operator` or `api_client`.
    pub pty: String,
    pub typ: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// Present only on restricted tokens: [`TOTP_ENROLMENT_SCOPE`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}
