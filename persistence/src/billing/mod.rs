//! Billing: runs that turn a subtree's subscriptions and seat history into draft
//! invoices, invoice states, lists, lines and totals. Invoices and lines repeat
//! the customer's path, so subtree queries are range scans of these tables.

mod schema;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use domain::{billed_in, prorate, seat_days, BillingCycle, InvoiceChange, InvoiceStatus, Period, TreePath};
use serde_json::json;
use uuid::Uuid;

use self::schema::{invoice_lines, invoices};
use crate::audit::{self, AuditEntry, Event};
use crate::error::StoreError;
use crate::schema::{organizations, subscription_changes, subscriptions};
use crate::store::{now, parse_uuid, utc, Store};
use crate::tx::TreeLock;

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

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
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

/// What a billing run did.
#[derive(Debug, Clone)]
pub struct BillingRun {
    pub period: String,
    /// New draft invoices.
    pub created: i64,
    /// Draft invoices recomputed from the current history.
    pub recomputed: i64,
    /// Issued, paid or void invoices of the period, left as they are.
    pub unchanged: i64,
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

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
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

type BilledSub = (
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    NaiveDateTime,
);

impl Store {
    /// Draft invoices for `period`, one per customer in the subtree of `root_id`
    /// and currency, with a line per subscription billed in the period. Existing
    /// drafts are recomputed; issued, paid and void invoices never change.
    pub fn run_billing(
        &self,
        scope: &TreePath,
        root_id: Uuid,
        period: Period,
        who: &AuditEntry,
    ) -> Result<BillingRun, StoreError> {
        self.change(TreeLock::Shared, |c| {
            let root: String = organizations::table
                .find(root_id.to_string())
                .select(organizations::path)
                .first(c)
                .optional()?
                .ok_or(StoreError::NotFound)?;
            let root = TreePath::parse(&root).map_err(|_| StoreError::Corrupt("bad path".into()))?;
            if !scope.is_ancestor_or_self_of(&root) {
                return Err(StoreError::NotFound);
            }
            let end = period.end().and_hms_opt(0, 0, 0).unwrap_or_default();
            let key = period.as_string();
            let subs: Vec<BilledSub> = subscriptions::table
                .filter(subscriptions::customer_path.ge(root.as_str().to_string()))
                .filter(subscriptions::customer_path.lt(root.upper_bound()))
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
                .filter(subscription_changes::customer_path.ge(root.as_str().to_string()))
                .filter(subscription_changes::customer_path.lt(root.upper_bound()))
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
            // (customer id, currency) → (customer path, lines)
            let mut groups: BTreeMap<(String, String), (String, Vec<InvoiceLine>)> = BTreeMap::new();
            for (id, customer_id, path, sku, description, unit, currency, cycle, created) in subs {
                let cycle_value = BillingCycle::parse(&cycle)
                    .ok_or_else(|| StoreError::Corrupt(format!("subscription {id}: bad billing cycle")))?;
                if !billed_in(cycle_value, created.date(), period) {
                    continue;
                }
                let days = seat_days(history.get(&id).map_or(&[][..], Vec::as_slice), period);
                if days == 0 {
                    continue;
                }
                let group = groups
                    .entry((customer_id, currency))
                    .or_insert_with(|| (path.clone(), Vec::new()));
                group.1.push(InvoiceLine {
                    id: Uuid::now_v7().to_string(),
                    invoice_id: String::new(),
                    subscription_id: id,
                    customer_path: path,
                    period: key.clone(),
                    sku,
                    description,
                    billing_cycle: cycle,
                    seat_days: days,
                    days_in_period: period.days(),
                    unit_price_minor: unit,
                    amount_minor: prorate(unit, days, period.days()),
                });
            }
            let existing: Vec<InvoiceRow> = invoices::table
                .filter(invoices::period.eq(&key))
                .filter(invoices::customer_path.ge(root.as_str().to_string()))
                .filter(invoices::customer_path.lt(root.upper_bound()))
                .select(InvoiceRow::as_select())
                .load(c)?;
            let mut by_key: HashMap<(String, String), InvoiceRow> = existing
                .into_iter()
                .map(|r| ((r.customer_id.clone(), r.currency.clone()), r))
                .collect();
            let mut run = BillingRun {
                period: key.clone(),
                created: 0,
                recomputed: 0,
                unchanged: 0,
            };
            let ts = now();
            for ((customer_id, currency), (path, mut lines)) in groups {
                let total: i64 = lines.iter().map(|l| l.amount_minor).fold(0i64, i64::saturating_add);
                let invoice_id = match by_key.remove(&(customer_id.clone(), currency.clone())) {
                    Some(inv) if inv.status != InvoiceStatus::Draft.as_str() => {
                        run.unchanged += 1;
                        continue;
                    }
                    Some(inv) => {
                        diesel::delete(invoice_lines::table.filter(invoice_lines::invoice_id.eq(&inv.id))).execute(c)?;
                        diesel::update(invoices::table.find(&inv.id))
                            .set((
                                invoices::total_minor.eq(total),
                                invoices::version.eq(inv.version + 1),
                                invoices::updated_at.eq(ts),
                            ))
                            .execute(c)?;
                        run.recomputed += 1;
                        inv.id
                    }
                    None => {
                        let id = Uuid::now_v7().to_string();
                        diesel::insert_into(invoices::table)
                            .values(&InvoiceRow {
                                id: id.clone(),
                                customer_id,
                                customer_path: path,
                                period: key.clone(),
                                currency,
                                status: InvoiceStatus::Draft.as_str().to_string(),
                                total_minor: total,
                                version: 1,
                                created_at: ts,
                                updated_at: ts,
                                issued_at: None,
                                paid_at: None,
                                voided_at: None,
                            })
                            .execute(c)?;
                        run.created += 1;
                        id
                    }
                };
                for line in &mut lines {
                    line.invoice_id = invoice_id.clone();
                }
                for chunk in lines.chunks(500) {
                    match c {
                        crate::connection::DbConn::Pg(pg) => {
                            diesel::insert_into(invoice_lines::table).values(chunk).execute(pg)?
                        }
                        crate::connection::DbConn::Sqlite(s) => {
                            diesel::insert_into(invoice_lines::table).values(chunk).execute(s)?
                        }
                    };
                }
            }
            run.unchanged += by_key
                .values()
                .filter(|r| r.status != InvoiceStatus::Draft.as_str())
                .count() as i64;
            audit::record(
                c,
                who,
                Event {
                    organization_id: root_id,
                    action: "billing.run",
                    target_type: "organization",
                    target_id: root_id,
                    details: json!({"period": run.period, "created": run.created, "recomputed": run.recomputed, "unchanged": run.unchanged}),
                },
            )?;
            Ok(run)
        })
    }

