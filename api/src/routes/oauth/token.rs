use actix_web::http::{header, StatusCode};
use actix_web::{post, web, HttpMessage, HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::{codes, PrincipalKind};
use persistence::{ApiClient, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::access_token;
use crate::error::ApiError;
use crate::extract::read_body;
use crate::problems::Problems;
use crate::secrets;
use crate::state::AppState;

/// The one grant this endpoint implements.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum GrantType {
    ClientCredentials,
}

impl GrantType {
    fn as_str(&self) -> &'static str {
        match self {
            Self::ClientCredentials => "client_credentials",
        }
    }
}

/// The form fields of a token request (`application/x-www-form-urlencoded`).
#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Must be `client_credentials`.
    #[schema(value_type = GrantType, required = true)]
    grant_type: Option<String>,
    /// With `client_secret`, instead of HTTP Basic authentication.
    client_id: Option<String>,
    client_secret: Option<String>,
    /// Accepted and ignored: a client's token always carries the client's roles.
    #[serde(rename = "scope")]
    _scope: Option<String>,
}

/// A successful grant (RFC 6749 §5.1).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJFZERTQSIs…", "token_type": "Bearer", "expires_in": 3600, "scope": "viewer"}))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
    /// The client's roles, space-separated.
    pub scope: String,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OAuthErrorCode {
    InvalidRequest,
    InvalidClient,
    UnsupportedGrantType,
}

/// A refused grant (RFC 6749 §5.2).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"error": "invalid_client", "error_description": "unknown client or wrong secret"}))]
pub struct OAuthError {
    pub error: OAuthErrorCode,
    pub error_description: String,
}

fn refuse(error: OAuthErrorCode, description: &str) -> HttpResponse {
    let status = match error {
        OAuthErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut res = HttpResponse::build(status);
    res.insert_header((header::CACHE_CONTROL, "no-store"));
    if status == StatusCode::UNAUTHORIZED {
        res.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"partner-portal\""));
    }
    res.json(OAuthError {
        error,
        error_description: description.into(),
    })
}

/// Client credentials from HTTP Basic (RFC 6749 §2.3.1: each part form-urlencoded).
fn basic_credentials(req: &HttpRequest) -> Option<Result<(String, String), ()>> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    Some(
        decoded
            .and_then(|pair| {
                let (id, secret) = pair.split_once(':')?;
                let unescape = |s: &str| {
                    form_urlencoded::parse(format!("x={s}").as_bytes())
                        .next()
                        .map(|(_, v)| v.into_owned())
                };
                Some((unescape(id)?, unescape(secret)?))
            })
            .ok_or(()),
    )
}

/// Get an access token
///
/// The OAuth2 client-credentials grant (RFC 6749 §4.4) for API clients. Send
/// `grant_type=client_credentials` form-encoded, with the client's id and secret
/// in HTTP Basic authentication or as `client_id` and `client_secret` fields. The
/// token acts with the client's roles in its organisation's subtree, and stops
/// working at once if the client is revoked. Errors use RFC 6749's JSON form.
#[utoipa::path(
    tag = "OAuth",
    operation_id = "issueToken",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A bearer token", body = TokenResponse),
        (status = 400, description = "`invalid_request` or `unsupported_grant_type`", body = OAuthError),
        (status = 401, description = "`invalid_client`: unknown client, wrong secret, or revoked", body = OAuthError),
        Problems<(codes::Unavailable,)>,
    ),
    security((), ("client_basic" = []))
)]
#[post("/oauth/token")]
pub async fn issue_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let form_encoded = matches!(req.mime_type(), Ok(Some(m)) if m.essence_str() == "application/x-www-form-urlencoded");
    if !form_encoded {
        return Ok(refuse(
            OAuthErrorCode::InvalidRequest,
            "send the request as application/x-www-form-urlencoded",
        ));
    }
    let body = read_body(payload, state.config.max_body_bytes).await?;
    // §3.2: the grant's own parameters must not repeat; unknown ones are ignored.
    const OWN: [&str; 4] = ["grant_type", "client_id", "client_secret", "scope"];
    let mut names = std::collections::HashSet::new();
    let own = form_urlencoded::parse(&body).filter(|(k, _)| OWN.contains(&k.as_ref()));
    if !own.into_iter().all(|(k, _)| names.insert(k.into_owned())) {
        return Ok(refuse(OAuthErrorCode::InvalidRequest, "a parameter is repeated"));
    }
    let Ok(form) = serde_urlencoded::from_bytes::<TokenRequest>(&body) else {
        return Ok(refuse(OAuthErrorCode::InvalidRequest, "the form cannot be read"));
    };
    // RFC 6749 §3.2: a parameter sent without a value counts as omitted.
    let present = |v: Option<String>| v.filter(|s| !s.is_empty());
    match present(form.grant_type).as_deref() {
        None => return Ok(refuse(OAuthErrorCode::InvalidRequest, "grant_type is required")),
        Some(g) if g == GrantType::ClientCredentials.as_str() => {}
        Some(_) => {
            return Ok(refuse(
                OAuthErrorCode::UnsupportedGrantType,
                "only client_credentials is supported",
            ))
        }
    }
    let (body_id, body_secret) = (present(form.client_id), present(form.client_secret));
    let (client_id, secret) = match basic_credentials(&req) {
        Some(Err(())) => return Ok(refuse(OAuthErrorCode::InvalidClient, "malformed Basic credentials")),
        // §3.2.1: a client may name itself in the body too, but authenticates one way only.
        Some(Ok((id, secret))) => {
            if body_secret.is_some() || body_id.as_ref().is_some_and(|b| *b != id) {
                return Ok(refuse(
                    OAuthErrorCode::InvalidRequest,
                    "use HTTP Basic or body credentials, not both",
                ));
            }
            (id, secret)
        }
        None => match (body_id, body_secret) {
            (Some(id), Some(secret)) => (id, secret),
            _ => {
                return Ok(refuse(
                    OAuthErrorCode::InvalidClient,
                    "client authentication is required",
                ))
            }
        },
    };
    let Ok(id) = Uuid::try_parse(client_id.trim()) else {
        return Ok(refuse(OAuthErrorCode::InvalidClient, "unknown client or wrong secret"));
    };
    let client = state
        .db(move |s| -> Result<_, StoreError> {
            let client = s
                .api_client(id)?
                .filter(|c| c.may_act() && secrets::matches(&secret, &c.secret_hash));
            if let Some(c) = &client {
                s.api_client_used(c)?;
            }
            Ok(client)
        })
        .await?;
    let Some(client) = client else {
        return Ok(refuse(OAuthErrorCode::InvalidClient, "unknown client or wrong secret"));
    };
    grant(&state, &client)
}

fn grant(state: &AppState, client: &ApiClient) -> Result<HttpResponse, ApiError> {
    let ttl = state.config.access_token_ttl_secs;
    let token = access_token(
        &state.keys,
        &state.config.issuer(),
        client.id,
        PrincipalKind::ApiClient,
        ttl,
    )
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenResponse {
            access_token: token,
            token_type: "Bearer".into(),
            expires_in: ttl,
            scope: client.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" "),
        }))
}
