//! Audit events, written by every change inside its own transaction.

use diesel::{ExpressionMethods, RunQueryDsl};
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

pub(crate) fn record(conn: &mut DbConn, who: &AuditEntry, event: Event<'_>) -> Result<(), StoreError> {
    let (actor_type, actor_id) = who.actor.parts();
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::id.eq(Uuid::now_v7().to_string()),
            audit_events::occurred_at.eq(now()),
            audit_events::actor_type.eq(actor_type),
            audit_events::actor_id.eq(actor_id),
            audit_events::impersonator_id.eq(who.impersonator.map(|i| i.to_string())),
            audit_events::organization_id.eq(event.organization_id.to_string()),
            audit_events::action.eq(event.action),
            audit_events::target_type.eq(event.target_type),
            audit_events::target_id.eq(event.target_id.to_string()),
            audit_events::details.eq(event.details.to_string()),
        ))
        .execute(conn)?;
    Ok(())
}
