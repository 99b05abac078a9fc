//! Subscriptions and their seat history. Each row repeats its customer's tree
//! path, so subtree lists and totals are range scans of this table alone.

mod commands;
mod insights;
mod queries;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::{BillingCycle, DisplayName, Money, Seats, Sku, SubscriptionStatus, TreePath};
use uuid::Uuid;

use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::schema::subscriptions;
use crate::time::utc;

pub(crate) use commands::{change_status, create, find, update};
pub(crate) use insights::{customer_rollups, dashboard, figures, recount, usage};
pub use insights::{CustomerRollup, Dashboard, DashboardFigures, OrgCount, UsageBucket, UsageInterval};
pub(crate) use queries::{customer_subscriptions, seat_history, subtree_subscriptions};
pub use queries::{SeatChange, SubscriptionFilter};

#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub customer_path: TreePath,
    pub sku: String,
    pub description: String,
    pub quantity: i64,
    pub assigned: i64,
    pub unit_price_minor: i64,
    pub currency: String,
    pub billing_cycle: BillingCycle,
    pub renews_on: NaiveDate,
    pub auto_renew: bool,
    pub status: SubscriptionStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl domain::Scoped for Subscription {
    fn scope_path(&self) -> &domain::TreePath {
        &self.customer_path
    }
}

#[derive(Debug, Clone)]
pub struct NewSubscription {
    pub customer_id: Uuid,
    pub sku: Sku,
    pub description: DisplayName,
    pub seats: Seats,
    pub unit_price: Money,
    pub billing_cycle: BillingCycle,
    pub renews_on: NaiveDate,
    pub auto_renew: bool,
}

/// What a PATCH may change; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionPatch {
    pub quantity: Option<i64>,
    pub assigned: Option<i64>,
    pub auto_renew: Option<bool>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = subscriptions)]
pub(crate) struct SubscriptionRow {
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
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl SubscriptionRow {
    pub(crate) fn into_model(self) -> Result<Subscription, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("subscription {}: bad {what}", self.id));
        Ok(Subscription {
            id: parse_uuid(&self.id)?,
            customer_id: parse_uuid(&self.customer_id)?,
            customer_path: TreePath::parse(&self.customer_path).map_err(|_| corrupt("path"))?,
            billing_cycle: BillingCycle::parse(&self.billing_cycle).ok_or_else(|| corrupt("billing cycle"))?,
            status: SubscriptionStatus::parse(&self.status).ok_or_else(|| corrupt("status"))?,
            sku: self.sku,
            description: self.description,
            quantity: self.quantity,
            assigned: self.assigned,
            unit_price_minor: self.unit_price_minor,
            currency: self.currency,
            renews_on: self.renews_on,
            auto_renew: self.auto_renew,
            version: self.version,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        })
    }
}
