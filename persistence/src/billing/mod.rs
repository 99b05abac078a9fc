//! Billing: runs that turn a subtree's subscriptions and seat history into draft
//! invoices, invoice states, lists, lines and totals. Invoices and lines repeat
//! the customer's path, so subtree queries are range scans of these tables.

mod invoice_records;
mod queue;
mod run;
mod schema;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use domain::{BillingRunStatus, InvoiceStatus, TreePath};
use uuid::Uuid;

use self::schema::{invoice_lines, invoices};

use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::time::utc;
pub(crate) use invoice_records::{billing_history, change_invoice_status, invoice, invoice_lines, invoices};
pub(crate) use queue::{claim, customers_under, enqueue, fail, get, release, step};
pub use queue::{RunClaim, RunStep};
pub use run::Tally;

#[derive(Debug, Clone)]
pub struct Invoice {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub customer_path: TreePath,
    pub period: String,
    pub currency: String,
    pub status: InvoiceStatus,
    pub total_minor: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub issued_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub voided_at: Option<DateTime<Utc>>,
}

impl domain::Scoped for Invoice {
    fn scope_path(&self) -> &domain::TreePath {
        &self.customer_path
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invoice_lines)]
pub struct InvoiceLine {
    pub id: String,
    pub invoice_id: String,
    pub subscription_id: String,
    pub customer_path: String,
    pub period: String,
    pub sku: String,
    pub description: String,
    pub billing_cycle: String,
    pub seat_days: i64,
    pub days_in_period: i64,
    pub unit_price_minor: i64,
    pub amount_minor: i64,
}

/// Filters of an invoice list; `None` matches everything.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub period: Option<String>,
    pub status: Option<InvoiceStatus>,
    pub customer: Option<Uuid>,
}

/// A billing run: queued by the API, worked batch by batch by a worker.
#[derive(Debug, Clone)]
pub struct BillingRun {
    pub id: Uuid,
    pub organization_id: Uuid,
    /// The organisation's current path (the run's scope).
    pub organization_path: TreePath,
    pub period: String,
    pub status: BillingRunStatus,
    pub customers_done: i64,
    /// The customers in the subtree when the run was queued.
    pub customers_total: i64,
    /// What the run did to the period's invoices so far.
    pub tally: Tally,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

impl domain::Scoped for BillingRun {
    fn scope_path(&self) -> &domain::TreePath {
        &self.organization_path
    }
}

/// Totals of one period and currency (void invoices excluded).
#[derive(Debug, Clone, QueryableByName)]
pub struct BillingTotal {
    #[diesel(sql_type = Text)]
    pub period: String,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = BigInt)]
    pub invoices: i64,
    #[diesel(sql_type = BigInt)]
    pub total_minor: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invoices)]
struct InvoiceRow {
    id: String,
    customer_id: String,
    customer_path: String,
    period: String,
    currency: String,
    status: String,
    total_minor: i64,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    issued_at: Option<NaiveDateTime>,
    paid_at: Option<NaiveDateTime>,
    voided_at: Option<NaiveDateTime>,
}

impl InvoiceRow {
    fn into_model(self) -> Result<Invoice, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("invoice {}: bad {what}", self.id));
        Ok(Invoice {
            id: parse_uuid(&self.id)?,
            customer_id: parse_uuid(&self.customer_id)?,
            customer_path: TreePath::parse(&self.customer_path).map_err(|_| corrupt("path"))?,
            status: InvoiceStatus::parse(&self.status).ok_or_else(|| corrupt("status"))?,
            period: self.period,
            currency: self.currency,
            total_minor: self.total_minor,
            version: self.version,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
            issued_at: self.issued_at.map(utc),
            paid_at: self.paid_at.map(utc),
            voided_at: self.voided_at.map(utc),
        })
    }
}
