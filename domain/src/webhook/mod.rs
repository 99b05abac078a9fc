//! Webhooks: what an endpoint subscribes to, where it may point, how deliveries
//! are signed and when they are retried. The api crate does the I/O (DNS, HTTP,
//! randomness); every decision is here.

mod address;
mod description;
mod events;
mod retry;
mod signature;

pub use address::{is_public_ip, WebhookUrl, MAX_URL_LEN};
pub use description::{parse_description, MAX_DESCRIPTION_LEN};
pub use events::{EventTypes, MAX_EVENT_TYPES, PING};
pub use retry::{
    failing_since_after, next_attempt, prunable_before, retry_delay, should_disable, DeliveryStatus, RETENTION,
    RETRY_WINDOW,
};
pub use signature::{signature_header, SecretError, WebhookSecret, PREVIOUS_SECRET_GRACE};
