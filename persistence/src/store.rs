//! The one entry point the api crate uses.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, PooledConnection};
use std::collections::HashMap;

use domain::{DisplayName, OperatorStatus, RoleSet, StatusChange, TreePath};
use uuid::Uuid;

use crate::api_clients::{self, ApiClient};
use crate::audit::{Actor, AuditEntry};
use crate::bulk::{self, BulkCustomerUser, BulkOperator, BulkOrganization, BulkSubscription};
use crate::connection::{build_pool, Backend, DbConn, DbPool};
use crate::error::StoreError;
use crate::idempotency::{self, IdempotencyClaim, StoredResponse};
use crate::migrations;
use crate::operators::{self, ImportRow, NewOperator, Operator, OperatorFilter};
use crate::organizations::{
    self, ChildrenFilter, DescendantFilter, NewOrganization, Organization, OrganizationPatch, PathEntry,
};
use crate::tx::{write, TreeLock};

/// Timestamps are stored in UTC at microsecond precision on both backends.
pub(crate) fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A caller's "now" (or any instant) as stored: UTC, microseconds.
pub(crate) fn naive(ts: DateTime<Utc>) -> NaiveDateTime {
    ts.naive_utc().trunc_subsecs(6)
}

pub(crate) fn utc(ts: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(ts, Utc)
}

pub(crate) fn parse_uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::try_parse(s).map_err(|_| StoreError::Corrupt(format!("bad id `{s}`")))
}

#[derive(Clone)]
pub struct Store {
    pool: DbPool,
    backend: Backend,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish()
    }
}

