//! Billing one batch of customers in the database: a few set-based statements
//! compute the lines of the batch's subscriptions from their seat history, write
//! the new drafts and the lines, and recompute or remove the existing drafts,
//! without loading subscriptions or history into the process. The statements
//! apply the rules of `domain::billing` (seat-days, anniversaries, half-even
//! rounding). The queue, leases and cursor that drive batches are in `queue.rs`.

use diesel::dsl::{not, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Text, Timestamp};
use domain::{InvoiceStatus, OrgKind, Period, TreePath};
use uuid::Uuid;

use super::schema::{invoice_lines, invoices};
use crate::bulk::ROWS_PER_STATEMENT;
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::organizations;
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

/// The customers (by path) of one batch, inclusive at both ends.
pub(super) struct CustomerRange {
    pub first: String,
    pub last: String,
    /// How many customers the range holds.
    pub count: i64,
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

/// The lines of the batch's subscriptions billed in the period, as a `WITH`
/// clause ending in `lines` (binds: $1/$2 the batch's first and last customer
/// path, $3 the period's start, $4 its end, $5 its month, $6 its days).
///
/// A seat change counts from its day (or the period's first day) up to the day
/// of the next change (or the period's end), so of several changes on one day
/// only the last one counts, as in `domain::seat_days`; amounts round half to
/// even, as in `domain::prorate`.
///
/// Money is checked, never clamped: PostgreSQL raises "bigint out of range" on
/// a product or total that leaves 64 bits; SQLite raises "integer overflow" on
/// a total, but turns an overflowing product into a float (which would be read
/// back clamped to `i64::MAX`), so there the product is tested and an overflow
/// raised by hand (`abs` of the smallest integer). `StoreError` turns both
/// into `AmountOverflow`, which fails the run.
fn lines_cte(c: &DbConn) -> String {
    // Day of the month and month of a timestamp, and the checked product:
    // where the backends' SQL differs.
    let (day, month, num) = match c {
        DbConn::Pg(_) => (
            "CAST(EXTRACT(DAY FROM ch.changed_at) AS INTEGER)",
            "CAST(EXTRACT(MONTH FROM s.created_at) AS INTEGER)",
            "s.unit_price_minor * seats.seat_days",
        ),
        DbConn::Sqlite(_) => (
            "CAST(strftime('%d', ch.changed_at) AS INTEGER)",
            "CAST(strftime('%m', s.created_at) AS INTEGER)",
            "CASE WHEN typeof(s.unit_price_minor * seats.seat_days) = 'integer' \
               THEN s.unit_price_minor * seats.seat_days \
               ELSE abs(length(s.id) * 0 - 9223372036854775807 - 1) END",
        ),
    };
    format!(
        "WITH spans AS (
           SELECT ch.subscription_id, ch.quantity,
                  CASE WHEN ch.changed_at < $3 THEN 1 ELSE {day} END AS from_day,
                  LEAD(CASE WHEN ch.changed_at < $3 THEN 1 ELSE {day} END, 1, $6 + 1)
                    OVER (PARTITION BY ch.subscription_id ORDER BY ch.changed_at, ch.id) AS to_day
           FROM subscription_changes ch
           WHERE ch.customer_path BETWEEN $1 AND $2 AND ch.changed_at < $4),
         seats AS (
           SELECT subscription_id,
                  CAST(SUM(CASE WHEN quantity > 0 AND to_day > from_day THEN quantity * (to_day - from_day)
                                ELSE 0 END) AS BIGINT) AS seat_days
           FROM spans GROUP BY subscription_id),
         priced AS (
           SELECT s.id, s.customer_id, s.customer_path, s.sku, s.description, s.billing_cycle,
                  s.unit_price_minor, s.currency, seats.seat_days,
                  {num} AS num
           FROM subscriptions s JOIN seats ON seats.subscription_id = s.id
           WHERE s.customer_path BETWEEN $1 AND $2 AND s.created_at < $4 AND seats.seat_days > 0
             AND (s.billing_cycle = 'monthly' OR (s.billing_cycle = 'annual' AND {month} = $5))),
         lines AS (
           SELECT priced.*,
                  num / $6 + CASE WHEN 2 * (num % $6) > $6 THEN 1
                                  WHEN 2 * (num % $6) = $6 THEN (num / $6) % 2
                                  ELSE 0 END AS amount_minor
           FROM priced)"
    )
}

/// A fresh UUIDv7's text cut around eight digits the statement fills in with a
/// row number, so the rows of one statement get distinct, time-ordered ids
/// (in row-number order) without a round trip each.
fn id_parts() -> (String, String) {
    let id = Uuid::now_v7().to_string();
    (id[..24].to_string(), id[32..].to_string())
}

/// The id of the row numbered `numbered.n`: `$7 ‖ n as eight digits ‖ $8` (see [`id_parts`]).
const ROW_ID: &str = "$7 || substr('00000000' || numbered.n, length('00000000' || numbered.n) - 7) || $8";

