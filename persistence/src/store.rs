//! The one entry point the api crate uses.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, PooledConnection};
use domain::{OrgName, RoleSet, StatusChange, TreePath};
use uuid::Uuid;

use crate::audit::{Actor, AuditEntry};
use crate::bulk::{self, BulkOperator, BulkOrganization};
use crate::connection::{build_pool, establish, Backend, DbConn, DbPool};
use crate::error::StoreError;
use crate::idempotency::{self, IdempotencyClaim, StoredResponse};
use crate::migrations;
use crate::operators::{self, NewOperator, Operator, OperatorStatus};
use crate::organizations::{
    self, ChildrenFilter, DescendantFilter, NewOrganization, Organization, OrganizationPatch, PathEntry,
};
use crate::tx::{write, TreeLock};

/// Timestamps are stored in UTC at microsecond precision on both backends.
pub(crate) fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
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

    /// Applies pending migrations; returns how many ran.
    pub fn migrate(&self) -> Result<usize, StoreError> {
        migrations::run_pending(&mut *self.conn()?)
    }

    /// Reverts every migration (tests of the down migrations only).
    pub fn revert_all_migrations(&self) -> Result<(), StoreError> {
        migrations::revert_all(&mut *self.conn()?)
    }

    /// Readiness: the database answers and no migration is pending.
    pub fn ready(&self) -> Result<bool, StoreError> {
        let mut c = self.conn()?;
        c.batch_execute("SELECT 1")?;
        Ok(!migrations::has_pending(&mut c)?)
    }

    /// Opens a standalone connection, bypassing the pool (CLI checks).
    pub fn probe(url: &str) -> Result<(), StoreError> {
        establish(url).map(|_| ())
    }

    // ---- organisations ----

    pub fn root(&self) -> Result<Option<Organization>, StoreError> {
        use diesel::prelude::*;
        let mut c = self.conn()?;
        let id: Option<String> = crate::schema::organizations::table
            .filter(crate::schema::organizations::parent_id.is_null())
            .select(crate::schema::organizations::id)
            .first(&mut c)
            .optional()?;
        match id {
            Some(id) => organizations::find(&mut c, parse_uuid(&id)?),
            None => Ok(None),
        }
    }

    /// On an empty database: the provider root and its first admin, in one transaction.
    /// Returns `None` when a root already exists.
    pub fn bootstrap(
        &self,
        root_name: &OrgName,
        admin: &domain::WorkEmail,
        admin_name: &str,
    ) -> Result<Option<(Organization, Uuid)>, StoreError> {
        if self.root()?.is_some() {
            return Ok(None);
        }
        let who = AuditEntry::by(Actor::System);
        let mut c = self.conn()?;
        write(&mut c, TreeLock::Exclusive, |c| {
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

    pub fn organization(&self, id: Uuid) -> Result<Option<Organization>, StoreError> {
        organizations::find(&mut *self.conn()?, id)
    }

    pub fn path_entries(&self, ids: &[Uuid]) -> Result<Vec<PathEntry>, StoreError> {
        organizations::path_entries(&mut *self.conn()?, ids)
    }

    pub fn children(
        &self,
        parent: Uuid,
        filter: &ChildrenFilter,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Organization>, StoreError> {
        organizations::children(&mut *self.conn()?, parent, filter, after, limit)
    }

    pub fn descendants(
        &self,
        root: &TreePath,
        filter: &DescendantFilter,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Organization>, StoreError> {
        organizations::descendants(&mut *self.conn()?, root, filter, after, limit)
    }

    pub fn create_organization(
        &self,
        scope: &TreePath,
        new: &NewOrganization,
        who: &AuditEntry,
        claim: Option<&IdempotencyClaim>,
    ) -> Result<Organization, StoreError> {
        organizations::create(&mut *self.conn()?, scope, new, who, claim)
    }

    pub fn update_organization(
        &self,
        scope: &TreePath,
        id: Uuid,
        expected_version: Option<i64>,
        patch: &OrganizationPatch,
        who: &AuditEntry,
    ) -> Result<Organization, StoreError> {
        organizations::update(&mut *self.conn()?, scope, id, expected_version, patch, who)
    }

    pub fn move_organization(
        &self,
        scope: &TreePath,
        id: Uuid,
        new_parent: Uuid,
        who: &AuditEntry,
    ) -> Result<Organization, StoreError> {
        organizations::move_to(&mut *self.conn()?, scope, id, new_parent, who)
    }

    pub fn change_organization_status(
        &self,
        scope: &TreePath,
        id: Uuid,
        change: StatusChange,
        who: &AuditEntry,
    ) -> Result<Organization, StoreError> {
        organizations::change_status(&mut *self.conn()?, scope, id, change, who)
    }

    pub fn idempotent_result(&self, principal: Uuid, key: &str) -> Result<Option<StoredResponse>, StoreError> {
        idempotency::find(&mut *self.conn()?, principal, key)
    }

    // ---- operators ----

    pub fn operator(&self, id: Uuid) -> Result<Option<Operator>, StoreError> {
        operators::find(&mut *self.conn()?, id)
    }

    pub fn operators_by_email(&self, email: &str) -> Result<Vec<Operator>, StoreError> {
        operators::find_by_email(&mut *self.conn()?, email)
    }

    pub fn add_operator(&self, new: &NewOperator, who: &AuditEntry) -> Result<Uuid, StoreError> {
        let mut c = self.conn()?;
        write(&mut c, TreeLock::None, |c| operators::insert(c, new, who))
    }

    pub fn set_operator_status(&self, id: Uuid, status: OperatorStatus, who: &AuditEntry) -> Result<(), StoreError> {
        let mut c = self.conn()?;
        write(&mut c, TreeLock::None, |c| operators::set_status(c, id, status, who))
    }

    pub fn set_operator_roles(&self, id: Uuid, roles: &RoleSet, who: &AuditEntry) -> Result<(), StoreError> {
        let mut c = self.conn()?;
        write(&mut c, TreeLock::None, |c| operators::set_roles(c, id, roles, who))
    }

    // ---- bulk ----

    /// Inserts generated organisations (parents before children) in one transaction.
    pub fn bulk_insert_organizations(&self, orgs: &[BulkOrganization]) -> Result<(), StoreError> {
        let mut c = self.conn()?;
        write(&mut c, TreeLock::Shared, |c| bulk::insert_organizations(c, orgs))
    }

    pub fn bulk_insert_operators(&self, ops: &[BulkOperator]) -> Result<(), StoreError> {
        let who = AuditEntry::by(Actor::System);
        let mut c = self.conn()?;
        write(&mut c, TreeLock::None, |c| {
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
