//! Rows of the CSV reports, read in keyset batches inside one snapshot (the api
//! crate streams them):
//! a subtree's subscriptions and its customers' users, each with the customer's
//! name, in tree order. One statement per batch whatever the subtree's size.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use domain::TreePath;

use crate::error::StoreError;
use crate::schema::{customer_users, organizations, subscriptions};
use crate::snapshot::Snapshot;

/// A subscriptions-report line.
#[derive(Debug, Clone, Queryable)]
pub struct SubscriptionReportRow {
    pub id: String,
    pub customer_id: String,
    pub customer_path: String,
    pub sku: String,
    pub description: String,
    pub quantity: i64,
    pub assigned: i64,
    pub unit_price_minor: i64,
    pub currency: String,
    pub billing_cycle: String,
    pub renews_on: NaiveDate,
    pub auto_renew: bool,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub customer_name: String,
}

/// A users-report line.
#[derive(Debug, Clone, Queryable)]
pub struct CustomerUserReportRow {
    pub id: String,
    pub customer_id: String,
    pub email: String,
    pub name: String,
    pub mobile: Option<String>,
    pub is_admin: bool,
    pub is_master_admin: bool,
    pub status: String,
    pub last_sign_in_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub customer_path: String,
    pub customer_name: String,
}

impl Snapshot<'_> {
    /// Subscriptions of every customer in `root`'s subtree, ordered by
    /// (customer path, id), after the `after` key.
    pub fn subscription_batch(
        &mut self,
        root: &TreePath,
        after: Option<(String, String)>,
        limit: i64,
    ) -> Result<Vec<SubscriptionReportRow>, StoreError> {
        let mut q = subscriptions::table
            .inner_join(organizations::table)
            .filter(subscriptions::customer_path.ge(root.as_str().to_string()))
            .filter(subscriptions::customer_path.lt(root.upper_bound()))
            .select((
                subscriptions::id,
                subscriptions::customer_id,
                subscriptions::customer_path,
                subscriptions::sku,
                subscriptions::description,
                subscriptions::quantity,
                subscriptions::assigned,
                subscriptions::unit_price_minor,
                subscriptions::currency,
                subscriptions::billing_cycle,
                subscriptions::renews_on,
                subscriptions::auto_renew,
                subscriptions::status,
                subscriptions::created_at,
                subscriptions::updated_at,
                organizations::name,
            ))
            .order((subscriptions::customer_path.asc(), subscriptions::id.asc()))
            .limit(limit)
            .into_boxed();
        if let Some((path, id)) = after {
            // A row-value comparison, so the index on (path, id) serves it.
            q = q.filter(
                sql::<Bool>("(subscriptions.customer_path, subscriptions.id) > (")
                    .bind::<Text, _>(path)
                    .sql(", ")
                    .bind::<Text, _>(id)
                    .sql(")"),
            );
        }
        Ok(q.load(self.conn)?)
    }

    /// Users of every customer in `root`'s subtree, ordered by (customer path, id),
    /// after the `after` key.
    pub fn customer_user_batch(
        &mut self,
        root: &TreePath,
        after: Option<(String, String)>,
        limit: i64,
    ) -> Result<Vec<CustomerUserReportRow>, StoreError> {
        let mut q = customer_users::table
            .inner_join(organizations::table)
            .filter(organizations::path.ge(root.as_str().to_string()))
            .filter(organizations::path.lt(root.upper_bound()))
            .select((
                customer_users::id,
                customer_users::customer_id,
                customer_users::email,
                customer_users::name,
                customer_users::mobile,
                customer_users::is_admin,
                customer_users::is_master_admin,
                customer_users::status,
                customer_users::last_sign_in_at,
                customer_users::created_at,
                organizations::path,
                organizations::name,
            ))
            .order((organizations::path.asc(), customer_users::id.asc()))
            .limit(limit)
            .into_boxed();
        if let Some((path, id)) = after {
            // A row-value comparison, so the index on (path, id) serves it.
            q = q.filter(
                sql::<Bool>("(organizations.path, customer_users.id) > (")
                    .bind::<Text, _>(path)
                    .sql(", ")
                    .bind::<Text, _>(id)
                    .sql(")"),
            );
        }
        Ok(q.load(self.conn)?)
    }
}