impl Store {
    /// Connects to `url` (`postgres://…`, or a SQLite path) with a pool of `max_size`.
    pub fn connect(url: &str, max_size: u32) -> Result<Self, StoreError> {
        Ok(Self {
            pool: build_pool(url, max_size)?,
            backend: Backend::from_url(url),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn conn(&self) -> Result<PooledConnection<ConnectionManager<DbConn>>, StoreError> {
        Ok(self.pool.get()?)
    }

    /// Runs reads on one pooled connection.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        f(&mut *self.conn()?)
    }

    /// Runs a change in one write transaction.
    pub(crate) fn change<T>(
        &self,
        lock: TreeLock,
        f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        write(&mut *self.conn()?, lock, f)
    }

    /// Applies pending migrations; returns how many ran.
    pub fn migrate(&self) -> Result<usize, StoreError> {
        self.read(migrations::run_pending)
    }

    /// Reverts every migration (tests of the down migrations only).
    pub fn revert_all_migrations(&self) -> Result<(), StoreError> {
        self.read(migrations::revert_all)
    }

    /// Readiness: the database answers and no migration is pending.
    pub fn ready(&self) -> Result<bool, StoreError> {
        let mut c = self.conn()?;
        c.batch_execute("SELECT 1")?;
        Ok(!migrations::has_pending(&mut c)?)
    }

    // ---- organisations ----

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
        admin_name: &str,
    ) -> Result<Option<(Organization, Uuid)>, StoreError> {
        if self.root()?.is_some() {
            return Ok(None);
        }
        let who = AuditEntry::by(Actor::System);
        self.change(TreeLock::Exclusive, |c| {
            let root = organizations::create_root(c, root_name, &who)?;
            let admin_id = operators::insert(
                c,
                &NewOperator {
                    home_organization_id: root.id,
                    email: admin.clone(),
                    name: admin_name.to_string(),
                    roles: RoleSet::new([domain::Role::Admin]),
                    status: OperatorStatus::Invited,
                },
                &who,
            )?;
            Ok(Some((root, admin_id)))
        })
    }

    /// Whether any customer, live or archived, has this primary domain.
    pub fn domain_taken(&self, domain: &str) -> Result<bool, StoreError> {
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
        claim: Option<&IdempotencyClaim>,
    ) -> Result<Organization, StoreError> {
        self.read(|c| organizations::create(c, scope, new, who, claim))
    }

    pub fn update_organization(
        &self,
        scope: &TreePath,
        id: Uuid,
        expected_version: Option<i64>,
        patch: &OrganizationPatch,
        who: &AuditEntry,
    ) -> Result<Organization, StoreError> {
        self.read(|c| organizations::update(c, scope, id, expected_version, patch, who))
    }

    pub fn move_organization(
        &self,
        scope: &TreePath,
        id: Uuid,
        new_parent: Uuid,
        who: &AuditEntry,
    ) -> Result<Organization, StoreError> {
        self.read(|c| organizations::move_to(c, scope, id, new_parent, who))
    }

    pub fn change_organization_status(
        &self,
        scope: &TreePath,
        id: Uuid,
        change: StatusChange,
        who: &AuditEntry,
    ) -> Result<Organization, StoreError> {
        self.read(|c| organizations::change_status(c, scope, id, change, who))
    }

    pub fn idempotent_result(&self, principal: Uuid, key: &str) -> Result<Option<StoredResponse>, StoreError> {
        self.read(|c| idempotency::find(c, principal, key))
    }

    // ---- operators ----

    pub fn operator(&self, id: Uuid) -> Result<Option<Operator>, StoreError> {
        self.read(|c| operators::find(c, id))
    }

    pub fn operators_by_email(&self, email: &str) -> Result<Vec<Operator>, StoreError> {
        self.read(|c| operators::find_by_email(c, email))
    }

    pub fn add_operator(&self, new: &NewOperator, who: &AuditEntry) -> Result<Uuid, StoreError> {
        self.change(TreeLock::None, |c| operators::insert(c, new, who))
    }

    /// Adds an operator to an organisation in `scope` (re-checked in the transaction)
    /// and queues the invitation mail in the same transaction.
    pub fn invite_operator(
        &self,
        scope: &TreePath,
        new: &NewOperator,
        mail: &crate::OutgoingMail,
        who: &AuditEntry,
    ) -> Result<Operator, StoreError> {
        self.change(TreeLock::None, |c| {
            organizations::lock_in_scope(c, scope, new.home_organization_id, organizations::RowLock::Share)?;
            let id = operators::insert(c, new, who)?;
            crate::mail_outbox::enqueue(c, mail, now())?;
            operators::find(c, id)?.ok_or(StoreError::NotFound)
        })
    }

    pub fn list_operators(
        &self,
        root: &TreePath,
        filter: &OperatorFilter,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Operator>, StoreError> {
        self.read(|c| operators::list(c, root, filter, after, limit))
    }

    /// Changes name and/or roles under the admin rules; `actor` is who asks.
    #[allow(clippy::too_many_arguments)]
    pub fn update_operator(
        &self,
        scope: &TreePath,
        actor: Uuid,
        id: Uuid,
        expected_version: Option<i64>,
        name: Option<&str>,
        roles: Option<&RoleSet>,
        who: &AuditEntry,
    ) -> Result<Operator, StoreError> {
        self.change(TreeLock::None, |c| {
            operators::update(c, scope, actor, id, expected_version, name, roles, who)
        })
    }

    /// Disables (`enable = false`) or re-enables an operator under the admin rules.
    pub fn set_operator_enabled(
        &self,
        scope: &TreePath,
        actor: Uuid,
        id: Uuid,
        enable: bool,
        who: &AuditEntry,
    ) -> Result<Operator, StoreError> {
        self.change(TreeLock::None, |c| {
            operators::set_status(c, scope, actor, id, enable, who)
        })
    }

    /// Records a sign-in with a token issued at `issued_at` (a write only for a new token).
    pub fn record_sign_in(&self, op: &Operator, issued_at: DateTime<Utc>) -> Result<(), StoreError> {
        self.change(TreeLock::None, |c| operators::record_sign_in(c, op, issued_at))
    }

    /// The children of `parent` named `name` (case-insensitive), at most two.
    pub fn children_named(&self, parent: Uuid, name: &str) -> Result<Vec<Organization>, StoreError> {
        self.read(|c| organizations::child_named(c, parent, name))
    }

    /// Which of these (home, e-mail) pairs already are operators.
    pub fn existing_operators(&self, pairs: &[(Uuid, String)]) -> Result<HashMap<(Uuid, String), Uuid>, StoreError> {
        self.read(|c| operators::existing_pairs(c, pairs))
    }

    /// Inserts an import's new operators in one transaction (all or nothing),
    /// re-checking inside it that none appeared meanwhile.
    pub fn import_operators(
        &self,
        scope: &TreePath,
        rows: &[ImportRow],
        who: &AuditEntry,
    ) -> Result<Vec<Uuid>, StoreError> {
        self.change(TreeLock::Shared, |c| {
            let mut homes: Vec<Uuid> = rows.iter().map(|r| r.home_organization_id).collect();
            homes.sort_unstable();
            homes.dedup();
            for home in homes {
                organizations::lock_in_scope(c, scope, home, organizations::RowLock::Share)?;
            }
            operators::insert_all(c, rows, who)
        })
    }

    // ---- API clients ----

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
        name: &str,
        roles: &RoleSet,
        secret_hash: &str,
        who: &AuditEntry,
    ) -> Result<ApiClient, StoreError> {
        self.change(TreeLock::None, |c| {
            api_clients::create(c, scope, home, name, roles, secret_hash, who)
        })
    }

    pub fn rotate_api_client_secret(
        &self,
        scope: &TreePath,
        id: Uuid,
        secret_hash: &str,
        who: &AuditEntry,
    ) -> Result<ApiClient, StoreError> {
        self.change(TreeLock::None, |c| api_clients::rotate(c, scope, id, secret_hash, who))
    }

    pub fn update_api_client(
        &self,
        scope: &TreePath,
        id: Uuid,
        name: Option<&str>,
        roles: Option<&RoleSet>,
        who: &AuditEntry,
    ) -> Result<ApiClient, StoreError> {
        self.change(TreeLock::None, |c| api_clients::update(c, scope, id, name, roles, who))
    }

    pub fn revoke_api_client(&self, scope: &TreePath, id: Uuid, who: &AuditEntry) -> Result<ApiClient, StoreError> {
        self.change(TreeLock::None, |c| api_clients::revoke(c, scope, id, who))
    }

    /// A token was granted to this client.
    pub fn api_client_used(&self, client: &ApiClient) -> Result<(), StoreError> {
        self.change(TreeLock::None, |c| api_clients::touch(c, client))
    }

    // ---- bulk ----

    /// Inserts generated organisations (parents before children) in one transaction.
    pub fn bulk_insert_organizations(&self, orgs: &[BulkOrganization]) -> Result<(), StoreError> {
        self.change(TreeLock::Shared, |c| bulk::insert_organizations(c, orgs))
    }

    /// Inserts generated subscriptions, their seat history and customer users in one transaction.
    pub fn bulk_insert_customer_data(
        &self,
        subs: &[BulkSubscription],
        users: &[BulkCustomerUser],
    ) -> Result<(), StoreError> {
        self.change(TreeLock::Shared, |c| {
            bulk::insert_subscriptions(c, subs)?;
            bulk::insert_customer_users(c, users)
        })
    }

    pub fn bulk_insert_operators(&self, ops: &[BulkOperator]) -> Result<(), StoreError> {
        let who = AuditEntry::by(Actor::System);
        self.change(TreeLock::None, |c| {
            for op in ops {
                let email = domain::WorkEmail::parse(&op.email, "email").map_err(domain::DomainError::from)?;
                operators::insert(
                    c,
                    &NewOperator {
                        home_organization_id: op.home_organization_id,
                        email,
                        name: op.name.clone(),
                        roles: RoleSet::from_storage(&op.roles),
                        status: OperatorStatus::Active,
                    },
                    &who,
                )?;
            }
            Ok(())
        })
    }

    /// Counts audit events (tests check that every change wrote one).
    pub fn audit_event_count(&self, target: Uuid) -> Result<i64, StoreError> {
        use crate::schema::audit_events::dsl as a;
        use diesel::prelude::*;
        Ok(a::audit_events
            .filter(a::target_id.eq(target.to_string()))
            .count()
            .get_result(&mut *self.conn()?)?)
    }
}
