//! Operators: the people who sign in. Loaded with their home organisation on
//! every request, so role and status changes apply at once.

mod commands;
mod import;
mod queries;

pub(crate) use commands::{record_sign_in, set_status, update};
pub(crate) use import::{existing_pairs, insert_all};
pub use import::{ImportOutcome, ImportRow};
pub(crate) use queries::list;
pub use queries::OperatorFilter;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::{OperatorStatus, OrgKind, OrgStatus, Principal, PrincipalKind, RoleSet, TreePath, WorkEmail};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, AuditEntry, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{operators, organizations};
use crate::store::{now, parse_uuid, utc};

#[derive(Debug, Clone)]
pub struct Operator {
    pub id: Uuid,
    pub home_organization_id: Uuid,
    pub email: String,
    pub name: String,
    pub roles: RoleSet,
    pub status: OperatorStatus,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The home organisation, read in the same statement.
    pub home_kind: OrgKind,
    pub home_path: TreePath,
    pub home_status: OrgStatus,
}

impl Operator {
    pub fn principal(&self) -> Principal {
        Principal {
            id: self.id,
            kind: PrincipalKind::Operator,
            email: Some(self.email.clone()),
            home_id: self.home_organization_id,
            home_kind: self.home_kind,
            home_path: self.home_path.clone(),
            roles: self.roles.clone(),
        }
    }

    /// Disabled operators, and operators of a suspended or archived organisation, cannot act.
    pub fn may_sign_in(&self) -> bool {
        self.status != OperatorStatus::Disabled && matches!(self.home_status, OrgStatus::Active | OrgStatus::Pending)
    }
}

#[derive(Debug, Clone)]
pub struct NewOperator {
    pub home_organization_id: Uuid,
    pub email: WorkEmail,
    pub name: String,
    pub roles: RoleSet,
    pub status: OperatorStatus,
}

pub(crate) type JoinedRow = (
    (
        String,
        String,
        String,
        String,
        String,
        String,
        Option<NaiveDateTime>,
        i64,
        NaiveDateTime,
        NaiveDateTime,
    ),
    (String, String, String),
);

type Columns = (
    (
        operators::id,
        operators::home_organization_id,
        operators::email,
        operators::name,
        operators::roles,
        operators::status,
        operators::last_sign_in_at,
        operators::version,
        operators::created_at,
        operators::updated_at,
    ),
    (organizations::kind, organizations::path, organizations::status),
);

pub(crate) const COLUMNS: Columns = (
    (
        operators::id,
        operators::home_organization_id,
        operators::email,
        operators::name,
        operators::roles,
        operators::status,
        operators::last_sign_in_at,
        operators::version,
        operators::created_at,
        operators::updated_at,
    ),
    (organizations::kind, organizations::path, organizations::status),
);

pub(crate) fn into_model(
    ((id, home, email, name, roles, status, last, version, created, updated), (kind, path, home_status)): JoinedRow,
) -> Result<Operator, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("operator {id}: bad {what}"));
    Ok(Operator {
        id: parse_uuid(&id)?,
        home_organization_id: parse_uuid(&home)?,
        email,
        name,
        roles: RoleSet::from_storage(&roles),
        status: OperatorStatus::parse(&status).ok_or_else(|| corrupt("status"))?,
        last_sign_in_at: last.map(utc),
        version,
        created_at: utc(created),
        updated_at: utc(updated),
        home_kind: OrgKind::parse(&kind).ok_or_else(|| corrupt("home kind"))?,
        home_path: TreePath::parse(&path).map_err(|_| corrupt("home path"))?,
        home_status: OrgStatus::parse(&home_status).ok_or_else(|| corrupt("home status"))?,
    })
}

/// One statement: the operator with its home organisation.
pub(crate) fn find(conn: &mut DbConn, id: Uuid) -> Result<Option<Operator>, StoreError> {
    operators::table
        .inner_join(organizations::table)
        .filter(operators::id.eq(id.to_string()))
        .select(COLUMNS)
        .first::<JoinedRow>(conn)
        .optional()?
        .map(into_model)
        .transpose()
}

/// Every operator with this e-mail (one per home organisation at most), compared lowercased.
pub(crate) fn find_by_email(conn: &mut DbConn, email: &str) -> Result<Vec<Operator>, StoreError> {
    operators::table
        .inner_join(organizations::table)
        .filter(operators::email.eq(email.trim().to_lowercase()))
        .select(COLUMNS)
        .order(operators::id.asc())
        .load::<JoinedRow>(conn)?
        .into_iter()
        .map(into_model)
        .collect()
}

pub(crate) fn insert(conn: &mut DbConn, new: &NewOperator, who: &AuditEntry) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let ts = now();
    diesel::insert_into(operators::table)
        .values((
            operators::id.eq(id.to_string()),
            operators::home_organization_id.eq(new.home_organization_id.to_string()),
            operators::email.eq(new.email.as_str()),
            operators::name.eq(&new.name),
            operators::roles.eq(new.roles.to_storage()),
            operators::status.eq(new.status.as_str()),
            operators::version.eq(1_i64),
            operators::created_at.eq(ts),
            operators::updated_at.eq(ts),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        who,
        Event {
            organization_id: new.home_organization_id,
            action: "operator.created",
            target_type: "operator",
            target_id: id,
            details: json!({"email": new.email.as_str(), "roles": new.roles.to_storage()}),
        },
    )?;
    Ok(id)
}
