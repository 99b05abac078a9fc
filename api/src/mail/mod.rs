//! Outgoing mail: what the portal's mails say ([`compose`]), how they leave
//! ([`Transport`]: SMTP, or `.eml` files in a folder when no SMTP server is
//! configured), and the [`worker`] in `serve` that drains the outbox.

pub mod compose;
mod transport;
pub mod worker;

pub use transport::Transport;
