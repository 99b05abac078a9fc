//! API clients: credentials of PSA integrations. The secret is stored only as a
//! SHA-256 hash (it is random, 256 bits, so a fast hash is enough).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::{
    ApiClientStatus, AuditAction, DisplayName, OrgKind, OrgStatus, Principal, PrincipalKind, RoleSet, TreePath,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, AuditEntry, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::home::HomeRow;
use crate::ids::parse_uuid;
use crate::organizations::{lock_in_scope, RowLock};
use crate::schema::{api_clients, organizations};
use crate::time::{now, utc};

#[derive(Debug, Clone)]
pub struct ApiClient {
    pub id: Uuid,
    pub home_organization_id: Uuid,
    pub name: String,
    pub roles: RoleSet,
    pub status: ApiClientStatus,
    pub secret_hash: String,
    pub last_used_at: Option<DateTime<Utc>>,
    /// When the secret was last rotated: tokens issued before it are refused.
    pub secret_rotated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub home_kind: OrgKind,
    pub home_path: TreePath,
    pub home_status: OrgStatus,
}

impl domain::Scoped for ApiClient {
    fn scope_path(&self) -> &domain::TreePath {
        &self.home_path
    }
}

impl ApiClient {
    pub fn principal(&self) -> Principal {
        Principal {
            id: self.id,
            kind: PrincipalKind::ApiClient,
            email: None,
            home_id: self.home_organization_id,
            home_kind: self.home_kind,
            home_path: self.home_path.clone(),
            roles: self.roles.clone(),
        }
    }

    /// Revoked clients, and clients of a suspended or archived organisation, cannot act.
    pub fn may_act(&self) -> bool {
        self.status.may_act(self.home_status)
    }

    /// A token issued at `issued_at` still speaks for this client: it was not
    /// issued before the secret's last rotation.
    pub fn accepts_token_issued_at(&self, issued_at: DateTime<Utc>) -> bool {
        !domain::api_client::issued_before_rotation(issued_at, self.secret_rotated_at)
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_clients)]
struct ApiClientRow {
    id: String,
    home_organization_id: String,
    name: String,
    roles: String,
    status: String,
    secret_hash: String,
    last_used_at: Option<NaiveDateTime>,
    secret_rotated_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    #[diesel(embed)]
    home: HomeRow,
}

impl ApiClientRow {
    fn into_model(self) -> Result<ApiClient, StoreError> {
        let owner = format!("api client {}", self.id);
        let home = self.home.parse(&owner)?;
        Ok(ApiClient {
            id: parse_uuid(&self.id)?,
            home_organization_id: parse_uuid(&self.home_organization_id)?,
            name: self.name,
            roles: RoleSet::from_storage(&self.roles),
            status: ApiClientStatus::parse(&self.status)
                .ok_or_else(|| StoreError::Corrupt(format!("{owner}: bad status")))?,
            secret_hash: self.secret_hash,
            last_used_at: self.last_used_at.map(utc),
            secret_rotated_at: self.secret_rotated_at.map(utc),
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
            home_kind: home.kind,
            home_path: home.path,
            home_status: home.status,
        })
    }
}

pub(crate) fn find(conn: &mut DbConn, id: Uuid) -> Result<Option<ApiClient>, StoreError> {
    api_clients::table
        .inner_join(organizations::table)
        .filter(api_clients::id.eq(id.to_string()))
        .select(ApiClientRow::as_select())
        .first(conn)
        .optional()?
        .map(ApiClientRow::into_model)
        .transpose()
}

/// Clients whose home lies in the subtree at `root`, oldest first.
pub(crate) fn list(
    conn: &mut DbConn,
    root: &TreePath,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<ApiClient>, StoreError> {
    let mut q = api_clients::table
        .inner_join(organizations::table)
        .filter(organizations::path.ge(root.as_str().to_string()))
        .filter(organizations::path.lt(root.upper_bound()))
        .select(ApiClientRow::as_select())
        .order(api_clients::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(api_clients::id.gt(after.to_string()));
    }
    q.load(conn)?.into_iter().map(ApiClientRow::into_model).collect()
}

fn event(client: Uuid, org: Uuid, action: AuditAction, details: serde_json::Value) -> Event<'static> {
    Event {
        organization_id: org,
        action,
        target_type: "api_client",
        target_id: client,
        details,
    }
}

