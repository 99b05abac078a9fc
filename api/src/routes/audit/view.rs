//! JSON shape of an audit event.

use chrono::{DateTime, Utc};
use persistence::AuditEvent;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// One change, who made it, and its place in the tamper-evident hash chain.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c",
    "seq": 42,
    "occurred_at": "2026-11-23T10:00:00Z",
    "actor_type": "operator",
    "actor_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c",
    "impersonator_id": null,
    "organization_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6d",
    "action": "organization.moved",
    "target_type": "organization",
    "target_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6d",
    "details": {"from_parent_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b60", "to_parent_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b61"},
    "hash": "9f2c5e0d3b1a4c6e8f7a9b0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6",
    "prev_hash": "1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3"
}))]
pub struct AuditEventView {
    pub id: Uuid,
    /// Position in the hash chain; null for events written before the chain existed.
    pub seq: Option<i64>,
    pub occurred_at: DateTime<Utc>,
    /// `operator`, `api_client` or `system`.
    pub actor_type: String,
    /// The operator's or API client's id; `system` for the system.
    pub actor_id: String,
    /// The provider operator acting as a customer user, if any.
    pub impersonator_id: Option<String>,
    /// The organisation the target belongs to.
    pub organization_id: Uuid,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    /// What changed.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// Hex SHA-256 over the event's content and `prev_hash`.
    pub hash: Option<String>,
    /// The previous event's hash (empty for the first chained event).
    pub prev_hash: Option<String>,
}

impl From<AuditEvent> for AuditEventView {
    fn from(e: AuditEvent) -> Self {
        Self {
            id: e.id,
            seq: e.seq,
            occurred_at: e.occurred_at,
            actor_type: e.actor_type,
            actor_id: e.actor_id,
            impersonator_id: e.impersonator_id,
            organization_id: e.organization_id,
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            details: e.details,
            hash: e.hash,
            prev_hash: e.prev_hash,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventPage {
    pub items: Vec<AuditEventView>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}
