//! Audit events: written by every change inside its own transaction, read back
//! as the audit log, and checked as a hash chain.
//!
//! The log is a hash chain: every event gets the next `seq` and
//! `hash = SHA-256(canonical content ‖ prev_hash)`, where `prev_hash` is the hash
//! of the event with the previous `seq` (the empty string for the first). On
//! PostgreSQL appends take no lock: events are inserted unsealed and one sealer
//! at a time chains them after commit ([`sealer`]), so the chain never forks and
//! writers never queue on it. On SQLite writers already hold the database lock
//! (`BEGIN IMMEDIATE`), so events are chained as they are inserted. There is no
//! update or delete path besides sealing.

mod append;
mod read;
mod row;
mod sealer;
mod verify;

use domain::AuditAction;
use uuid::Uuid;

pub(crate) use append::{append, fill_paths, record, record_at};
pub(crate) use read::{event_count, page};
pub use read::{AuditEvent, AuditFilter};
pub(crate) use row::AuditRow;
pub use sealer::SealRound;
pub(crate) use sealer::{next_xact_id, seal_round, unsealed_before};
pub(crate) use verify::verify_chain;
pub use verify::{BrokenLink, ChainReport};

/// Who did it: an operator, an API client, or the system itself (bootstrap, seed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Operator(Uuid),
    ApiClient(Uuid),
    System,
}

impl Actor {
    pub(crate) fn parts(self) -> (&'static str, String) {
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
    pub action: AuditAction,
    pub target_type: &'a str,
    pub target_id: Uuid,
    pub details: serde_json::Value,
}

/// The chain's last sealed event: its `seq` and hash.
#[derive(diesel::QueryableByName)]
pub(crate) struct Tail {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    seq: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    hash: String,
}

/// Chains `rows`, in order, after the chain's current tail. The caller holds
/// what keeps the tail still: the sealing lock (PostgreSQL) or the database
/// lock of its write transaction (SQLite).
pub(crate) fn chain_after_tail<C>(c: &mut C, rows: &mut [AuditRow]) -> Result<(), crate::error::StoreError>
where
    C: diesel::connection::LoadConnection,
    for<'a> diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'a, C, Tail>,
{
    use diesel::{OptionalExtension, RunQueryDsl};
    let tail: Option<Tail> = diesel::sql_query(
        "SELECT seq, COALESCE(hash, '') AS hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
    )
    .get_result(c)
    .optional()?;
    let (seq, prev) = tail.map_or((0, String::new()), |t| (t.seq, t.hash));
    chain(rows, seq, prev);
    Ok(())
}

/// Gives `rows`, in order, the chain fields that follow the event with `seq` and hash `prev`.
fn chain(rows: &mut [AuditRow], mut seq: i64, mut prev: String) {
    for row in rows.iter_mut() {
        seq += 1;
        let hash = row.content(seq).chain_hash(&prev);
        row.seq = Some(seq);
        row.prev_hash = Some(std::mem::replace(&mut prev, hash.clone()));
        row.hash = Some(hash);
    }
}
