//! The mail outbox: what the sender claims, sends and retries.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Store;
use crate::error::StoreError;
use crate::mail_outbox::{self, QueuedMail};
use crate::time::naive;

/// Unsent mails, for operators' gauges.
#[derive(Debug, Clone, Copy, Default)]
pub struct MailBacklog {
    pub depth: i64,
    /// When the oldest unsent mail was queued.
    pub oldest: Option<DateTime<Utc>>,
}

impl Store {
    /// How many mails wait to be sent, and since when the oldest.
    pub fn mail_backlog(&self) -> Result<MailBacklog, StoreError> {
        let (depth, oldest) = self.read(mail_outbox::backlog)?;
        Ok(MailBacklog {
            depth,
            oldest: oldest.map(|t| t.and_utc()),
        })
    }

    /// Leases up to `limit` due mails until `lease_until` and returns them; each
    /// claim counts as an attempt. With nothing due it only reads.
    pub fn claim_due_mails(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<QueuedMail>, StoreError> {
        if !self.read(|c| mail_outbox::any_due(c, naive(now)))? {
            return Ok(Vec::new());
        }
        self.change(|c| mail_outbox::claim(c, naive(now), naive(lease_until), limit))
    }

    /// Records that the server accepted the mail (false if it already was).
    pub fn mark_mail_sent(&self, id: Uuid, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.change(|c| mail_outbox::mark_sent(c, id, naive(now)))
    }

    /// Records a failed attempt and when to retry.
    pub fn mark_mail_failed(&self, id: Uuid, error: &str, retry_at: DateTime<Utc>) -> Result<(), StoreError> {
        self.change(|c| mail_outbox::mark_failed(c, id, error, naive(retry_at)))
    }

    /// The outbox, oldest first; only the mails to `recipient` when given.
    pub fn mail_outbox(&self, recipient: Option<&str>) -> Result<Vec<QueuedMail>, StoreError> {
        self.read(|c| mail_outbox::list(c, recipient))
    }
}
