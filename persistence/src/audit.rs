//! Audit events, written by every change inside its own transaction.

use diesel::{Insertable, RunQueryDsl};
use uuid::Uuid;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::audit_events;
use crate::store::now;

/// Who did it: an operator, an API client, or the system itself (bootstrap, seed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Operator(Uuid),
    ApiClient(Uuid),
    System,
}

impl Actor {
    fn parts(self) -> (&'static str, String) {
        match self {
            Actor::Operator(id) => ("operator", id.to_string()),
            Actor::ApiClient(id) => ("api_client", id.to_string()),
            Actor::System => ("system", "system".to_string()),
        }
    }
}

/// The caller's side of an audit event; the store fills in the target.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub actor: Actor,
    pub impersonator: Option<Uuid>,
}

impl AuditEntry {
    pub fn by(actor: Actor) -> Self {
        Self {
            actor,
            impersonator: None,
        }
    }
}

/// One event about a target in an organisation.
pub(crate) struct Event<'a> {
    pub organization_id: Uuid,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Uuid,
    pub details: serde_json::Value,
}

/// An audit event as stored; multi-row inserts use it directly.
#[derive(Insertable)]
#[diesel(table_name = audit_events)]
pub(crate) struct AuditRow {
    id: String,
    occurred_at: chrono::NaiveDateTime,
    actor_type: String,
    actor_id: String,
    impersonator_id: Option<String>,
    organization_id: String,
    action: String,
    target_type: String,
    target_id: String,
    details: String,
}

impl AuditRow {
    pub(crate) fn new(
        who: &AuditEntry,
        organization_id: Uuid,
        action: &str,
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
            action: action.to_string(),
            target_type: target_type.to_string(),
            target_id: target_id.to_string(),
            details: details.to_string(),
        }
    }
}

pub(crate) fn record(conn: &mut DbConn, who: &AuditEntry, event: Event<'_>) -> Result<(), StoreError> {
    let row = AuditRow::new(
        who,
        event.organization_id,
        event.action,
        event.target_type,
        event.target_id,
        event.details,
    );
    diesel::insert_into(audit_events::table).values(&row).execute(conn)?;
    Ok(())
}
