//! The audit log: lists, sealing, the chain check, and a count for tests.

use std::time::{Duration, Instant};

use domain::TreePath;
use uuid::Uuid;

use super::Store;
use crate::audit::{self, AuditEvent, AuditFilter, ChainReport, SealRound};
use crate::error::StoreError;

/// Events sealed per statement.
const SEAL_BATCH: i64 = 1_000;
/// How long a reader waits for another process's sealer before reading what is sealed.
const SEAL_WAIT: Duration = Duration::from_secs(2);

impl Store {
    /// Audit events about organisations in `root`'s subtree (by the path each
    /// organisation had when the event was written), oldest first, after `after`.
    /// The first page seals what is sealable first, so a change is in the log
    /// as soon as its request has answered.
    pub fn audit_events(
        &self,
        root: &TreePath,
        filter: &AuditFilter,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        if after.is_none() {
            self.seal_audit_backlog()?;
        }
        self.read(|c| audit::page(c, root, filter, after, limit))
    }

    /// One round of the background sealer: seals until nothing sealable is left
    /// or another process's sealer holds the lock.
    pub fn seal_audit_events(&self) -> Result<SealRound, StoreError> {
        let mut sealed = 0;
        loop {
            match self.read(|c| audit::seal_round(c, SEAL_BATCH))? {
                SealRound::Sealed(n) if n as i64 == SEAL_BATCH => sealed += n,
                SealRound::Sealed(n) => return Ok(SealRound::Sealed(sealed + n)),
                SealRound::Busy if sealed > 0 => return Ok(SealRound::Sealed(sealed)),
                SealRound::Busy => return Ok(SealRound::Busy),
            }
        }
    }

    /// Seals (or waits, at most a couple of seconds, for the sealer that holds
    /// the lock to seal) every event committed before this call, so a read that
    /// follows sees them. Transactions still running when the call starts can
    /// hold it up to that bound; then the read shows what is sealed.
    pub fn seal_audit_backlog(&self) -> Result<(), StoreError> {
        let before = self.read(audit::next_xact_id)?;
        let deadline = Instant::now() + SEAL_WAIT;
        loop {
            if let SealRound::Busy = self.seal_audit_events()? {
                std::thread::sleep(Duration::from_millis(5));
            }
            if !self.read(|c| audit::unsealed_before(c, before))? || Instant::now() >= deadline {
                return Ok(());
            }
        }
    }

    /// Seals what is sealable, then walks the chain in `seq` order, `batch`
    /// events per query, and stops at the first event that does not link.
    pub fn verify_audit_chain(&self, batch: i64) -> Result<ChainReport, StoreError> {
        self.seal_audit_backlog()?;
        self.read(|c| audit::verify_chain(c, batch))
    }

    /// Counts audit events about `target`, sealed or not (tests check that every
    /// change wrote one).
    pub fn audit_event_count(&self, target: Uuid) -> Result<i64, StoreError> {
        self.read(|c| audit::event_count(c, target))
    }
}
