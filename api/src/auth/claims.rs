use serde::{Deserialize, Serialize};

/// The audience of access tokens for this API; other token kinds carry others.
pub const ACCESS_AUDIENCE: &str = "partner-portal-api";
/// The `typ` claim of access tokens, so no other kind is accepted in their place.
pub const ACCESS_TOKEN_TYPE: &str = "access";

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
}