pub(crate) fn create(
    conn: &mut DbConn,
    scope: &TreePath,
    home: Uuid,
    name: &DisplayName,
    roles: &RoleSet,
    secret_hash: &str,
    who: &AuditEntry,
) -> Result<ApiClient, StoreError> {
    lock_in_scope(conn, scope, home, RowLock::Share)?;
    let id = Uuid::now_v7();
    let ts = now();
    diesel::insert_into(api_clients::table)
        .values((
            api_clients::id.eq(id.to_string()),
            api_clients::home_organization_id.eq(home.to_string()),
            api_clients::name.eq(name.as_str()),
            api_clients::roles.eq(roles.to_storage()),
            api_clients::secret_hash.eq(secret_hash),
            api_clients::status.eq(ApiClientStatus::Active.as_str()),
            api_clients::version.eq(1_i64),
            api_clients::created_at.eq(ts),
            api_clients::updated_at.eq(ts),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        who,
        event(
            id,
            home,
            AuditAction::ApiClientCreated,
            json!({"name": name.as_str(), "roles": roles.to_storage()}),
        ),
    )?;
    find(conn, id)?.ok_or(StoreError::NotFound)
}

fn visible(conn: &mut DbConn, scope: &TreePath, id: Uuid) -> Result<ApiClient, StoreError> {
    find(conn, id)?
        .filter(|c| scope.is_ancestor_or_self_of(&c.home_path))
        .ok_or(StoreError::NotFound)
}

/// Replaces the secret; a revoked client cannot be given a new one.
pub(crate) fn rotate(
    conn: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    secret_hash: &str,
    who: &AuditEntry,
) -> Result<ApiClient, StoreError> {
    let client = visible(conn, scope, id)?;
    client.status.check_rotatable()?;
    let ts = now();
    diesel::update(api_clients::table.find(id.to_string()))
        .set((
            api_clients::secret_hash.eq(secret_hash),
            api_clients::secret_rotated_at.eq(ts),
            api_clients::version.eq(api_clients::version + 1),
            api_clients::updated_at.eq(ts),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        who,
        event(
            id,
            client.home_organization_id,
            AuditAction::ApiClientSecretRotated,
            json!({}),
        ),
    )?;
    find(conn, id)?.ok_or(StoreError::NotFound)
}

pub(crate) fn revoke(conn: &mut DbConn, scope: &TreePath, id: Uuid, who: &AuditEntry) -> Result<ApiClient, StoreError> {
    let client = visible(conn, scope, id)?;
    let changed = diesel::update(api_clients::table.find(id.to_string()))
        .filter(api_clients::status.eq(ApiClientStatus::Active.as_str()))
        .set((
            api_clients::status.eq(ApiClientStatus::Revoked.as_str()),
            api_clients::version.eq(api_clients::version + 1),
            api_clients::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if changed > 0 {
        audit::record(
            conn,
            who,
            event(
                id,
                client.home_organization_id,
                AuditAction::ApiClientRevoked,
                json!({}),
            ),
        )?;
    }
    find(conn, id)?.ok_or(StoreError::NotFound)
}

/// Renames a client or changes its roles; the new roles apply to its next
/// request. A revoked client cannot be changed.
pub(crate) fn update(
    conn: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    name: Option<&DisplayName>,
    roles: Option<&RoleSet>,
    who: &AuditEntry,
) -> Result<ApiClient, StoreError> {
    let name = name.map(DisplayName::as_str);
    let client = visible(conn, scope, id)?;
    client.status.check_changeable()?;
    diesel::update(api_clients::table.find(id.to_string()))
        .set((
            name.map(|n| api_clients::name.eq(n.to_string())),
            roles.map(|r| api_clients::roles.eq(r.to_storage())),
            api_clients::version.eq(api_clients::version + 1),
            api_clients::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        who,
        event(
            id,
            client.home_organization_id,
            AuditAction::ApiClientUpdated,
            json!({"name": name, "roles": roles.map(|r| json!({"from": client.roles.to_storage(), "to": r.to_storage()}))}),
        ),
    )?;
    find(conn, id)?.ok_or(StoreError::NotFound)
}

/// A successful token grant: the client was used now.
pub(crate) fn touch(conn: &mut DbConn, client: &ApiClient) -> Result<(), StoreError> {
    diesel::update(api_clients::table.find(client.id.to_string()))
        .set(api_clients::last_used_at.eq(now()))
        .execute(conn)?;
    audit::record(
        conn,
        &AuditEntry::by(crate::Actor::ApiClient(client.id)),
        event(
            client.id,
            client.home_organization_id,
            AuditAction::ApiClientTokenIssued,
            json!({}),
        ),
    )
}
