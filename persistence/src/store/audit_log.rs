//! The audit log: lists, the chain check, and a count for tests.

use domain::TreePath;
use uuid::Uuid;

use super::Store;
use crate::audit::{self, AuditEvent, AuditFilter, ChainReport};
use crate::error::StoreError;

impl Store {
    /// Audit events about organisations in `root`'s subtree (by the path each
    /// organisation had when the event was written), oldest first, after `after`.
    pub fn audit_events(
        &self,
        root: &TreePath,
        filter: &AuditFilter,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        self.read(|c| audit::page(c, root, filter, after, limit))
    }

    /// Walks the chain in `seq` order, `batch` events per query, and stops at the
    /// first event that does not link.
    pub fn verify_audit_chain(&self, batch: i64) -> Result<ChainReport, StoreError> {
        self.read(|c| audit::verify_chain(c, batch))
    }

    /// Counts audit events about `target` (tests check that every change wrote one).
    pub fn audit_event_count(&self, target: Uuid) -> Result<i64, StoreError> {
        self.read(|c| audit::event_count(c, target))
    }
}
