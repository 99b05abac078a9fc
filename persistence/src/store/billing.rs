//! Billing: runs, invoices and their status.

use domain::{InvoiceChange, Period, TreePath};
use uuid::Uuid;

use super::Store;
use crate::audit::AuditEntry;
use crate::billing::{self, BillingRun, BillingTotal, Invoice, InvoiceFilter, InvoiceLine};
use crate::error::StoreError;

impl Store {
    /// Draft invoices for `period`, one per customer in the subtree of `root_id`
    /// and currency, with a line per subscription billed in the period. Existing
    /// drafts are recomputed (or removed when nothing is left to bill); issued,
    /// paid and void invoices never change.
    pub fn run_billing(
        &self,
        scope: &TreePath,
        root_id: Uuid,
        period: Period,
        who: &AuditEntry,
    ) -> Result<BillingRun, StoreError> {
        self.change(|c| billing::run(c, scope, root_id, period, who))
    }
}

impl Store {
    pub fn invoice(&self, id: Uuid) -> Result<Option<Invoice>, StoreError> {
        self.read(|c| billing::invoice(c, id))
    }

    /// An invoice's lines, by SKU.
    pub fn invoice_lines(&self, id: Uuid) -> Result<Vec<InvoiceLine>, StoreError> {
        self.read(|c| billing::invoice_lines(c, id))
    }

    /// Invoices in `root`'s subtree, oldest first, after the `after` id.
    pub fn invoices(
        &self,
        root: &TreePath,
        filter: &InvoiceFilter,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Invoice>, StoreError> {
        self.read(|c| billing::invoices(c, root, filter, after, limit))
    }

    /// Per period and currency, the count and total of non-void invoices in the
    /// subtree, newest period first.
    pub fn billing_history(&self, root: &TreePath) -> Result<Vec<BillingTotal>, StoreError> {
        self.read(|c| billing::billing_history(c, root))
    }

    /// draft → issued → paid, or → void (the domain rule); the lines never change.
    pub fn change_invoice_status(
        &self,
        scope: &TreePath,
        id: Uuid,
        change: InvoiceChange,
        who: &AuditEntry,
    ) -> Result<Invoice, StoreError> {
        self.change(|c| billing::change_invoice_status(c, scope, id, change, who))
    }
}
