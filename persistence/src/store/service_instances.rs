//! Service instances of customers.

use domain::{Slug, TreePath};
use uuid::Uuid;

use super::Store;
use crate::audit::AuditEntry;
use crate::error::StoreError;
use crate::service_instances::{self, Launch, ServiceInstance};
use crate::services::Service;

impl Store {
    /// A live service instance.
    pub fn service_instance(&self, id: Uuid) -> Result<Option<ServiceInstance>, StoreError> {
        self.read(|c| service_instances::find(c, id))
    }

    /// The live service instances of a customer, oldest first.
    pub fn service_instances(&self, customer: Uuid) -> Result<Vec<ServiceInstance>, StoreError> {
        self.read(|c| service_instances::of_customer(c, customer))
    }

    pub fn add_service_instance(
        &self,
        scope: &TreePath,
        customer: Uuid,
        service: &Slug,
        region: &Slug,
        who: &AuditEntry,
    ) -> Result<ServiceInstance, StoreError> {
        self.change(|c| service_instances::add(c, scope, customer, service, region, who))
    }

    pub fn remove_service_instance(&self, scope: &TreePath, id: Uuid, who: &AuditEntry) -> Result<(), StoreError> {
        self.change(|c| service_instances::remove(c, scope, id, who))
    }

    /// Refuses inactive customers; otherwise audits the launch (in its own
    /// transaction) and returns the instance's catalogue service.
    pub fn record_launch(
        &self,
        scope: &TreePath,
        id: Uuid,
        launch: &Launch,
        who: &AuditEntry,
    ) -> Result<Service, StoreError> {
        self.change(|c| service_instances::launch(c, scope, id, launch, who))
    }
}
