//! Subscriptions: changes, lists, seat history, and the insights over them.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::{SubscriptionChange, TreePath};
use uuid::Uuid;

use super::Store;
use crate::audit::AuditEntry;
use crate::error::StoreError;
use crate::subscriptions::{
    self, CustomerRollup, Dashboard, DashboardFigures, NewSubscription, SeatChange, Subscription, SubscriptionFilter,
    SubscriptionPatch, UsageBucket, UsageInterval,
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
        self.read(|c| subscriptions::subtree_subscriptions(c, root, filter, after.clone(), limit))
    }

    /// A subscription's quantity and assigned seats over time, oldest first.
    pub fn seat_history(&self, id: Uuid) -> Result<Vec<SeatChange>, StoreError> {
        self.read(|c| subscriptions::seat_history(c, id))
    }

    /// Rollups for these customers: one statement, whatever their number.
    pub fn customer_rollups(&self, customers: &[Uuid]) -> Result<HashMap<Uuid, CustomerRollup>, StoreError> {
        self.read(|c| subscriptions::customer_rollups(c, customers))
    }

    /// The dashboard of the subtree at `root`: four statements; its counts and
    /// totals come from the rollups, exact.
    pub fn dashboard(&self, root: &TreePath, today: NaiveDate, window_end: NaiveDate) -> Result<Dashboard, StoreError> {
        self.read(|c| subscriptions::dashboard(c, root, today, window_end))
    }

    /// The dashboard's counts and totals from the rollups (what
    /// [`Store::dashboard`] shows).
    pub fn dashboard_figures(&self, root: &TreePath) -> Result<DashboardFigures, StoreError> {
        self.read(|c| subscriptions::figures(c, root))
    }

    /// The same figures recounted by scanning the subtree: slow on large trees;
    /// the reference the rollups are checked against.
    pub fn recount_dashboard_figures(&self, root: &TreePath) -> Result<DashboardFigures, StoreError> {
        self.read(|c| subscriptions::recount(c, root))
    }

    /// Folds up to `batch` pending rollup deltas into the subtree totals (the
    /// job `serve` runs); returns the number of totals changed, 0 when nothing
    /// was pending or another replica holds the folding lock. Shares the tree
    /// lock, so it never runs during a move.
    pub fn fold_rollups(&self, batch: i64) -> Result<usize, StoreError> {
        self.change(|c| crate::rollups::fold(c, batch))
    }

    /// Folds until nothing is pending (after a bulk load); returns the passes.
    pub fn fold_all_rollups(&self, batch: i64) -> Result<usize, StoreError> {
        let mut passes = 0;
        while self.fold_rollups(batch)? > 0 {
            passes += 1;
        }
        Ok(passes)
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
