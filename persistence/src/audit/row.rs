//! An audit event as stored, and what its hash covers.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::AuditAction;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{AuditEntry, AuditEvent, Event};
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::schema::audit_events;
use crate::time::{now, utc};

/// An audit event as stored, and read back by the audit log and the chain check.
/// `xact_id` is left to the column default (PostgreSQL) and never read back.
#[derive(Insertable, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub(crate) struct AuditRow {
    pub(crate) id: String,
    pub(crate) occurred_at: NaiveDateTime,
    pub(crate) actor_type: String,
    pub(crate) actor_id: String,
    pub(crate) impersonator_id: Option<String>,
    pub(crate) organization_id: String,
    pub(crate) action: String,
    pub(crate) target_type: String,
    pub(crate) target_id: String,
    pub(crate) details: String,
    pub(crate) seq: Option<i64>,
    pub(crate) hash: Option<String>,
    pub(crate) prev_hash: Option<String>,
    pub(crate) organization_path: String,
}

impl AuditRow {
    pub(crate) fn new(
        who: &AuditEntry,
        organization_id: Uuid,
        action: AuditAction,
        target_type: &str,
        target_id: Uuid,
        details: serde_json::Value,
    ) -> Self {
        let (actor_type, actor_id) = who.actor.parts();
        Self {
            id: Uuid::now_v7().to_string(),
            occurred_at: now(),
            actor_type: actor_type.to_string(),
            actor_id,
            impersonator_id: who.impersonator.map(|i| i.to_string()),
            organization_id: organization_id.to_string(),
            action: action.as_str().to_string(),
            target_type: target_type.to_string(),
            target_id: target_id.to_string(),
            details: details.to_string(),
            seq: None,
            hash: None,
            prev_hash: None,
            organization_path: String::new(),
        }
    }

    pub(crate) fn from_event(who: &AuditEntry, event: Event<'_>) -> Self {
        Self::new(
            who,
            event.organization_id,
            event.action,
            event.target_type,
            event.target_id,
            event.details,
        )
    }

    pub(crate) fn content(&self, seq: i64) -> Content<'_> {
        Content {
            seq,
            id: &self.id,
            occurred_at: self.occurred_at,
            actor_type: &self.actor_type,
            actor_id: &self.actor_id,
            impersonator_id: self.impersonator_id.as_deref(),
            organization_id: &self.organization_id,
            organization_path: &self.organization_path,
            action: &self.action,
            target_type: &self.target_type,
            target_id: &self.target_id,
            details: &self.details,
        }
    }
}

/// What an event's hash covers, besides the previous hash.
pub(crate) struct Content<'a> {
    pub seq: i64,
    pub id: &'a str,
    pub occurred_at: NaiveDateTime,
    pub actor_type: &'a str,
    pub actor_id: &'a str,
    pub impersonator_id: Option<&'a str>,
    pub organization_id: &'a str,
    pub organization_path: &'a str,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: &'a str,
    pub details: &'a str,
}

impl Content<'_> {
    /// Hex SHA-256 of the canonical form: a JSON array of every field in a fixed
    /// order (timestamps as `YYYY-MM-DDTHH:MM:SS.ffffff`), then the previous hash.
    pub(crate) fn chain_hash(&self, prev_hash: &str) -> String {
        let canonical = serde_json::json!([
            self.seq,
            self.id,
            self.occurred_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
            self.actor_type,
            self.actor_id,
            self.impersonator_id,
            self.organization_id,
            self.organization_path,
            self.action,
            self.target_type,
            self.target_id,
            self.details,
            prev_hash,
        ])
        .to_string();
        let digest = Sha256::digest(canonical.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl AuditRow {
    pub(crate) fn into_model(self) -> Result<AuditEvent, StoreError> {
        Ok(AuditEvent {
            id: parse_uuid(&self.id)?,
            seq: self.seq,
            occurred_at: utc(self.occurred_at),
            actor_type: self.actor_type,
            actor_id: self.actor_id,
            impersonator_id: self.impersonator_id,
            organization_id: parse_uuid(&self.organization_id)?,
            action: self.action,
            target_type: self.target_type,
            target_id: self.target_id,
            details: serde_json::from_str(&self.details)
                .map_err(|e| StoreError::Corrupt(format!("audit details of `{}`: {e}", self.id)))?,
            hash: self.hash,
            prev_hash: self.prev_hash,
        })
    }
}
