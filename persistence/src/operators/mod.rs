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
use domain::{
    AuditAction, DisplayName, OperatorStatus, OrgKind, OrgStatus, Principal, PrincipalKind, RoleSet, TreePath,
    WorkEmail,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, AuditEntry, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::home::HomeRow;
use crate::ids::parse_uuid;
use crate::schema::{operators, organizations};
use crate::time::{now, utc};

#[derive(Debug, Clone)]
pub struct Operator {
    pub id: Uuid,
    pub home_organization_id: Uuid,
    pub email: String,
    pub name: String,
    pub roles: RoleSet,
    pub status: OperatorStatus,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// The last password change or reset: tokens issued before it are refused.
    pub credentials_changed_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The home organisation, read in the same statement.
    pub home_kind: OrgKind,
    pub home_path: TreePath,
    pub home_status: OrgStatus,
}

impl domain::Scoped for Operator {
    fn scope_path(&self) -> &domain::TreePath {
        &self.home_path
    }
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
        self.status.may_act(self.home_status)
    }
}

#[derive(Debug, Clone)]
pub struct NewOperator {
    pub home_organization_id: Uuid,
    pub email: WorkEmail,
    pub name: DisplayName,
    pub roles: RoleSet,
    pub status: OperatorStatus,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = operators)]
pub(crate) struct OperatorRow {
    id: String,
    home_organization_id: String,
    email: String,
    name: String,
    roles: String,
    status: String,
    last_sign_in_at: Option<NaiveDateTime>,
    credentials_changed_at: Option<NaiveDateTime>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    #[diesel(embed)]
    home: HomeRow,
}

impl OperatorRow {
    pub(crate) fn into_model(self) -> Result<Operator, StoreError> {
        let owner = format!("operator {}", self.id);
        let home = self.home.parse(&owner)?;
        Ok(Operator {
            id: parse_uuid(&self.id)?,
            home_organization_id: parse_uuid(&self.home_organization_id)?,
            email: self.email,
            name: self.name,
            roles: RoleSet::from_storage(&self.roles),
            status: OperatorStatus::parse(&self.status)
                .ok_or_else(|| StoreError::Corrupt(format!("{owner}: bad status")))?,
            last_sign_in_at: self.last_sign_in_at.map(utc),
            credentials_changed_at: self.credentials_changed_at.map(utc),
            version: self.version,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
            home_kind: home.kind,
            home_path: home.path,
            home_status: home.status,
        })
    }
}

/// One statement: the operator with its home organisation.
pub(crate) fn find(conn: &mut DbConn, id: Uuid) -> Result<Option<Operator>, StoreError> {
    operators::table
        .inner_join(organizations::table)
        .filter(operators::id.eq(id.to_string()))
        .select(OperatorRow::as_select())
        .first(conn)
        .optional()?
        .map(OperatorRow::into_model)
        .transpose()
}

/// Every operator with this e-mail (one per home organisation at most), compared lowercased.
pub(crate) fn find_by_email(conn: &mut DbConn, email: &str) -> Result<Vec<Operator>, StoreError> {
    operators::table
        .inner_join(organizations::table)
        .filter(operators::email.eq(email.trim().to_lowercase()))
        .select(OperatorRow::as_select())
        .order(operators::id.asc())
        .load(conn)?
        .into_iter()
        .map(OperatorRow::into_model)
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
            operators::name.eq(new.name.as_str()),
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
            action: AuditAction::OperatorCreated,
            target_type: "operator",
            target_id: id,
            details: json!({"email": new.email.as_str(), "roles": new.roles.to_storage()}),
        },
    )?;
    Ok(id)
}
