//! Tokens from the organisation's identity provider (Microsoft 365 style): RS256,
//! verified against keys read once from a JWKS file. Keys are never fetched.

use std::collections::HashMap;
use std::path::Path;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::DecodingKey;

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("cannot read the JWKS file {path}: {message}")]
    Jwks { path: String, message: String },
}

pub struct IdentityProvider {
    pub issuer: String,
    pub audience: String,
    keys: HashMap<String, DecodingKey>,
}

impl IdentityProvider {
    pub fn from_jwks_file(issuer: String, audience: String, path: &Path) -> Result<Self, OidcError> {
        let fail = |message: String| OidcError::Jwks {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        let set: JwkSet = serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let Some(kid) = jwk.common.key_id.clone() else {
                continue;
            };
            if let Ok(key) = DecodingKey::from_jwk(jwk) {
                keys.insert(kid, key);
            }
        }
        if keys.is_empty() {
            return Err(fail("no usable keys with a `kid`".into()));
        }
        Ok(Self { issuer, audience, keys })
    }

    pub fn key(&self, kid: &str) -> Option<&DecodingKey> {
        self.keys.get(kid)
    }
}
