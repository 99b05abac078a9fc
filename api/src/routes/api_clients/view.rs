//! JSON shapes of API clients. The secret appears in exactly two answers: the
//! create and the rotation.

use chrono::{DateTime, Utc};
use domain::Role;
use persistence::{ApiClient, ApiClientStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientStatus {
    Active,
    Revoked,
}

/// A credential of a PSA integration (its secret is never shown again).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c",
    "client_id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c",
    "home_organization_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c",
    "name": "ConnectWise sync",
    "roles": ["viewer"],
    "status": "active",
    "last_used_at": null,
    "created_at": "2026-11-23T10:00:00Z",
    "updated_at": "2026-11-23T10:00:00Z"
}))]
pub struct ApiClientView {
    pub id: Uuid,
    /// The `client_id` of the OAuth2 client-credentials grant (the same as `id`).
    pub client_id: String,
    /// The client acts in this organisation's subtree.
    pub home_organization_id: Uuid,
    pub name: String,
    pub roles: Vec<Role>,
    pub status: ClientStatus,
    /// The last time the client obtained a token.
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ApiClient> for ApiClientView {
    fn from(c: ApiClient) -> Self {
        Self {
            id: c.id,
            client_id: c.id.to_string(),
            home_organization_id: c.home_organization_id,
            name: c.name,
            roles: c.roles.iter().collect(),
            status: match c.status {
                ApiClientStatus::Active => ClientStatus::Active,
                ApiClientStatus::Revoked => ClientStatus::Revoked,
            },
            last_used_at: c.last_used_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// An API client with its secret: shown once, store it now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiClientWithSecret {
    #[serde(flatten)]
    pub client: ApiClientView,
    /// Shown only in this answer; only a hash is kept.
    #[schema(example = "pps_N2QxZjY3ZWQtOWMxNi00YjU0LWE2ZDctN2E3ZjM1MzM")]
    pub client_secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiClientPage {
    pub items: Vec<ApiClientView>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Create an API client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "ConnectWise sync", "roles": ["viewer"]}))]
pub struct CreateApiClient {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    #[schema(min_items = 1)]
    pub roles: Vec<Role>,
}
