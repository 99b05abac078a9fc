//! What the service catalogue and launches look like.

use chrono::{DateTime, Utc};
use persistence::Service;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A service customers can have provisioned.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"key": "call-manager", "name": "Call Manager", "launch_url": "https://callmanager.example/launch", "regions": ["eu-west", "us-east"], "created_at": "2026-12-03T10:00:00Z", "updated_at": "2026-12-03T10:00:00Z"}))]
pub struct ServiceView {
    pub key: String,
    pub name: String,
    /// Where a launch sends the operator; the token follows as `#token=…`.
    pub launch_url: String,
    pub regions: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Service> for ServiceView {
    fn from(s: Service) -> Self {
        Self {
            regions: s.regions.iter().map(str::to_owned).collect(),
            key: s.key,
            name: s.name,
            launch_url: s.launch_url,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceList {
    pub items: Vec<ServiceView>,
    /// Always null: the catalogue is small and listed whole.
    pub next_cursor: Option<String>,
}

/// Add a service to the catalogue.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"key": "call-manager", "name": "Call Manager", "launch_url": "https://callmanager.example/launch", "regions": ["eu-west", "us-east"]}))]
pub struct CreateService {
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,62}$")]
    pub key: String,
    pub name: String,
    /// An `https` URL without fragment.
    pub launch_url: String,
    pub regions: Vec<String>,
}

/// Change a service; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"launch_url": "https://callmanager.example/v2/launch", "regions": ["eu-west", "us-east", "ap-southeast"]}))]
pub struct UpdateService {
    pub name: Option<String>,
    pub launch_url: Option<String>,
    /// Replaces the list. Instances in a region no longer listed keep working.
    pub regions: Option<Vec<String>>,
}

/// A launch: follow `url` within `expires_at`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"url": "https://callmanager.example/launch#token=eyJhbGciOiJFZERTQSJ9.eyJ0eXAiOiJsYXVuY2gifQ.c2ln", "expires_at": "2026-12-03T10:01:00Z"}))]
pub struct LaunchView {
    /// The service's launch URL with the token as `#token=…`.
    pub url: String,
    pub expires_at: DateTime<Utc>,
}