/// A statement of `bill` for `c`'s backend: SQLite numbers its parameters `?N`
/// (its `$N` are named ones, numbered by first appearance).
fn statement(c: &DbConn, sql: String) -> diesel::query_builder::SqlQuery {
    diesel::sql_query(match c {
        DbConn::Pg(_) => sql,
        DbConn::Sqlite(_) => sql.replace('$', "?"),
    })
}

/// Binds the batch's range and period (`$1`–`$6` of [`lines_cte`]), the id
/// parts (`$7`, `$8`) and the period of the rows written (`$9`).
macro_rules! bind_batch {
    ($query:expr, $range:expr, $period:expr, $ids:expr) => {
        $query
            .bind::<Text, _>(&$range.first)
            .bind::<Text, _>(&$range.last)
            .bind::<Timestamp, _>($period.start().and_hms_opt(0, 0, 0).unwrap_or_default())
            .bind::<Timestamp, _>($period.end().and_hms_opt(0, 0, 0).unwrap_or_default())
            .bind::<Integer, _>($period.month() as i32)
            .bind::<BigInt, _>($period.days())
            .bind::<Text, _>(&$ids.0)
            .bind::<Text, _>(&$ids.1)
            .bind::<Text, _>($period.as_string())
    };
}

/// Bills the customers of one batch: new drafts for (customer, currency) pairs
/// with lines and no invoice yet, existing drafts recomputed (lines replaced,
/// total from them) or removed when nothing is left to bill, and issued, paid
/// and void invoices left as they are.
pub(super) fn bill(c: &mut DbConn, range: &CustomerRange, period: Period, run: &mut Tally) -> Result<(), StoreError> {
    let existing: Vec<(String, String)> = invoices::table
        .filter(invoices::period.eq(period.as_string()))
        .filter(invoices::customer_path.between(&range.first, &range.last))
        .select((invoices::id, invoices::status))
        .load(c)?;
    let (drafts, kept): (Vec<_>, Vec<_>) = existing
        .into_iter()
        .partition(|(_, status)| InvoiceStatus::parse(status).is_some_and(InvoiceStatus::recomputed_by_runs));
    run.unchanged += kept.len() as i64;
    let drafts: Vec<String> = drafts.into_iter().map(|(id, _)| id).collect();
    if !drafts.is_empty() {
        diesel::delete(invoice_lines::table.filter(invoice_lines::invoice_id.eq_any(&drafts))).execute(c)?;
    }
    let at = now();
    let lines = lines_cte(c);
    let ids = id_parts();
    run.created += bind_batch!(
        statement(
            c,
            format!(
                "{lines}
             INSERT INTO invoices (id, customer_id, customer_path, period, currency, status, total_minor, version,
                                   created_at, updated_at)
             SELECT {ROW_ID}, customer_id, customer_path, $9, currency, 'draft', total_minor, 1, $10, $10
             FROM (SELECT t.*, ROW_NUMBER() OVER (ORDER BY t.customer_id, t.currency) AS n
                   FROM (SELECT customer_id, currency, MIN(customer_path) AS customer_path,
                                SUM(amount_minor) AS total_minor
                         FROM lines GROUP BY customer_id, currency) t
                   WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE i.customer_id = t.customer_id
                                     AND i.period = $9 AND i.currency = t.currency)) numbered"
            )
        ),
        range,
        period,
        ids
    )
    .bind::<Timestamp, _>(at)
    .execute(c)? as i64;
    let ids = id_parts();
    bind_batch!(
        statement(
            c,
            format!(
                "{lines}
             INSERT INTO invoice_lines (id, invoice_id, subscription_id, customer_path, period, sku, description,
                                        billing_cycle, seat_days, days_in_period, unit_price_minor, amount_minor)
             SELECT {ROW_ID}, invoice_id, id, customer_path, $9, sku, description, billing_cycle, seat_days, $6,
                    unit_price_minor, amount_minor
             FROM (SELECT lines.*, i.id AS invoice_id,
                          ROW_NUMBER() OVER (ORDER BY lines.customer_path, lines.id) AS n
                   FROM lines JOIN invoices i ON i.customer_id = lines.customer_id AND i.period = $9
                        AND i.currency = lines.currency AND i.status = 'draft') numbered"
            )
        ),
        range,
        period,
        ids
    )
    .execute(c)?;
    // A draft's total is the sum of its new lines; a draft left without any is removed.
    let billed = || sql::<Bool>("EXISTS (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = invoices.id)");
    for chunk in drafts.chunks(ROWS_PER_STATEMENT) {
        run.recomputed += diesel::update(invoices::table.filter(invoices::id.eq_any(chunk)).filter(billed()))
            .set((
                invoices::total_minor.eq(sql::<BigInt>(
                    "(SELECT SUM(l.amount_minor) FROM invoice_lines l WHERE l.invoice_id = invoices.id)",
                )),
                invoices::version.eq(invoices::version + 1),
                invoices::updated_at.eq(at),
            ))
            .execute(c)? as i64;
        run.removed +=
            diesel::delete(invoices::table.filter(invoices::id.eq_any(chunk)).filter(not(billed()))).execute(c)? as i64;
    }
    Ok(())
}
