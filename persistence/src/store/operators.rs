//! Operators: invitations, role and status changes, sign-ins and imports.

use chrono::{DateTime, Utc};
use domain::{DisplayName, RoleSet, TreePath};
use uuid::Uuid;

use super::Store;
use crate::audit::AuditEntry;
use crate::connection::DbConn;
use crate::credentials::{self, NewPasswordLink, PasswordLinkHolder, PasswordLinkPurpose};
use crate::error::StoreError;
use crate::mail_outbox::{self, OutgoingMail};
use crate::operators::{self, ImportRow, NewOperator, Operator, OperatorFilter};
use crate::organizations::{self, Organization, RowLock};
use crate::time::now;

impl Store {
    pub fn operator(&self, id: Uuid) -> Result<Option<Operator>, StoreError> {
        self.read(|c| operators::find(c, id))
    }

    pub fn operators_by_email(&self, email: &str) -> Result<Vec<Operator>, StoreError> {
        self.read(|c| operators::find_by_email(c, email))
    }

    pub fn add_operator(&self, new: &NewOperator, who: &AuditEntry) -> Result<Uuid, StoreError> {
        self.change(|c| operators::insert(c, new, who))
    }

    /// Adds an operator to an organisation in `scope` (re-checked in the transaction)
    /// and queues the invitation mail, whose set-password link (`link`: the
    /// token's hash and expiry) is stored in the same transaction.
    pub fn invite_operator(
        &self,
        scope: &TreePath,
        new: &NewOperator,
        link: (&str, DateTime<Utc>),
        mail: &OutgoingMail,
        who: &AuditEntry,
    ) -> Result<Operator, StoreError> {
        self.change(|c| {
            organizations::lock_in_scope(c, scope, new.home_organization_id, RowLock::Share)?;
            let id = operators::insert(c, new, who)?;
            let (token_hash, expires_at) = link;
            credentials::insert_link(
                c,
                &NewPasswordLink {
                    holder: PasswordLinkHolder::Operator(id),
                    purpose: PasswordLinkPurpose::Invitation,
                    token_hash: token_hash.to_string(),
                    expires_at,
                },
                Utc::now(),
            )?;
            mail_outbox::enqueue(c, mail, now())?;
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
        name: Option<&DisplayName>,
        roles: Option<&RoleSet>,
        who: &AuditEntry,
    ) -> Result<Operator, StoreError> {
        self.change(|c| operators::update(c, scope, actor, id, expected_version, name, roles, who))
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
        self.change(|c| operators::set_status(c, scope, actor, id, enable, who))
    }

    /// Records a sign-in with a token issued at `issued_at` (a write only for a new token).
    pub fn record_sign_in(&self, op: &Operator, issued_at: DateTime<Utc>) -> Result<(), StoreError> {
        self.change(|c| operators::record_sign_in(c, op, issued_at))
    }

    /// The children of `parent` named `name` (case-insensitive), at most two.
    pub fn children_named(&self, parent: Uuid, name: &str) -> Result<Vec<Organization>, StoreError> {
        self.read(|c| organizations::child_named(c, parent, name))
    }

    /// The writes of a streamed import, in one transaction (all or nothing; a
    /// dry run writes nothing and takes no write lock). `next` yields the
    /// file's valid rows a batch at a time; of each batch the operators already
    /// present are looked up and the others inserted with their audit events,
    /// and `report` hears every row: the operator's id (`None` for a new one on
    /// a dry run) and whether it already existed. Memory is one batch.
    pub fn import_operators(
        &self,
        scope: &TreePath,
        who: &AuditEntry,
        dry_run: bool,
        mut next: impl FnMut() -> Result<Option<Vec<ImportRow>>, StoreError>,
        mut report: impl FnMut(&ImportRow, Option<Uuid>, Imported) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut batches = |c: &mut DbConn| -> Result<(), StoreError> {
            while let Some(rows) = next()? {
                let key = |r: &ImportRow| (r.home_organization_id, r.email.as_str().to_string());
                let pairs: Vec<(Uuid, String)> = rows.iter().map(key).collect();
                let present = operators::existing_pairs(c, &pairs)?;
                let (existing, new): (Vec<ImportRow>, Vec<ImportRow>) =
                    rows.into_iter().partition(|r| present.contains_key(&key(r)));
                for r in &existing {
                    report(r, present.get(&key(r)).copied(), Imported::Existing)?;
                }
                if dry_run || new.is_empty() {
                    for r in &new {
                        report(r, None, Imported::Created)?;
                    }
                    continue;
                }
                let mut homes: Vec<Uuid> = new.iter().map(|r| r.home_organization_id).collect();
                homes.sort_unstable();
                homes.dedup();
                for home in homes {
                    organizations::lock_in_scope(c, scope, home, RowLock::Share)?;
                }
                let ids = operators::insert_all(c, &new, who)?;
                for (r, id) in new.iter().zip(ids) {
                    report(r, Some(id), Imported::Created)?;
                }
            }
            Ok(())
        };
        if dry_run {
            let mut c = self.conn()?;
            batches(c.db()?)
        } else {
            self.change(batches)
        }
    }
}

/// What an import did with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    /// A new operator (or, on a dry run, one that would be created).
    Created,
    /// The operator was already there: reported, not duplicated.
    Existing,
}
