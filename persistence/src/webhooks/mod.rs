//! Webhooks: endpoints and their secrets ([`endpoints`]), the events the
//! dispatcher derives from the sealed audit log ([`dispatch`]), and the
//! deliveries the workers lease, send and record ([`deliveries`]).

pub(crate) mod deliveries;
pub(crate) mod dispatch;
pub(crate) mod endpoints;

pub use deliveries::{AttemptOutcome, ClaimedDelivery, Delivery, DeliveryAttempt, NewDelivery};
pub use dispatch::{DispatchBatch, DispatchedEvent, SealedEvent};
pub use endpoints::{NewWebhookEndpoint, WebhookEndpoint, WebhookEndpointPatch};

/// Webhook bookkeeping commits without waiting for the WAL flush (PostgreSQL):
/// a crash can lose only the last few claims, outcomes or dispatched batches,
/// and each loss is repaired by what already guarantees "at least once" (an
/// unrecorded outcome is a lease that runs out, a lost batch is dispatched
/// again), so changes' own commits are not slowed by webhook fsyncs.
pub(crate) fn relaxed_commit(conn: &mut crate::connection::DbConn) -> Result<(), crate::error::StoreError> {
    use diesel::RunQueryDsl;
    if let crate::connection::DbConn::Pg(c) = conn {
        diesel::sql_query("SET LOCAL synchronous_commit = off").execute(c)?;
    }
    Ok(())
}
