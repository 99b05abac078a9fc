//! Billing one batch of customers: the pure rules of `domain::billing` applied to
//! their subscriptions, seat history and existing invoices of the period. The
//! queue, leases and cursor that drive batches are in `queue.rs`.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::{billed_in, prorate, seat_days, BillingCycle, InvoiceStatus, OrgKind, Period, TreePath};
use uuid::Uuid;

use super::schema::{invoice_lines, invoices};
use super::{InvoiceLine, InvoiceRow};
use crate::bulk::{insert_chunks, ROWS_PER_STATEMENT};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{organizations, subscription_changes, subscriptions};
use crate::time::now;

/// What billing did to the invoices of a batch (or a whole run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// New draft invoices.
    pub created: i64,
    /// Draft invoices recomputed from the current history.
    pub recomputed: i64,
    /// Drafts removed because nothing is left to bill for them.
    pub removed: i64,
    /// Issued, paid or void invoices of the period, left as they are.
    pub unchanged: i64,
}

/// A subscription as billing reads it.
#[derive(Queryable)]
struct BilledSubscription {
    id: String,
    customer_id: String,
    customer_path: String,
    sku: String,
    description: String,
    unit_price_minor: i64,
    currency: String,
    billing_cycle: String,
    created_at: NaiveDateTime,
}

/// (customer id, currency) → (customer path, the invoice's lines).
type LinesByInvoice = BTreeMap<(String, String), (String, Vec<InvoiceLine>)>;

/// The customers (by path) of one batch, inclusive at both ends.
pub(super) struct CustomerRange {
    pub first: String,
    pub last: String,
    /// How many customers the range holds.
    pub count: i64,
}

/// Whether a stored invoice status is one billing runs may rewrite.
fn recomputed_by_runs(status: &str) -> bool {
    InvoiceStatus::parse(status).is_some_and(InvoiceStatus::recomputed_by_runs)
}

/// How many customers `root`'s subtree holds.
pub(super) fn count_customers(c: &mut DbConn, root: &TreePath) -> Result<i64, StoreError> {
    Ok(organizations::table
        .filter(organizations::kind.eq(OrgKind::Customer.as_str()))
        .filter(organizations::path.ge(root.as_str().to_string()))
        .filter(organizations::path.lt(root.upper_bound()))
        .count()
        .get_result(c)?)
}

/// The next `limit` customers in `root`'s subtree after the path `after`.
pub(super) fn next_customers(
    c: &mut DbConn,
    root: &TreePath,
    after: Option<String>,
    limit: i64,
) -> Result<Option<CustomerRange>, StoreError> {
    let mut q = organizations::table
        .filter(organizations::kind.eq(OrgKind::Customer.as_str()))
        .filter(organizations::path.ge(root.as_str().to_string()))
        .filter(organizations::path.lt(root.upper_bound()))
        .select(organizations::path)
        .order(organizations::path.asc())
        .limit(limit.max(1))
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(organizations::path.gt(after));
    }
    let paths: Vec<String> = q.load(c)?;
    Ok(match (paths.first(), paths.last()) {
        (Some(first), Some(last)) => Some(CustomerRange {
            first: first.clone(),
            last: last.clone(),
            count: paths.len() as i64,
        }),
        _ => None,
    })
}

