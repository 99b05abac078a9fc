//! Changes to organisations, each inside the caller's write transaction with its
//! audit event. Each re-reads what it depends on inside that transaction and
//! re-checks the caller's scope there, so a concurrent move cannot slip a target
//! out of scope.

use diesel::prelude::*;
use domain::{
    check_move, check_status_change, AuditAction, Country, DisplayName, MoveNode, OrgKind, OrgStatus, StatusChange,
    TreePath, WorkEmail,
};
use serde_json::json;
use uuid::Uuid;

use super::model::{NewOrganization, Organization, OrganizationPatch};
use super::queries::{find, has_live_children};
use super::row::OrgRow;
use crate::audit::{self, AuditEntry, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::organizations::dsl as o;
use crate::time::now;

/// How a write holds the rows it read until it commits (PostgreSQL; SQLite's
/// `BEGIN IMMEDIATE` already serialises writers).
#[derive(Clone, Copy)]
pub(crate) enum RowLock {
    /// The row itself changes: concurrent changes of it wait and then re-read it.
    Update,
    /// The row must not change (e.g. be archived) while a child is attached under it.
    Share,
}

/// The organisation `id`, locked, if it exists and lies inside `scope`; otherwise NotFound.
pub(crate) fn lock_in_scope(
    conn: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    lock: RowLock,
) -> Result<Organization, StoreError> {
    let key = id.to_string();
    let row = match conn {
        DbConn::Pg(c) => match lock {
            RowLock::Update => o::organizations
                .find(key)
                .select(OrgRow::as_select())
                .for_update()
                .first(c)
                .optional()?,
            RowLock::Share => o::organizations
                .find(key)
                .select(OrgRow::as_select())
                .for_share()
                .first(c)
                .optional()?,
        },
        DbConn::Sqlite(c) => o::organizations
            .find(key)
            .select(OrgRow::as_select())
            .first(c)
            .optional()?,
    };
    match row.map(OrgRow::into_model).transpose()? {
        Some(org) if scope.is_ancestor_or_self_of(&org.path) => Ok(org),
        _ => Err(StoreError::NotFound),
    }
}

/// A missing record named in the body is a problem with that field, not with the URL.
fn as_reference(field: &'static str) -> impl Fn(StoreError) -> StoreError {
    move |e| match e {
        StoreError::NotFound => StoreError::ReferenceNotFound { field },
        other => other,
    }
}

fn event(org: &Organization, action: AuditAction, details: serde_json::Value) -> Event<'static> {
    Event {
        organization_id: org.id,
        action,
        target_type: "organization",
        target_id: org.id,
        details,
    }
}

/// The provider root, created once on an empty database.
pub(crate) fn create_root(conn: &mut DbConn, name: &DisplayName, who: &AuditEntry) -> Result<Organization, StoreError> {
    let id = Uuid::now_v7();
    let ts = now();
    let row = OrgRow {
        id: id.to_string(),
        parent_id: None,
        kind: OrgKind::Provider.as_str().into(),
        name: name.as_str().into(),
        name_lower: name.as_str().to_lowercase(),
        status: OrgStatus::Active.as_str().into(),
        path: TreePath::root(id).as_str().into(),
        depth: 0,
        primary_domain: None,
        tenant_id: None,
        contact_email: None,
        country: None,
        version: 1,
        created_at: ts,
        updated_at: ts,
        programme_open: false,
        require_totp: false,
    };
    diesel::insert_into(o::organizations).values(&row).execute(conn)?;
    let org = row.into_model()?;
    audit::record_at(
        conn,
        who,
        event(
            &org,
            AuditAction::OrganizationCreated,
            json!({"kind": "provider", "name": org.name}),
        ),
        &org.path,
    )?;
    Ok(org)
}

