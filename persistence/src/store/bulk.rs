//! Generated data for demos and benchmarks, and a count tests check audits with.

use domain::{OperatorStatus, RoleSet};

use super::Store;
use crate::audit::{Actor, AuditEntry};
use crate::bulk::{self, BulkCustomerUser, BulkOperator, BulkOrganization, BulkSubscription};
use crate::error::StoreError;
use crate::operators::{self, NewOperator};

impl Store {
    /// Inserts generated organisations (parents before children) in one transaction.
    pub fn bulk_insert_organizations(&self, orgs: &[BulkOrganization]) -> Result<(), StoreError> {
        self.change(|c| bulk::insert_organizations(c, orgs))
    }

    /// Inserts generated subscriptions, their seat history and customer users in one transaction.
    pub fn bulk_insert_customer_data(
        &self,
        subs: &[BulkSubscription],
        users: &[BulkCustomerUser],
    ) -> Result<(), StoreError> {
        self.change(|c| {
            bulk::insert_subscriptions(c, subs)?;
            bulk::insert_customer_users(c, users)
        })
    }

    pub fn bulk_insert_operators(&self, ops: &[BulkOperator]) -> Result<(), StoreError> {
        let who = AuditEntry::by(Actor::System);
        self.change(|c| {
            for op in ops {
                let email = domain::WorkEmail::parse(&op.email, "email").map_err(domain::DomainError::from)?;
                let name = domain::DisplayName::parse(&op.name).map_err(domain::DomainError::from)?;
                operators::insert(
                    c,
                    &NewOperator {
                        home_organization_id: op.home_organization_id,
                        email,
                        name,
                        roles: RoleSet::from_storage(&op.roles),
                        status: OperatorStatus::Active,
                    },
                    &who,
                )?;
            }
            Ok(())
        })
    }
}
