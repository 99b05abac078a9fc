//! Billing: runs, invoices and their status.

use chrono::{DateTime, Utc};
use domain::{InvoiceChange, Period, TreePath};
use uuid::Uuid;

use super::Store;
use crate::audit::AuditEntry;
use crate::billing::{self, BillingRun, BillingTotal, Invoice, InvoiceFilter, InvoiceLine, RunClaim, RunStep};
use crate::error::StoreError;
use crate::time::naive;

impl Store {
    /// Queues a billing run for `period` over the subtree of `root_id` (in the
    /// caller's `scope`) and audits its start; 409 `billing_run_active` while
    /// another run for the organisation and period is queued or running. A
    /// worker bills it later ([`Store::claim_billing_run`], [`Store::billing_run_step`]).
    pub fn start_billing_run(
        &self,
        scope: &TreePath,
        root_id: Uuid,
        period: Period,
        who: &AuditEntry,
    ) -> Result<BillingRun, StoreError> {
        // Counted outside the write transaction: it only feeds the progress.
        let total = self.read(|c| billing::customers_under(c, root_id))?;
        self.change(|c| billing::enqueue(c, scope, root_id, period, total, who))
    }

    /// A billing run by id, with its organisation's current path.
    pub fn billing_run(&self, id: Uuid) -> Result<Option<BillingRun>, StoreError> {
        self.read(|c| billing::get(c, id))
    }

    /// Leases the oldest queued run (or one whose lease ran out) until `lease_until`.
    pub fn claim_billing_run(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<RunClaim>, StoreError> {
        self.change(|c| billing::claim(c, naive(now), naive(lease_until)))
    }

    /// Bills the next `batch` customers of a claimed run in one short write
    /// transaction (the batch's customers locked `FOR SHARE`, so no move interleaves with it) that
    /// also advances the run's cursor and renews its lease; finishes the run when
    /// none is left.
    pub fn billing_run_step(
        &self,
        claim: &RunClaim,
        lease_until: DateTime<Utc>,
        batch: i64,
    ) -> Result<RunStep, StoreError> {
        self.change(|c| billing::step(c, claim, naive(lease_until), batch))
    }

    /// Ends a claimed run as failed (false if the claim was lost meanwhile).
    pub fn fail_billing_run(&self, claim: &RunClaim, error: &str) -> Result<bool, StoreError> {
        self.change(|c| billing::fail(c, claim, error))
    }

    /// Gives a claimed run back so that the next claim resumes it at once.
    pub fn release_billing_run(&self, claim: &RunClaim) -> Result<(), StoreError> {
        self.change(|c| billing::release(c, claim))
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