/// Adds a child. The parent is locked `FOR SHARE` and its path read under that
/// lock, so a move rewriting it waits for this insert, and this insert waits for
/// a move holding it (then reads the moved path).
pub(crate) fn insert_child(
    c: &mut DbConn,
    scope: &TreePath,
    new: &NewOrganization,
    who: &AuditEntry,
) -> Result<Organization, StoreError> {
    let parent = lock_in_scope(c, scope, new.parent_id, RowLock::Share).map_err(as_reference("parent_id"))?;
    new.kind.check_new_child(parent.kind, parent.status)?;
    let id = Uuid::now_v7();
    let ts = now();
    let path = parent.path.child(id);
    let customer = new.customer.as_ref();
    let row = OrgRow {
        id: id.to_string(),
        parent_id: Some(parent.id.to_string()),
        kind: new.kind.as_str().into(),
        name: new.name.as_str().into(),
        name_lower: new.name.as_str().to_lowercase(),
        status: OrgStatus::Pending.as_str().into(),
        depth: path.depth() as i32,
        path: path.as_str().into(),
        primary_domain: customer.map(|c| c.primary_domain.as_str().to_string()),
        tenant_id: customer.and_then(|c| c.tenant_id).map(|t| t.0.to_string()),
        contact_email: customer
            .and_then(|c| c.contact_email.as_ref())
            .map(|e| e.as_str().to_string()),
        country: customer
            .and_then(|c| c.country.as_ref())
            .map(|c| c.as_str().to_string()),
        version: 1,
        created_at: ts,
        updated_at: ts,
        programme_open: false,
        require_totp: false,
    };
    diesel::insert_into(o::organizations).values(&row).execute(c)?;
    let org = row.into_model()?;
    audit::record_at(
        c,
        who,
        event(
            &org,
            AuditAction::OrganizationCreated,
            json!({"kind": org.kind, "name": org.name, "parent_id": parent.id}),
        ),
        &path,
    )?;
    Ok(org)
}

pub(crate) fn update(
    c: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    expected_version: Option<i64>,
    patch: &OrganizationPatch,
    who: &AuditEntry,
) -> Result<Organization, StoreError> {
    let org = lock_in_scope(c, scope, id, RowLock::Update)?;
    if expected_version.is_some_and(|v| v != org.version) {
        return Err(StoreError::StaleVersion { current: org.version });
    }
    org.kind
        .check_patch(&patch.customer_fields_sent(), patch.programme_open.is_some())?;
    let name = patch.name.as_ref().map(DisplayName::as_str);
    let tenant_id = patch.tenant_id.map(|v| v.map(|t| t.0.to_string()));
    let contact_email = patch.contact_email.as_ref().map(|v| v.as_ref().map(WorkEmail::as_str));
    let country = patch.country.as_ref().map(|v| v.as_ref().map(Country::as_str));
    let mut changed = serde_json::Map::new();
    if let Some(n) = name {
        changed.insert("name".into(), json!(n));
    }
    if let Some(v) = &tenant_id {
        changed.insert("tenant_id".into(), json!(v));
    }
    if let Some(v) = contact_email {
        changed.insert("contact_email".into(), json!(v));
    }
    if let Some(v) = country {
        changed.insert("country".into(), json!(v));
    }
    if let Some(open) = patch.programme_open {
        changed.insert("programme_open".into(), json!(open));
    }
    if let Some(required) = patch.require_totp {
        changed.insert("require_totp".into(), json!(required));
    }
    diesel::update(o::organizations.find(id.to_string()))
        .set((
            name.map(|n| o::name.eq(n)),
            name.map(|n| o::name_lower.eq(n.to_lowercase())),
            tenant_id.map(|v| o::tenant_id.eq(v)),
            contact_email.map(|v| o::contact_email.eq(v)),
            country.map(|v| o::country.eq(v)),
            patch.programme_open.map(|v| o::programme_open.eq(v)),
            patch.require_totp.map(|v| o::require_totp.eq(v)),
            o::version.eq(org.version + 1),
            o::updated_at.eq(now()),
        ))
        .execute(c)?;
    let updated = find(c, id)?.ok_or(StoreError::NotFound)?;
    audit::record_at(
        c,
        who,
        event(
            &updated,
            AuditAction::OrganizationUpdated,
            serde_json::Value::Object(changed),
        ),
        &updated.path,
    )?;
    Ok(updated)
}