/// Bills the customers of one batch.
pub(super) fn bill(c: &mut DbConn, range: &CustomerRange, period: Period, run: &mut Tally) -> Result<(), StoreError> {
    let end = period.end().and_hms_opt(0, 0, 0).unwrap_or_default();
    let subs: Vec<BilledSubscription> = subscriptions::table
        .filter(subscriptions::customer_path.between(&range.first, &range.last))
        .filter(subscriptions::created_at.lt(end))
        .select((
            subscriptions::id,
            subscriptions::customer_id,
            subscriptions::customer_path,
            subscriptions::sku,
            subscriptions::description,
            subscriptions::unit_price_minor,
            subscriptions::currency,
            subscriptions::billing_cycle,
            subscriptions::created_at,
        ))
        .order((subscriptions::customer_path.asc(), subscriptions::id.asc()))
        .load(c)?;
    let changes: Vec<(String, NaiveDateTime, i64)> = subscription_changes::table
        .filter(subscription_changes::customer_path.between(&range.first, &range.last))
        .filter(subscription_changes::changed_at.lt(end))
        .select((
            subscription_changes::subscription_id,
            subscription_changes::changed_at,
            subscription_changes::quantity,
        ))
        .load(c)?;
    let mut history: HashMap<String, Vec<(NaiveDateTime, i64)>> = HashMap::new();
    for (sub, at, q) in changes {
        history.entry(sub).or_default().push((at, q));
    }
    let groups = lines_by_invoice(subs, &history, period)?;
    let existing: Vec<InvoiceRow> = invoices::table
        .filter(invoices::period.eq(period.as_string()))
        .filter(invoices::customer_path.between(&range.first, &range.last))
        .select(InvoiceRow::as_select())
        .load(c)?;
    let mut existing: HashMap<(String, String), InvoiceRow> = existing
        .into_iter()
        .map(|r| ((r.customer_id.clone(), r.currency.clone()), r))
        .collect();
    // New rows and deletions go out in multi-row statements; only a recomputed
    // draft's total is one UPDATE each.
    let mut new_invoices = Vec::new();
    let mut new_lines = Vec::new();
    let mut replaced = Vec::new();
    for (key, (path, mut lines)) in groups {
        let total = lines.iter().map(|l| l.amount_minor).fold(0i64, i64::saturating_add);
        let invoice_id = match existing.remove(&key) {
            Some(inv) if !recomputed_by_runs(&inv.status) => {
                run.unchanged += 1;
                continue;
            }
            Some(inv) => {
                diesel::update(invoices::table.find(&inv.id))
                    .set((
                        invoices::total_minor.eq(total),
                        invoices::version.eq(inv.version + 1),
                        invoices::updated_at.eq(now()),
                    ))
                    .execute(c)?;
                run.recomputed += 1;
                replaced.push(inv.id.clone());
                inv.id
            }
            None => {
                let (customer_id, currency) = key;
                let row = InvoiceRow::draft(customer_id, path, period, currency, total);
                let id = row.id.clone();
                new_invoices.push(row);
                run.created += 1;
                id
            }
        };
        for line in &mut lines {
            line.invoice_id.clone_from(&invoice_id);
        }
        new_lines.append(&mut lines);
    }
    // Drafts of the period with nothing billed this time are removed.
    let mut removed = Vec::new();
    for inv in existing.into_values() {
        if recomputed_by_runs(&inv.status) {
            removed.push(inv.id);
        } else {
            run.unchanged += 1;
        }
    }
    run.removed += removed.len() as i64;
    for ids in replaced
        .chunks(ROWS_PER_STATEMENT)
        .chain(removed.chunks(ROWS_PER_STATEMENT))
    {
        diesel::delete(invoice_lines::table.filter(invoice_lines::invoice_id.eq_any(ids))).execute(c)?;
    }
    for ids in removed.chunks(ROWS_PER_STATEMENT) {
        diesel::delete(invoices::table.filter(invoices::id.eq_any(ids))).execute(c)?;
    }
    insert_chunks!(c, invoices::table, new_invoices);
    insert_chunks!(c, invoice_lines::table, new_lines);
    Ok(())
}

/// The lines of the subscriptions billed in `period`, by invoice.
fn lines_by_invoice(
    subs: Vec<BilledSubscription>,
    history: &HashMap<String, Vec<(NaiveDateTime, i64)>>,
    period: Period,
) -> Result<LinesByInvoice, StoreError> {
    let mut groups = LinesByInvoice::new();
    let (key, days_in_period) = (period.as_string(), period.days());
    for s in subs {
        let cycle = BillingCycle::parse(&s.billing_cycle)
            .ok_or_else(|| StoreError::Corrupt(format!("subscription {}: bad billing cycle", s.id)))?;
        if !billed_in(cycle, s.created_at.date(), period) {
            continue;
        }
        let days = seat_days(history.get(&s.id).map_or(&[][..], Vec::as_slice), period);
        if days == 0 {
            continue;
        }
        let group = groups
            .entry((s.customer_id, s.currency))
            .or_insert_with(|| (s.customer_path.clone(), Vec::new()));
        group.1.push(InvoiceLine {
            id: Uuid::now_v7().to_string(),
            invoice_id: String::new(),
            subscription_id: s.id,
            customer_path: s.customer_path,
            period: key.clone(),
            sku: s.sku,
            description: s.description,
            billing_cycle: s.billing_cycle,
            seat_days: days,
            days_in_period,
            unit_price_minor: s.unit_price_minor,
            amount_minor: prorate(s.unit_price_minor, days, days_in_period),
        });
    }
    Ok(groups)
}
