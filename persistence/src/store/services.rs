//! The service catalogue.

use uuid::Uuid;

use super::Store;
use crate::audit::AuditEntry;
use crate::error::StoreError;
use crate::services::{self, NewService, Service, ServicePatch};

impl Store {
    /// Every catalogue service, by key.
    pub fn services(&self) -> Result<Vec<Service>, StoreError> {
        self.read(services::all)
    }

    pub fn service(&self, key: &str) -> Result<Option<Service>, StoreError> {
        self.read(|c| services::by_key(c, key))
    }

    /// Adds a service; `home` is the organisation whose log records it.
    pub fn create_service(&self, home: Uuid, new: &NewService, who: &AuditEntry) -> Result<Service, StoreError> {
        self.change(|c| services::create(c, home, new, who))
    }

    pub fn update_service(
        &self,
        home: Uuid,
        key: &str,
        expected_version: Option<i64>,
        patch: &ServicePatch,
        who: &AuditEntry,
    ) -> Result<Service, StoreError> {
        self.change(|c| services::update(c, home, key, expected_version, patch, who))
    }
}
