//! Customer users: the people of a customer tenant, who sign in to the customer
//! portal (not to this API). Every change locks the customer's organisation row
//! first (PostgreSQL; SQLite's `BEGIN IMMEDIATE` serialises writers anyway), so
//! the rule that a customer never loses its last active master admin holds when
//! two changes race. Errors: `NotFound` (absent, out of scope, or not a
//! customer), `StaleVersion`, `Duplicate { field: "email" }`, and `Rule` for the
//! domain's rules (`check_accepts_changes`, `check_keeps_master_admin`,
//! `check_impersonable`).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::{
    check_accepts_changes, check_impersonable, check_keeps_master_admin, AdminFlags, AuditAction, CustomerUserStatus,
    DisplayName, DomainError, EmailAddress, Mobile, OrgKind, OrgStatus, TreePath,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, AuditEntry, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::organizations::{like_pattern, lock_in_scope, Organization, RowLock};
use crate::schema::{customer_users, organizations};
use crate::time::{now, utc};

diesel::define_sql_function! {
    /// Lowercase (both backends), for case-insensitive name search.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

// ---- model ----

/// A user of a customer tenant, with its customer's path and status (one statement).
#[derive(Debug, Clone)]
pub struct CustomerUser {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub email: String,
    pub name: String,
    pub mobile: Option<String>,
    pub flags: AdminFlags,
    pub status: CustomerUserStatus,
    /// Written by the customer portal; this API only reads it.
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub customer_path: TreePath,
    pub customer_status: OrgStatus,
}

impl domain::Scoped for CustomerUser {
    fn scope_path(&self) -> &domain::TreePath {
        &self.customer_path
    }
}

impl CustomerUser {
    pub fn is_active_master_admin(&self) -> bool {
        self.status == CustomerUserStatus::Active && self.flags.master_admin
    }
}

#[derive(Debug, Clone)]
pub struct NewCustomerUser {
    pub customer_id: Uuid,
    pub email: EmailAddress,
    pub name: DisplayName,
    pub mobile: Option<Mobile>,
    pub flags: AdminFlags,
}

/// Fields an update may change; `None` leaves a field alone, `mobile: Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct CustomerUserPatch {
    pub name: Option<DisplayName>,
    pub email: Option<EmailAddress>,
    pub mobile: Option<Option<Mobile>>,
    pub admin: Option<bool>,
    pub master_admin: Option<bool>,
    pub status: Option<CustomerUserStatus>,
}

#[derive(Debug, Clone, Default)]
pub struct CustomerUserFilter {
    pub status: Option<CustomerUserStatus>,
    /// Case-insensitive substring of the e-mail or the name.
    pub search: Option<String>,
}

/// What an impersonation token carries that the audit log keeps (never the token).
#[derive(Debug, Clone)]
pub struct Impersonation {
    pub token_id: Uuid,
    pub expires_at: DateTime<Utc>,
}

