//! Webhooks: endpoints and their secrets ([`endpoints`]), the events the
//! dispatcher derives from the sealed audit log ([`dispatch`]), and the
//! deliveries the workers lease, send and record ([`deliveries`]).

pub(crate) mod deliveries;
pub(crate) mod dispatch;
pub(crate) mod endpoints;

pub use deliveries::{AttemptOutcome, ClaimedDelivery, Delivery, NewDelivery};
pub use dispatch::{DispatchBatch, DispatchedEvent, SealedEvent};
pub use endpoints::{NewWebhookEndpoint, WebhookEndpoint, WebhookEndpointPatch};
