//! API clients: credentials, secrets and their use.

use domain::{DisplayName, RoleSet, TreePath};
use uuid::Uuid;

use super::Store;
use crate::api_clients::{self, ApiClient};
use crate::audit::AuditEntry;
use crate::error::StoreError;

impl Store {
    pub fn api_client(&self, id: Uuid) -> Result<Option<ApiClient>, StoreError> {
        self.read(|c| api_clients::find(c, id))
    }

    pub fn list_api_clients(
        &self,
        root: &TreePath,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<ApiClient>, StoreError> {
        self.read(|c| api_clients::list(c, root, after, limit))
    }

    pub fn create_api_client(
        &self,
        scope: &TreePath,
        home: Uuid,
        name: &DisplayName,
        roles: &RoleSet,
        secret_hash: &str,
        who: &AuditEntry,
    ) -> Result<ApiClient, StoreError> {
        self.change(|c| api_clients::create(c, scope, home, name, roles, secret_hash, who))
    }

    pub fn rotate_api_client_secret(
        &self,
        scope: &TreePath,
        id: Uuid,
        secret_hash: &str,
        who: &AuditEntry,
    ) -> Result<ApiClient, StoreError> {
        self.change(|c| api_clients::rotate(c, scope, id, secret_hash, who))
    }

    pub fn update_api_client(
        &self,
        scope: &TreePath,
        id: Uuid,
        name: Option<&DisplayName>,
        roles: Option<&RoleSet>,
        who: &AuditEntry,
    ) -> Result<ApiClient, StoreError> {
        self.change(|c| api_clients::update(c, scope, id, name, roles, who))
    }

    pub fn revoke_api_client(&self, scope: &TreePath, id: Uuid, who: &AuditEntry) -> Result<ApiClient, StoreError> {
        self.change(|c| api_clients::revoke(c, scope, id, who))
    }

    /// A token was granted to this client.
    pub fn api_client_used(&self, client: &ApiClient) -> Result<(), StoreError> {
        self.change(|c| api_clients::touch(c, client))
    }
}