// ---- rows ----

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = customer_users)]
struct Row {
    id: String,
    customer_id: String,
    email: String,
    name: String,
    mobile: Option<String>,
    is_admin: bool,
    is_master_admin: bool,
    status: String,
    last_sign_in_at: Option<NaiveDateTime>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

type Joined = (Row, (String, String));

fn into_model((row, (path, customer_status)): Joined) -> Result<CustomerUser, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("customer user {}: bad {what}", row.id));
    Ok(CustomerUser {
        id: parse_uuid(&row.id)?,
        customer_id: parse_uuid(&row.customer_id)?,
        status: CustomerUserStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
        customer_path: TreePath::parse(&path).map_err(|_| corrupt("customer path"))?,
        customer_status: OrgStatus::parse(&customer_status).ok_or_else(|| corrupt("customer status"))?,
        email: row.email,
        name: row.name,
        mobile: row.mobile,
        flags: AdminFlags {
            admin: row.is_admin,
            master_admin: row.is_master_admin,
        },
        last_sign_in_at: row.last_sign_in_at.map(utc),
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

// ---- queries ----

/// One statement: the user with its customer's path and status.
pub(crate) fn find(conn: &mut DbConn, id: Uuid) -> Result<Option<CustomerUser>, StoreError> {
    customer_users::table
        .inner_join(organizations::table)
        .filter(customer_users::id.eq(id.to_string()))
        .select((Row::as_select(), (organizations::path, organizations::status)))
        .first::<Joined>(conn)
        .optional()?
        .map(into_model)
        .transpose()
}

/// The users of one customer, oldest first, after the `after` id.
pub(crate) fn list(
    conn: &mut DbConn,
    customer: Uuid,
    filter: &CustomerUserFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<CustomerUser>, StoreError> {
    let mut q = customer_users::table
        .inner_join(organizations::table)
        .filter(customer_users::customer_id.eq(customer.to_string()))
        .select((Row::as_select(), (organizations::path, organizations::status)))
        .order(customer_users::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(status) = filter.status {
        q = q.filter(customer_users::status.eq(status.as_str()));
    }
    if let Some(needle) = &filter.search {
        let pattern = like_pattern(needle);
        q = q.filter(
            customer_users::email
                .like(pattern.clone())
                .escape('\\')
                .or(lower(customer_users::name).like(pattern).escape('\\')),
        );
    }
    if let Some(after) = after {
        q = q.filter(customer_users::id.gt(after.to_string()));
    }
    q.load::<Joined>(conn)?.into_iter().map(into_model).collect()
}

/// Active master admins of the customer other than `except`.
fn other_active_master_admins(conn: &mut DbConn, customer: Uuid, except: Uuid) -> Result<i64, StoreError> {
    Ok(customer_users::table
        .filter(customer_users::customer_id.eq(customer.to_string()))
        .filter(customer_users::id.ne(except.to_string()))
        .filter(customer_users::status.eq(CustomerUserStatus::Active.as_str()))
        .filter(customer_users::is_master_admin.eq(true))
        .count()
        .get_result(conn)?)
}

// ---- commands ----

/// The customer `id`, locked, if it lies in `scope`; any other kind is NotFound.
fn lock_customer(conn: &mut DbConn, scope: &TreePath, id: Uuid, lock: RowLock) -> Result<Organization, StoreError> {
    let org = lock_in_scope(conn, scope, id, lock)?;
    if org.kind != OrgKind::Customer {
        return Err(StoreError::NotFound);
    }
    Ok(org)
}

/// The user `id` if its customer lies in `scope`, read again after locking the
/// customer's row so the checks below see the latest committed state.
fn lock_visible(conn: &mut DbConn, scope: &TreePath, id: Uuid, lock: RowLock) -> Result<CustomerUser, StoreError> {
    let user = find(conn, id)?
        .filter(|u| scope.is_ancestor_or_self_of(&u.customer_path))
        .ok_or(StoreError::NotFound)?;
    lock_customer(conn, scope, user.customer_id, lock)?;
    find(conn, id)?.ok_or(StoreError::NotFound)
}

fn event(user: &CustomerUser, action: AuditAction, details: serde_json::Value) -> Event<'static> {
    Event {
        organization_id: user.customer_id,
        action,
        target_type: "customer_user",
        target_id: user.id,
        details,
    }
}

pub(crate) fn insert(
    conn: &mut DbConn,
    scope: &TreePath,
    new: &NewCustomerUser,
    who: &AuditEntry,
) -> Result<CustomerUser, StoreError> {
    let customer = lock_customer(conn, scope, new.customer_id, RowLock::Share)?;
    check_accepts_changes(customer.status)?;
    let id = Uuid::now_v7();
    let ts = now();
    diesel::insert_into(customer_users::table)
        .values((
            customer_users::id.eq(id.to_string()),
            customer_users::customer_id.eq(new.customer_id.to_string()),
            customer_users::email.eq(new.email.as_str()),
            customer_users::name.eq(new.name.as_str()),
            customer_users::mobile.eq(new.mobile.as_ref().map(Mobile::as_str)),
            customer_users::is_admin.eq(new.flags.admin),
            customer_users::is_master_admin.eq(new.flags.master_admin),
            customer_users::status.eq(CustomerUserStatus::Active.as_str()),
            customer_users::version.eq(1_i64),
            customer_users::created_at.eq(ts),
            customer_users::updated_at.eq(ts),
        ))
        .execute(conn)?;
    let user = find(conn, id)?.ok_or(StoreError::NotFound)?;
    audit::record(
        conn,
        who,
        event(
            &user,
            AuditAction::CustomerUserCreated,
            json!({
                "email": user.email,
                "admin": user.flags.admin,
                "master_admin": user.flags.master_admin,
            }),
        ),
    )?;
    Ok(user)
}

pub(crate) fn update(
    conn: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    expected_version: Option<i64>,
    patch: &CustomerUserPatch,
    who: &AuditEntry,
) -> Result<CustomerUser, StoreError> {
    let user = lock_visible(conn, scope, id, RowLock::Update)?;
    if expected_version.is_some_and(|v| v != user.version) {
        return Err(StoreError::StaleVersion { current: user.version });
    }
    let flags = user
        .flags
        .with(patch.admin, patch.master_admin)
        .map_err(DomainError::from)?;
    let status = patch.status.unwrap_or(user.status);
    let others = if user.is_active_master_admin() {
        other_active_master_admins(conn, user.customer_id, user.id)?
    } else {
        0
    };
    check_keeps_master_admin(user.is_active_master_admin(), (flags, status), others)?;

    let mut changed = serde_json::Map::new();
    let mut note = |field: &str, from: serde_json::Value, to: serde_json::Value| {
        if from != to {
            changed.insert(field.into(), json!({"from": from, "to": to}));
        }
    };
    let name = patch.name.as_ref().map(DisplayName::as_str);
    let email = patch.email.as_ref().map(EmailAddress::as_str);
    let mobile = patch.mobile.as_ref().map(|m| m.as_ref().map(Mobile::as_str));
    if let Some(n) = name {
        note("name", json!(user.name), json!(n));
    }
    if let Some(e) = email {
        note("email", json!(user.email), json!(e));
    }
    if let Some(m) = mobile {
        note("mobile", json!(user.mobile), json!(m));
    }
    note("admin", json!(user.flags.admin), json!(flags.admin));
    note(
        "master_admin",
        json!(user.flags.master_admin),
        json!(flags.master_admin),
    );
    note("status", json!(user.status.as_str()), json!(status.as_str()));
    if changed.is_empty() {
        return Ok(user);
    }
    diesel::update(customer_users::table.find(id.to_string()))
        .set((
            name.map(|n| customer_users::name.eq(n)),
            email.map(|e| customer_users::email.eq(e)),
            mobile.map(|m| customer_users::mobile.eq(m)),
            customer_users::is_admin.eq(flags.admin),
            customer_users::is_master_admin.eq(flags.master_admin),
            customer_users::status.eq(status.as_str()),
            customer_users::version.eq(user.version + 1),
            customer_users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    let action = match (user.status, status) {
        (CustomerUserStatus::Active, CustomerUserStatus::Disabled) => AuditAction::CustomerUserDisabled,
        (CustomerUserStatus::Disabled, CustomerUserStatus::Active) => AuditAction::CustomerUserEnabled,
        _ => AuditAction::CustomerUserUpdated,
    };
    audit::record(conn, who, event(&user, action, serde_json::Value::Object(changed)))?;
    find(conn, id)?.ok_or(StoreError::NotFound)
}

/// Checks that `id` may be impersonated now and records that it was.
pub(crate) fn impersonate(
    conn: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    token: &Impersonation,
    who: &AuditEntry,
) -> Result<CustomerUser, StoreError> {
    let user = lock_visible(conn, scope, id, RowLock::Share)?;
    check_impersonable(user.status, user.customer_status)?;
    audit::record(
        conn,
        who,
        event(
            &user,
            AuditAction::CustomerUserImpersonated,
            json!({
                "jti": token.token_id,
                "expires_at": token.expires_at,
                "customer_id": user.customer_id,
            }),
        ),
    )?;
    Ok(user)
}

/// Sets a customer user's password (through a reset or invitation link) and
/// records when, so the customer portal can refuse its older sessions.
pub(crate) fn set_password(
    conn: &mut DbConn,
    id: Uuid,
    password_hash: &str,
    changed_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let user = find(conn, id)?.ok_or(StoreError::NotFound)?;
    diesel::update(customer_users::table.find(id.to_string()))
        .set((
            customer_users::password_hash.eq(password_hash),
            customer_users::credentials_changed_at.eq(crate::time::naive(changed_at)),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        &AuditEntry::by(crate::audit::Actor::System),
        event(&user, AuditAction::CustomerUserPasswordSet, json!({})),
    )
}

/// Every customer user with this e-mail (one per customer at most), with its
/// password hash.
pub(crate) fn find_by_email_with_password(
    conn: &mut DbConn,
    email: &str,
) -> Result<Vec<(CustomerUser, Option<String>)>, StoreError> {
    customer_users::table
        .inner_join(organizations::table)
        .filter(customer_users::email.eq(email.trim().to_lowercase()))
        .select((
            Row::as_select(),
            (organizations::path, organizations::status),
            customer_users::password_hash,
        ))
        .order(customer_users::id.asc())
        .load::<(Row, (String, String), Option<String>)>(conn)?
        .into_iter()
        .map(|(row, org, hash)| Ok((into_model((row, org))?, hash)))
        .collect()
}

/// A customer-portal sign-in: recorded on the user, with its audit event.
pub(crate) fn record_sign_in(conn: &mut DbConn, user: &CustomerUser, at: DateTime<Utc>) -> Result<(), StoreError> {
    diesel::update(customer_users::table.find(user.id.to_string()))
        .set(customer_users::last_sign_in_at.eq(crate::time::naive(at)))
        .execute(conn)?;
    audit::record(
        conn,
        &AuditEntry::by(crate::audit::Actor::System),
        event(user, AuditAction::CustomerUserSignedIn, json!({})),
    )
}

/// The user `id` if its customer lies in `scope`.
pub(crate) fn find_visible(conn: &mut DbConn, scope: &TreePath, id: Uuid) -> Result<CustomerUser, StoreError> {
    find(conn, id)?
        .filter(|u| scope.is_ancestor_or_self_of(&u.customer_path))
        .ok_or(StoreError::NotFound)
}

/// An invitation (or its re-send) was queued for the user.
pub(crate) fn record_invitation(
    conn: &mut DbConn,
    user: &CustomerUser,
    mail_id: Uuid,
    expires_at: DateTime<Utc>,
    who: &AuditEntry,
) -> Result<(), StoreError> {
    audit::record(
        conn,
        who,
        event(
            user,
            AuditAction::CustomerUserInvited,
            json!({"mail_id": mail_id, "expires_at": expires_at}),
        ),
    )
}
