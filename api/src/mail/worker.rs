//! The delivery worker `serve` starts: a thread that drains the outbox.
//!
//! Each pass claims due mails (leasing them for [`LEASE`], which also counts an
//! attempt), hands each to the transport and marks it sent only once the server
//! accepted it. A refused mail waits [`backoff`] before its next attempt. If the
//! process dies between sending and marking, the lease runs out and the mail goes
//! again: delivery is at least once, and nothing queued is ever lost. Several
//! replicas can run workers at once; a lease keeps a mail to one of them.
//!
//! Logs name a mail by id and kind only: never its body, which may carry a token.

use std::time::Duration as StdDuration;

use chrono::Duration;
use lettre::message::Mailbox;
use persistence::{Store, StoreError};

use super::Transport;
use crate::background::{self, Background};
use crate::clock::Clock;
use crate::config::Config;

/// How long a claimed mail is reserved for the worker that claimed it.
pub const LEASE: Duration = Duration::seconds(120);
/// Mails per claim.
pub const BATCH: i64 = 20;
/// Pause between passes when the outbox had nothing due.
pub const POLL: StdDuration = StdDuration::from_millis(1000);

/// Wait before the next attempt, after `attempts` attempts: 30 s, doubling, at most an hour.
pub fn backoff(attempts: i64) -> Duration {
    let doublings = attempts.clamp(1, 8) - 1;
    Duration::seconds((30_i64 << doublings).min(3600))
}

/// The transport and the sender address.
#[derive(Debug)]
pub struct Mailer {
    pub transport: Transport,
    pub from: Mailbox,
}

impl Mailer {
    pub fn new(transport: Transport, from: &str) -> anyhow::Result<Self> {
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("MAIL_FROM `{from}` is not a mailbox: {e}"))?;
        Ok(Self { transport, from })
    }

    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        Self::new(Transport::from_config(config)?, &config.mail_from)
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub failed: usize,
}

/// One pass: claim what is due at the clock's now, deliver, record each outcome.
pub fn run_once(store: &Store, mailer: &Mailer, clock: &Clock) -> Result<Pass, StoreError> {
    let now = clock.now();
    let due = store.claim_due_mails(now, now + LEASE, BATCH)?;
    let mut pass = Pass::default();
    for mail in due {
        match mailer.transport.deliver(&mailer.from, &mail) {
            Ok(()) => {
                store.mark_mail_sent(mail.id, clock.now())?;
                tracing::info!(mail = %mail.id, kind = mail.kind.as_str(), attempts = mail.attempts, "mail delivered");
                pass.sent += 1;
            }
            Err(error) => {
                let retry_at = clock.now() + backoff(mail.attempts);
                store.mark_mail_failed(mail.id, &error, retry_at)?;
                tracing::warn!(
                    mail = %mail.id,
                    kind = mail.kind.as_str(),
                    attempts = mail.attempts,
                    %retry_at,
                    %error,
                    "mail not delivered; will retry"
                );
                pass.failed += 1;
            }
        }
    }
    Ok(pass)
}

/// Starts the worker thread.
pub fn spawn(store: Store, mailer: Mailer, clock: Clock) -> std::io::Result<Background> {
    tracing::info!("mail worker started: {}", mailer.transport.describe());
    background::spawn("mail worker", POLL, move |_| match run_once(&store, &mailer, &clock) {
        Ok(pass) => pass.sent + pass.failed >= BATCH as usize,
        Err(e) => {
            crate::background::round_failed("mail worker cannot reach the outbox", &e);
            false
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_half_a_minute_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(3), Duration::seconds(120));
        assert_eq!(backoff(7), Duration::seconds(1920));
        assert_eq!(backoff(8), Duration::seconds(3600));
        assert_eq!(backoff(1000), Duration::seconds(3600));
        assert_eq!(backoff(0), Duration::seconds(30));
    }
}