    pub fn invoice(&self, id: Uuid) -> Result<Option<Invoice>, StoreError> {
        self.read(|c| {
            invoices::table
                .find(id.to_string())
                .select(InvoiceRow::as_select())
                .first(c)
                .optional()?
                .map(InvoiceRow::into_model)
                .transpose()
        })
    }

    /// An invoice's lines in tree order of subscriptions.
    pub fn invoice_lines(&self, id: Uuid) -> Result<Vec<InvoiceLine>, StoreError> {
        self.read(|c| {
            Ok(invoice_lines::table
                .filter(invoice_lines::invoice_id.eq(id.to_string()))
                .select(InvoiceLine::as_select())
                .order((invoice_lines::sku.asc(), invoice_lines::id.asc()))
                .load(c)?)
        })
    }

    /// Invoices in `root`'s subtree, oldest first, after the `after` id.
    pub fn invoices(
        &self,
        root: &TreePath,
        filter: &InvoiceFilter,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Invoice>, StoreError> {
        self.read(|c| {
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
        })
    }

    /// Lines of every invoice of `period` in `root`'s subtree, in tree order,
    /// after the `(customer path, id)` key.
    pub fn invoice_line_batch(
        &self,
        root: &TreePath,
        period: &str,
        after: Option<(String, String)>,
        limit: i64,
    ) -> Result<Vec<InvoiceLine>, StoreError> {
        self.read(|c| {
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
            Ok(q.load(c)?)
        })
    }

    /// Per period and currency, the count and total of non-void invoices in the
    /// subtree, newest period first.
    pub fn billing_history(&self, root: &TreePath) -> Result<Vec<BillingTotal>, StoreError> {
        self.read(|c| {
            Ok(diesel::sql_query(
                "SELECT period, currency, COUNT(*) AS invoices, CAST(SUM(total_minor) AS BIGINT) AS total_minor \
                 FROM invoices WHERE customer_path >= $1 AND customer_path < $2 AND status <> 'void' \
                 GROUP BY period, currency ORDER BY period DESC, currency",
            )
            .bind::<Text, _>(root.as_str())
            .bind::<Text, _>(root.upper_bound())
            .load(c)?)
        })
    }

    /// draft → issued → paid, or → void (the domain rule); the lines never change.
    pub fn change_invoice_status(
        &self,
        scope: &TreePath,
        id: Uuid,
        change: InvoiceChange,
        who: &AuditEntry,
    ) -> Result<Invoice, StoreError> {
        self.change(TreeLock::None, |c| {
            let row: InvoiceRow = match c {
                crate::connection::DbConn::Pg(pg) => invoices::table
                    .find(id.to_string())
                    .select(InvoiceRow::as_select())
                    .for_update()
                    .first(pg)
                    .optional()?,
                crate::connection::DbConn::Sqlite(s) => invoices::table
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
                InvoiceChange::Issue => "invoice.issued",
                InvoiceChange::MarkPaid => "invoice.paid",
                InvoiceChange::Void => "invoice.voided",
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
        })
    }
}
