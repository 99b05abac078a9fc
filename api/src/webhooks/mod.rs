//! Webhooks behind the endpoints: the [`dispatcher`] turns sealed audit events
//! into webhook events and deliveries, the [`worker`] leases due deliveries and
//! has the [`sender`] make the signed HTTP calls, [`address`] keeps every
//! call on public addresses, and the [`pruner`] drops old history. See docs/ARCHITECTURE.md, "Webhooks".

pub mod address;
pub mod dispatcher;
pub mod payload;
pub mod pruner;
pub mod sender;
pub mod spec;
pub mod worker;

use domain::WebhookSecret;
use rand::RngCore;

/// Connections of the dispatcher and the delivery worker, a pool of their own,
/// so a burst of deliveries never takes the connections requests need.
pub const POOL_SIZE: u32 = 4;

/// A new signing secret of 32 random bytes.
pub fn new_secret() -> WebhookSecret {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    WebhookSecret::from_random(bytes)
}