/// Re-parents `id` under `new_parent_id` and rewrites the whole subtree's paths.
///
/// Takes no global lock. The moved node (`FOR UPDATE`) and the new parent (`FOR
/// SHARE`) are locked in id order, so two moves lock them in one order, and the
/// cycle check runs on the paths read under those locks. Creates lock their
/// parent `FOR SHARE`, so rewriting a row waits for the creates under it; a
/// child such a create inserted after the rewrite's snapshot is caught by the
/// next rewrite, which runs until none is left ([`rewrite_subtree`]). The
/// customer paths repeated on subscriptions and invoices are rewritten after
/// that: their writers lock the customer row, which the rewrite now holds.
pub(crate) fn move_to(
    c: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    new_parent_id: Uuid,
    who: &AuditEntry,
) -> Result<Organization, StoreError> {
    let (org, parent) = if id <= new_parent_id {
        let org = lock_in_scope(c, scope, id, RowLock::Update)?;
        let parent = lock_in_scope(c, scope, new_parent_id, RowLock::Share).map_err(as_reference("parent_id"))?;
        (org, parent)
    } else {
        let parent = lock_in_scope(c, scope, new_parent_id, RowLock::Share).map_err(as_reference("parent_id"))?;
        let org = lock_in_scope(c, scope, id, RowLock::Update)?;
        (org, parent)
    };
    check_move(
        &MoveNode {
            kind: org.kind,
            status: org.status,
            path: &org.path,
        },
        &MoveNode {
            kind: parent.kind,
            status: parent.status,
            path: &parent.path,
        },
    )?;
    if org.parent_id == Some(parent.id) {
        return Ok(org);
    }
    let old = org.path.clone();
    let new = parent.path.child(org.id);
    rewrite_subtree(c, &old, &new)?;
    crate::rollups::follow_move(c, org.id, &old, &new)?;
    // The customer paths repeated on subscriptions follow the tree.
    for table in ["subscriptions", "subscription_changes", "invoices", "invoice_lines"] {
        diesel::sql_query(format!(
            "UPDATE {table} SET customer_path = $1 || substr(customer_path, $2) \
             WHERE customer_path >= $3 AND customer_path < $4"
        ))
        .bind::<diesel::sql_types::Text, _>(new.as_str())
        .bind::<diesel::sql_types::Integer, _>(old.as_str().len() as i32 + 1)
        .bind::<diesel::sql_types::Text, _>(old.as_str())
        .bind::<diesel::sql_types::Text, _>(old.upper_bound())
        .execute(c)?;
    }
    diesel::update(o::organizations.find(id.to_string()))
        .set((
            o::parent_id.eq(parent.id.to_string()),
            o::version.eq(org.version + 1),
            o::updated_at.eq(now()),
        ))
        .execute(c)?;
    let moved = find(c, id)?.ok_or(StoreError::NotFound)?;
    audit::record_at(
        c,
        who,
        event(
            &moved,
            AuditAction::OrganizationMoved,
            json!({"from_parent_id": org.parent_id, "to_parent_id": parent.id}),
        ),
        &new,
    )?;
    Ok(moved)
}

/// Rewrites every path under `old` to lie under `new`, one range statement at a
/// time until a statement finds nothing left under `old`. Each statement (READ
/// COMMITTED) sees the children committed by creates it waited for; a create can
/// only insert under `old` while it holds a parent the previous statement did not
/// see, so the loop ends once no such create is left, and nothing stale remains.
fn rewrite_subtree(c: &mut DbConn, old: &TreePath, new: &TreePath) -> Result<(), StoreError> {
    let delta = new.depth() as i32 - old.depth() as i32;
    loop {
        let rewritten = diesel::sql_query(
            "UPDATE organizations SET path = $1 || substr(path, $2), depth = depth + $3 \
             WHERE path >= $4 AND path < $5",
        )
        .bind::<diesel::sql_types::Text, _>(new.as_str())
        .bind::<diesel::sql_types::Integer, _>(old.as_str().len() as i32 + 1)
        .bind::<diesel::sql_types::Integer, _>(delta)
        .bind::<diesel::sql_types::Text, _>(old.as_str())
        .bind::<diesel::sql_types::Text, _>(old.upper_bound())
        .execute(c)?;
        if rewritten == 0 || matches!(c, DbConn::Sqlite(_)) {
            return Ok(());
        }
    }
}

/// Applies a status change under the domain's status-change rule.
pub(crate) fn set_status(
    c: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    change: StatusChange,
    who: &AuditEntry,
) -> Result<Organization, StoreError> {
    let org = lock_in_scope(c, scope, id, RowLock::Update)?;
    let live_children = change == StatusChange::Archive && has_live_children(c, id)?;
    let next = check_status_change(org.kind, org.status, change, live_children)?;
    diesel::update(o::organizations.find(id.to_string()))
        .set((
            o::status.eq(next.as_str()),
            o::version.eq(org.version + 1),
            o::updated_at.eq(now()),
        ))
        .execute(c)?;
    let changed = find(c, id)?.ok_or(StoreError::NotFound)?;
    let path = changed.path.clone();
    let action = match change {
        StatusChange::Activate => AuditAction::OrganizationActivated,
        StatusChange::Suspend => AuditAction::OrganizationSuspended,
        StatusChange::Reactivate => AuditAction::OrganizationReactivated,
        StatusChange::Archive => AuditAction::OrganizationArchived,
    };
    audit::record_at(
        c,
        who,
        event(&changed, action, json!({"from": org.status, "to": next})),
        &path,
    )?;
    Ok(changed)
}
