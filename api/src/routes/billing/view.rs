//! JSON shapes of billing.

use chrono::{DateTime, Utc};
use domain::{BillingRunStatus, InvoiceStatus};
use persistence::{BillingRun, BillingTotal, Invoice, InvoiceLine};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Start a billing run.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"period": "2026-11"}))]
pub struct BillingRunRequest {
    /// The month to bill, `YYYY-MM`.
    #[schema(pattern = "^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$")]
    pub period: String,
}

/// A billing run: queued by `POST /v1/organizations/{id}/billing-runs`, then
/// worked in the background a batch of customers at a time.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c",
    "organization_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c",
    "period": "2026-11",
    "status": "running",
    "customers_done": 2000,
    "customers_total": 5120,
    "invoices_created": 1990,
    "invoices_recomputed": 10,
    "invoices_removed": 0,
    "invoices_unchanged": 0,
    "created_at": "2026-12-01T00:05:00Z",
    "started_at": "2026-12-01T00:05:01Z",
    "finished_at": null,
    "error": null
}))]
pub struct BillingRunView {
    pub id: Uuid,
    /// The organisation whose subtree is billed.
    pub organization_id: Uuid,
    /// `YYYY-MM`.
    pub period: String,
    pub status: BillingRunStatus,
    /// Customers billed so far.
    pub customers_done: i64,
    /// Customers in the subtree when the run was queued.
    pub customers_total: i64,
    /// New draft invoices.
    pub invoices_created: i64,
    /// Existing drafts recomputed from the current seat history.
    pub invoices_recomputed: i64,
    /// Drafts deleted because nothing is left to bill for their customer and currency.
    pub invoices_removed: i64,
    /// Issued, paid or void invoices of the period, left unchanged.
    pub invoices_unchanged: i64,
    pub created_at: DateTime<Utc>,
    /// When a worker first claimed the run.
    pub started_at: Option<DateTime<Utc>>,
    /// When it succeeded or failed.
    pub finished_at: Option<DateTime<Utc>>,
    /// Why it failed.
    pub error: Option<String>,
}

impl From<BillingRun> for BillingRunView {
    fn from(r: BillingRun) -> Self {
        Self {
            id: r.id,
            organization_id: r.organization_id,
            period: r.period,
            status: r.status,
            customers_done: r.customers_done,
            customers_total: r.customers_total,
            invoices_created: r.tally.created,
            invoices_recomputed: r.tally.recomputed,
            invoices_removed: r.tally.removed,
            invoices_unchanged: r.tally.unchanged,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            error: r.error,
        }
    }
}

/// One customer's bill for one month and currency.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c",
    "customer_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c",
    "period": "2026-11",
    "currency": "NZD",
    "status": "draft",
    "total_minor": 25950,
    "version": 1,
    "created_at": "2026-12-01T00:05:00Z",
    "updated_at": "2026-12-01T00:05:00Z",
    "issued_at": null,
    "paid_at": null,
    "voided_at": null
}))]
pub struct InvoiceView {
    pub id: Uuid,
    pub customer_id: Uuid,
    /// `YYYY-MM`.
    pub period: String,
    pub currency: String,
    pub status: InvoiceStatus,
    /// Sum of the lines' amounts, integer minor units.
    pub total_minor: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub issued_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub voided_at: Option<DateTime<Utc>>,
}

impl From<Invoice> for InvoiceView {
    fn from(i: Invoice) -> Self {
        Self {
            id: i.id,
            customer_id: i.customer_id,
            period: i.period,
            currency: i.currency,
            status: i.status,
            total_minor: i.total_minor,
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
            issued_at: i.issued_at,
            paid_at: i.paid_at,
            voided_at: i.voided_at,
        }
    }
}

/// One subscription's charge: `amount_minor = round_half_even(unit_price_minor ×
/// seat_days / days_in_period)`.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceLineView {
    pub id: String,
    pub subscription_id: String,
    pub sku: String,
    pub description: String,
    /// `monthly` or `annual` (annual subscriptions bill in their anniversary month).
    pub billing_cycle: String,
    /// Seats in force at the end of each day, summed over the period.
    pub seat_days: i64,
    pub days_in_period: i64,
    pub unit_price_minor: i64,
    pub amount_minor: i64,
}

impl From<InvoiceLine> for InvoiceLineView {
    fn from(l: InvoiceLine) -> Self {
        Self {
            id: l.id,
            subscription_id: l.subscription_id,
            sku: l.sku,
            description: l.description,
            billing_cycle: l.billing_cycle,
            seat_days: l.seat_days,
            days_in_period: l.days_in_period,
            unit_price_minor: l.unit_price_minor,
            amount_minor: l.amount_minor,
        }
    }
}

/// An invoice with its lines.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceDetail {
    #[serde(flatten)]
    pub invoice: InvoiceView,
    pub lines: Vec<InvoiceLineView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoicePage {
    pub items: Vec<InvoiceView>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Totals of one period and currency; void invoices are left out.
#[derive(Debug, Serialize, ToSchema)]
pub struct BillingTotalView {
    pub period: String,
    pub currency: String,
    pub invoices: i64,
    pub total_minor: i64,
}

impl From<BillingTotal> for BillingTotalView {
    fn from(t: BillingTotal) -> Self {
        Self {
            period: t.period,
            currency: t.currency,
            invoices: t.invoices,
            total_minor: t.total_minor,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BillingHistory {
    /// Newest period first.
    pub items: Vec<BillingTotalView>,
}
