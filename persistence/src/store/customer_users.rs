//! Customer users: the people of a customer tenant.

use domain::TreePath;
use uuid::Uuid;

use super::Store;
use crate::audit::AuditEntry;
use crate::customer_users::{
    self, CustomerUser, CustomerUserFilter, CustomerUserPatch, Impersonation, NewCustomerUser,
};
use crate::error::StoreError;

impl Store {
    pub fn customer_user(&self, id: Uuid) -> Result<Option<CustomerUser>, StoreError> {
        self.read(|c| customer_users::find(c, id))
    }

    /// The users of one customer, oldest first (keyset on the id).
    pub fn list_customer_users(
        &self,
        customer: Uuid,
        filter: &CustomerUserFilter,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<CustomerUser>, StoreError> {
        self.read(|c| customer_users::list(c, customer, filter, after, limit))
    }

    /// Adds a user to a customer in `scope` (re-checked in the transaction).
    pub fn add_customer_user(
        &self,
        scope: &TreePath,
        new: &NewCustomerUser,
        who: &AuditEntry,
    ) -> Result<CustomerUser, StoreError> {
        self.change(|c| customer_users::insert(c, scope, new, who))
    }

    /// Changes details, flags or status; `expected_version` is the `If-Match` version.
    pub fn update_customer_user(
        &self,
        scope: &TreePath,
        id: Uuid,
        expected_version: Option<i64>,
        patch: &CustomerUserPatch,
        who: &AuditEntry,
    ) -> Result<CustomerUser, StoreError> {
        self.change(|c| customer_users::update(c, scope, id, expected_version, patch, who))
    }

    /// Refuses disabled users and inactive customers; otherwise audits the
    /// impersonation (in its own transaction) and returns the user.
    pub fn record_impersonation(
        &self,
        scope: &TreePath,
        id: Uuid,
        token: &Impersonation,
        who: &AuditEntry,
    ) -> Result<CustomerUser, StoreError> {
        self.change(|c| customer_users::impersonate(c, scope, id, token, who))
    }
}
