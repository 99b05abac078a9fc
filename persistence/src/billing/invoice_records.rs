//! Invoices: reads, lists, lines, totals and state changes.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use domain::{AuditAction, InvoiceChange, TreePath};
use serde_json::json;
use uuid::Uuid;

use super::schema::{invoice_lines, invoices};
use super::{BillingTotal, Invoice, InvoiceFilter, InvoiceLine, InvoiceRow};
use crate::audit::{self, AuditEntry, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::snapshot::Snapshot;
use crate::time::now;

pub(crate) fn invoice(c: &mut DbConn, id: Uuid) -> Result<Option<Invoice>, StoreError> {
    invoices::table
        .find(id.to_string())
        .select(InvoiceRow::as_select())
        .first(c)
        .optional()?
        .map(InvoiceRow::into_model)
        .transpose()
}

/// An invoice's lines, by SKU.
pub(crate) fn invoice_lines(c: &mut DbConn, id: Uuid) -> Result<Vec<InvoiceLine>, StoreError> {
    Ok(invoice_lines::table
        .filter(invoice_lines::invoice_id.eq(id.to_string()))
        .select(InvoiceLine::as_select())
        .order((invoice_lines::sku.asc(), invoice_lines::id.asc()))
        .load(c)?)
}

/// Invoices in `root`'s subtree, oldest first, after the `after` id.
pub(crate) fn invoices(
    c: &mut DbConn,
    root: &TreePath,
    filter: &InvoiceFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Invoice>, StoreError> {
    let mut q = invoices::table
        .filter(invoices::customer_path.ge(root.as_str().to_string()))
        .filter(invoices::customer_path.lt(root.upper_bound()))
        .select(InvoiceRow::as_select())
        .order(invoices::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(p) = &filter.period {
        q = q.filter(invoices::period.eq(p.clone()));
    }
    if let Some(s) = filter.status {
        q = q.filter(invoices::status.eq(s.as_str()));
    }
    if let Some(cust) = filter.customer {
        q = q.filter(invoices::customer_id.eq(cust.to_string()));
    }
    if let Some(a) = after {
        q = q.filter(invoices::id.gt(a.to_string()));
    }
    q.load(c)?.into_iter().map(InvoiceRow::into_model).collect()
}

/// Per period and currency, the count and total of non-void invoices in the
/// subtree, newest period first.
pub(crate) fn billing_history(c: &mut DbConn, root: &TreePath) -> Result<Vec<BillingTotal>, StoreError> {
    Ok(diesel::sql_query(
        "SELECT period, currency, COUNT(*) AS invoices, CAST(SUM(total_minor) AS BIGINT) AS total_minor \
         FROM invoices WHERE customer_path >= $1 AND customer_path < $2 AND status <> 'void' \
         GROUP BY period, currency ORDER BY period DESC, currency",
    )
    .bind::<Text, _>(root.as_str())
    .bind::<Text, _>(root.upper_bound())
    .load(c)?)
}

/// draft → issued → paid, or → void (the domain rule); the lines never change.
pub(crate) fn change_invoice_status(
    c: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    change: InvoiceChange,
    who: &AuditEntry,
) -> Result<Invoice, StoreError> {
    let row: InvoiceRow = match c {
        DbConn::Pg(pg) => invoices::table
            .find(id.to_string())
            .select(InvoiceRow::as_select())
            .for_update()
            .first(pg)
            .optional()?,
        DbConn::Sqlite(s) => invoices::table
            .find(id.to_string())
            .select(InvoiceRow::as_select())
            .first(s)
            .optional()?,
    }
    .ok_or(StoreError::NotFound)?;
    let inv = row.into_model()?;
    if !scope.is_ancestor_or_self_of(&inv.customer_path) {
        return Err(StoreError::NotFound);
    }
    let next = inv.status.apply(change)?;
    let ts = now();
    let key = id.to_string();
    let base = diesel::update(invoices::table.find(&key));
    match change {
        InvoiceChange::Issue => base.set((invoices::issued_at.eq(ts),)).execute(c)?,
        InvoiceChange::MarkPaid => base.set((invoices::paid_at.eq(ts),)).execute(c)?,
        InvoiceChange::Void => base.set((invoices::voided_at.eq(ts),)).execute(c)?,
    };
    diesel::update(invoices::table.find(&key))
        .set((
            invoices::status.eq(next.as_str()),
            invoices::version.eq(inv.version + 1),
            invoices::updated_at.eq(ts),
        ))
        .execute(c)?;
    let action = match change {
        InvoiceChange::Issue => AuditAction::InvoiceIssued,
        InvoiceChange::MarkPaid => AuditAction::InvoicePaid,
        InvoiceChange::Void => AuditAction::InvoiceVoided,
    };
    audit::record(
        c,
        who,
        Event {
            organization_id: inv.customer_id,
            action,
            target_type: "invoice",
            target_id: inv.id,
            details: json!({"from": inv.status, "to": next, "period": inv.period}),
        },
    )?;
    invoices::table
        .find(&key)
        .select(InvoiceRow::as_select())
        .first(c)?
        .into_model()
}

impl Snapshot<'_> {
    /// Lines of every invoice of `period` in `root`'s subtree, in tree order,
    /// after the `(customer path, id)` key.
    pub fn invoice_line_batch(
        &mut self,
        root: &TreePath,
        period: &str,
        after: Option<(String, String)>,
        limit: i64,
    ) -> Result<Vec<InvoiceLine>, StoreError> {
        let mut q = invoice_lines::table
            .filter(invoice_lines::period.eq(period.to_string()))
            .filter(invoice_lines::customer_path.ge(root.as_str().to_string()))
            .filter(invoice_lines::customer_path.lt(root.upper_bound()))
            .select(InvoiceLine::as_select())
            .order((invoice_lines::customer_path.asc(), invoice_lines::id.asc()))
            .limit(limit)
            .into_boxed();
        if let Some((path, id)) = after {
            q = q.filter(
                sql::<Bool>("(invoice_lines.customer_path, invoice_lines.id) > (")
                    .bind::<Text, _>(path)
                    .sql(", ")
                    .bind::<Text, _>(id)
                    .sql(")"),
            );
        }
        Ok(q.load(self.conn)?)
    }
}
