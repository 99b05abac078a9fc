//! Listing subscriptions: one customer's, or a whole subtree's in tree order
//! (keyset on `(customer_path, id)`, one range scan of the path index).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use domain::{SubscriptionStatus, TreePath};
use uuid::Uuid;

use super::{Subscription, SubscriptionRow};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{subscription_changes, subscriptions};
use crate::time::utc;

#[derive(Debug, Clone, Default)]
pub struct SubscriptionFilter {
    pub status: Option<SubscriptionStatus>,
    pub sku: Option<String>,
    /// Only subscriptions renewing before this date.
    pub renews_before: Option<NaiveDate>,
}

/// One entry of a subscription's seat history.
#[derive(Debug, Clone)]
pub struct SeatChange {
    pub changed_at: DateTime<Utc>,
    pub quantity: i64,
    pub assigned: i64,
}

type Predicate = Box<dyn BoxableExpression<subscriptions::table, <DbConn as Connection>::Backend, SqlType = Bool>>;

/// The rows a list's filter keeps (every row when it sets nothing).
fn matching(filter: &SubscriptionFilter) -> Predicate {
    let mut keep: Predicate = Box::new(sql::<Bool>("1 = 1"));
    if let Some(s) = filter.status {
        keep = Box::new(keep.and(subscriptions::status.eq(s.as_str())));
    }
    if let Some(sku) = &filter.sku {
        keep = Box::new(keep.and(subscriptions::sku.eq(sku.clone())));
    }
    if let Some(d) = filter.renews_before {
        keep = Box::new(keep.and(subscriptions::renews_on.lt(d)));
    }
    keep
}

/// A customer's subscriptions, oldest first.
pub(crate) fn customer_subscriptions(
    c: &mut DbConn,
    customer: Uuid,
    filter: &SubscriptionFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Subscription>, StoreError> {
    let mut q = subscriptions::table
        .filter(subscriptions::customer_id.eq(customer.to_string()))
        .select(SubscriptionRow::as_select())
        .order(subscriptions::id.asc())
        .limit(limit)
        .into_boxed();
    q = q.filter(matching(filter));
    if let Some(after) = after {
        q = q.filter(subscriptions::id.gt(after.to_string()));
    }
    q.load(c)?.into_iter().map(SubscriptionRow::into_model).collect()
}

/// Every subscription of the customers below `root`, in tree order, after
/// the `(customer_path, id)` key of the previous page.
pub(crate) fn subtree_subscriptions(
    c: &mut DbConn,
    root: &TreePath,
    filter: &SubscriptionFilter,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> Result<Vec<Subscription>, StoreError> {
    let mut q = subscriptions::table
        .filter(subscriptions::customer_path.ge(root.as_str().to_string()))
        .filter(subscriptions::customer_path.lt(root.upper_bound()))
        .select(SubscriptionRow::as_select())
        .order((subscriptions::customer_path.asc(), subscriptions::id.asc()))
        .limit(limit)
        .into_boxed();
    q = q.filter(matching(filter));
    if let Some((path, id)) = after {
        // A row-value comparison, so the index on (customer_path, id) serves it.
        q = q.filter(
            sql::<Bool>("(subscriptions.customer_path, subscriptions.id) > (")
                .bind::<diesel::sql_types::Text, _>(path)
                .sql(", ")
                .bind::<diesel::sql_types::Text, _>(id.to_string())
                .sql(")"),
        );
    }
    q.load(c)?.into_iter().map(SubscriptionRow::into_model).collect()
}

/// A subscription's quantity and assigned seats over time, oldest first.
pub(crate) fn seat_history(c: &mut DbConn, id: Uuid) -> Result<Vec<SeatChange>, StoreError> {
    let rows: Vec<(NaiveDateTime, i64, i64)> = subscription_changes::table
        .filter(subscription_changes::subscription_id.eq(id.to_string()))
        .select((
            subscription_changes::changed_at,
            subscription_changes::quantity,
            subscription_changes::assigned,
        ))
        .order((subscription_changes::changed_at.asc(), subscription_changes::id.asc()))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(at, quantity, assigned)| SeatChange {
            changed_at: utc(at),
            quantity,
            assigned,
        })
        .collect())
}
