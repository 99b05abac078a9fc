use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

/// A JSON Web Key Set (RFC 7517).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": "3f1c0a9b7e2d4c51", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}))]
pub struct JwkSet {
    pub keys: Vec<serde_json::Value>,
}

/// Token signing keys
///
/// The public keys of the tokens this API signs, so other systems (such as the
/// customer portal) can verify them.
#[utoipa::path(tag = "Platform", operation_id = "getJwks", security(()), responses((status = 200, description = "The key set", body = JwkSet)))]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(state.keys.jwks())
}
