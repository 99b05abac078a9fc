//! Subscriptions: changes, lists, seat history, and the insights over them.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::{SubscriptionChange, TreePath};
use uuid::Uuid;

use super::Store;
use crate::audit::AuditEntry;
use crate::error::StoreError;
use crate::subscriptions::{
    self, CustomerRollup, Dashboard, NewSubscription, SeatChange, Subscription, SubscriptionFilter, SubscriptionPatch,
    UsageBucket, UsageInterval,
};

impl Store {
    /// A customer's subscriptions, oldest first.
    pub fn customer_subscriptions(
        &self,
        customer: Uuid,
        filter: &SubscriptionFilter,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Subscription>, StoreError> {
        self.read(|c| subscriptions::customer_subscriptions(c, customer, filter, after, limit))
    }

    /// Every subscription of the customers below `root`, in tree order, after
    /// the `(customer_path, id)` key of the previous page.
    pub fn subtree_subscriptions(
        &self,
        root: &TreePath,
        filter: &SubscriptionFilter,
        after: Option<(String, Uuid)>,
        limit: i64,
    ) -> Result<Vec<Subscription>, StoreError> {
        self.read(|c| subscriptions::subtree_subscriptions(c, root, filter, after, limit))
    }

    /// A subscription's quantity and assigned seats over time, oldest first.
    pub fn seat_history(&self, id: Uuid) -> Result<Vec<SeatChange>, StoreError> {
        self.read(|c| subscriptions::seat_history(c, id))
    }

    /// Rollups for these customers: one statement, whatever their number.
    pub fn customer_rollups(&self, customers: &[Uuid]) -> Result<HashMap<Uuid, CustomerRollup>, StoreError> {
        self.read(|c| subscriptions::customer_rollups(c, customers))
    }

    /// The dashboard of the subtree at `root`: five statements.
    pub fn dashboard(&self, root: &TreePath, today: NaiveDate, window_end: NaiveDate) -> Result<Dashboard, StoreError> {
        self.read(|c| subscriptions::dashboard(c, root, today, window_end))
    }

    /// Seats purchased and assigned at the end of each period from `from` to `to`
    /// (inclusive), for the subtree at `root`, from the seat history: one
    /// statement sums the deltas per period; running totals are added up here.
    pub fn usage(
        &self,
        root: &TreePath,
        interval: UsageInterval,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<UsageBucket>, StoreError> {
        self.read(|c| subscriptions::usage(c, root, interval, from, to))
    }

    pub fn subscription(&self, id: Uuid) -> Result<Option<Subscription>, StoreError> {
        self.read(|c| subscriptions::find(c, id))
    }

    pub fn create_subscription(
        &self,
        scope: &TreePath,
        new: &NewSubscription,
        who: &AuditEntry,
    ) -> Result<Subscription, StoreError> {
        self.change(|c| subscriptions::create(c, scope, new, who))
    }

    pub fn update_subscription(
        &self,
        scope: &TreePath,
        id: Uuid,
        expected_version: Option<i64>,
        patch: &SubscriptionPatch,
        who: &AuditEntry,
    ) -> Result<Subscription, StoreError> {
        self.change(|c| subscriptions::update(c, scope, id, expected_version, patch, who))
    }

    /// Suspend, reactivate or cancel. Cancelling releases the seats (the history
    /// records them falling to zero), so usage series drop with it.
    pub fn change_subscription_status(
        &self,
        scope: &TreePath,
        id: Uuid,
        change: SubscriptionChange,
        who: &AuditEntry,
    ) -> Result<Subscription, StoreError> {
        self.change(|c| subscriptions::change_status(c, scope, id, change, who))
    }
}
