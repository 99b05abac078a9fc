//! Organisations: the tree, its changes, and idempotent creates.

use domain::{DisplayName, OperatorStatus, RoleSet, StatusChange, TenantDomain, TreePath};
use uuid::Uuid;

use super::Store;
use crate::audit::{Actor, AuditEntry};
use crate::error::StoreError;
use crate::operators::{self, NewOperator};
use crate::organizations::{
    self, ChildrenFilter, DescendantFilter, NewOrganization, Organization, OrganizationPatch, PathEntry,
};

impl Store {
    /// The provider root, if the database has one.
    pub fn root(&self) -> Result<Option<Organization>, StoreError> {
        self.read(organizations::root)
    }

    /// On an empty database: the provider root and its first admin, in one transaction.
    /// Returns `None` when a root already exists.
    pub fn bootstrap(
        &self,
        root_name: &DisplayName,
        admin: &domain::WorkEmail,
        admin_name: &DisplayName,
    ) -> Result<Option<(Organization, Uuid)>, StoreError> {
        if self.root()?.is_some() {
            return Ok(None);
        }
        let who = AuditEntry::by(Actor::System);
        self.change(|c| {
            let root = organizations::create_root(c, root_name, &who)?;
            let admin_id = operators::insert(
                c,
                &NewOperator {
                    home_organization_id: root.id,
                    email: admin.clone(),
                    name: admin_name.clone(),
                    roles: RoleSet::new([domain::Role::Admin]),
                    status: OperatorStatus::Invited,
                },
                &who,
            )?;
            Ok(Some((root, admin_id)))
        })
    }

    /// Whether any customer, live or archived, has this primary domain.
    pub fn domain_taken(&self, domain: &TenantDomain) -> Result<bool, StoreError> {
        self.read(|c| organizations::domain_taken(c, domain))
    }

    pub fn organization(&self, id: Uuid) -> Result<Option<Organization>, StoreError> {
        self.read(|c| organizations::find(c, id))
    }

    pub fn path_entries(&self, ids: &[Uuid]) -> Result<Vec<PathEntry>, StoreError> {
        self.read(|c| organizations::path_entries(c, ids))
    }

    pub fn children(
        &self,
        parent: Uuid,
        filter: &ChildrenFilter,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Organization>, StoreError> {
        self.read(|c| organizations::children(c, parent, filter, after, limit))
    }

    pub fn descendants(
        &self,
        root: &TreePath,
        filter: &DescendantFilter,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Organization>, StoreError> {
        self.read(|c| organizations::descendants(c, root, filter, after, limit))
    }

    pub fn create_organization(
        &self,
        scope: &TreePath,
        new: &NewOrganization,
        who: &AuditEntry,
    ) -> Result<Organization, StoreError> {
        self.change(|c| organizations::insert_child(c, scope, new, who))
    }

    pub fn update_organization(
        &self,
        scope: &TreePath,
        id: Uuid,
        expected_version: Option<i64>,
        patch: &OrganizationPatch,
        who: &AuditEntry,
    ) -> Result<Organization, StoreError> {
        self.change(|c| organizations::update(c, scope, id, expected_version, patch, who))
    }

    pub fn move_organization(
        &self,
        scope: &TreePath,
        id: Uuid,
        new_parent: Uuid,
        who: &AuditEntry,
    ) -> Result<Organization, StoreError> {
        self.change_retrying_deadlocks(|c| organizations::move_to(c, scope, id, new_parent, who))
    }

    pub fn change_organization_status(
        &self,
        scope: &TreePath,
        id: Uuid,
        change: StatusChange,
        who: &AuditEntry,
    ) -> Result<Organization, StoreError> {
        self.change(|c| organizations::set_status(c, scope, id, change, who))
    }
}
