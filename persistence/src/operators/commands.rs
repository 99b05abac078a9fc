//! Changes to operators. Changes that could remove the provider's last admin
//! lock the provider's organisation row first (PostgreSQL), so two admins
//! demoting each other at once cannot both succeed.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::{check_admin_change, AdminChange, AuditAction, DisplayName, OperatorStatus, OrgKind, RoleSet, TreePath};
use serde_json::json;
use uuid::Uuid;

use super::queries::other_provider_admins;
use super::{find, Operator};
use crate::audit::{self, AuditEntry, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::organizations::{lock_in_scope, RowLock};
use crate::schema::operators;
use crate::time::now;

/// The operator `id` if its home lies in `scope`, with its home organisation row
/// locked so concurrent changes to the same organisation's admins serialise.
fn lock_visible(conn: &mut DbConn, scope: &TreePath, id: Uuid) -> Result<Operator, StoreError> {
    let op = find(conn, id)?
        .filter(|o| scope.is_ancestor_or_self_of(&o.home_path))
        .ok_or(StoreError::NotFound)?;
    lock_in_scope(conn, scope, op.home_organization_id, RowLock::Update)?;
    // Re-read after the lock: another transaction may have changed it meanwhile.
    find(conn, id)?.ok_or(StoreError::NotFound)
}

fn check(
    conn: &mut DbConn,
    actor: Uuid,
    op: &Operator,
    roles: &RoleSet,
    status: OperatorStatus,
) -> Result<(), StoreError> {
    let others = if op.home_kind == OrgKind::Provider {
        other_provider_admins(conn, op.home_organization_id, op.id)?
    } else {
        0
    };
    check_admin_change(&AdminChange {
        actor,
        target: op.id,
        target_home_kind: op.home_kind,
        target_status: op.status,
        target_roles: &op.roles,
        new_roles: roles,
        new_status: status,
        other_provider_admins: others,
    })?;
    Ok(())
}

fn event(op: &Operator, action: AuditAction, details: serde_json::Value) -> Event<'static> {
    Event {
        organization_id: op.home_organization_id,
        action,
        target_type: "operator",
        target_id: op.id,
        details,
    }
}

/// Changes name and/or roles; `expected_version` is the `If-Match` version.
#[allow(clippy::too_many_arguments)]
pub(crate) fn update(
    conn: &mut DbConn,
    scope: &TreePath,
    actor: Uuid,
    id: Uuid,
    expected_version: Option<i64>,
    name: Option<&DisplayName>,
    roles: Option<&RoleSet>,
    who: &AuditEntry,
) -> Result<Operator, StoreError> {
    let name = name.map(DisplayName::as_str);
    let op = lock_visible(conn, scope, id)?;
    if expected_version.is_some_and(|v| v != op.version) {
        return Err(StoreError::StaleVersion { current: op.version });
    }
    let new_roles = roles.unwrap_or(&op.roles);
    check(conn, actor, &op, new_roles, op.status)?;
    diesel::update(operators::table.find(id.to_string()))
        .set((
            name.map(|n| operators::name.eq(n.to_string())),
            roles.map(|r| operators::roles.eq(r.to_storage())),
            operators::version.eq(op.version + 1),
            operators::updated_at.eq(now()),
        ))
        .execute(conn)?;
    let mut details = serde_json::Map::new();
    if let Some(n) = name {
        details.insert("name".into(), json!(n));
    }
    if let Some(r) = roles {
        details.insert(
            "roles".into(),
            json!({"from": op.roles.to_storage(), "to": r.to_storage()}),
        );
    }
    audit::record(
        conn,
        who,
        event(&op, AuditAction::OperatorUpdated, serde_json::Value::Object(details)),
    )?;
    find(conn, id)?.ok_or(StoreError::NotFound)
}

/// Disables (`enable = false`) or re-enables an operator.
pub(crate) fn set_status(
    conn: &mut DbConn,
    scope: &TreePath,
    actor: Uuid,
    id: Uuid,
    enable: bool,
    who: &AuditEntry,
) -> Result<Operator, StoreError> {
    let op = lock_visible(conn, scope, id)?;
    let Some(next) = op.status.toggled(enable, op.last_sign_in_at.is_some()) else {
        return Ok(op);
    };
    check(conn, actor, &op, &op.roles, next)?;
    diesel::update(operators::table.find(id.to_string()))
        .set((
            operators::status.eq(next.as_str()),
            operators::version.eq(op.version + 1),
            operators::updated_at.eq(now()),
        ))
        .execute(conn)?;
    let action = if enable {
        AuditAction::OperatorEnabled
    } else {
        AuditAction::OperatorDisabled
    };
    audit::record(conn, who, event(&op, action, json!({"from": op.status, "to": next})))?;
    find(conn, id)?.ok_or(StoreError::NotFound)
}

/// A sign-in: the first one activates an invited operator. Written once per new
/// token (its issue time is later than the last sign-in), never on every request.
pub(crate) fn record_sign_in(conn: &mut DbConn, op: &Operator, at: DateTime<Utc>) -> Result<(), StoreError> {
    let at = at.naive_utc();
    // Conditions on the current row, not on what was read before: a disable that
    // commits meanwhile is never undone.
    let signed_in = diesel::update(operators::table.find(op.id.to_string()))
        .filter(operators::status.ne(OperatorStatus::Disabled.as_str()))
        .filter(
            operators::last_sign_in_at
                .is_null()
                .or(operators::last_sign_in_at.lt(at)),
        )
        .set(operators::last_sign_in_at.eq(at))
        .execute(conn)?;
    let activated = diesel::update(operators::table.find(op.id.to_string()))
        .filter(operators::status.eq(OperatorStatus::Invited.as_str()))
        .set(operators::status.eq(OperatorStatus::Active.as_str()))
        .execute(conn)?;
    if signed_in + activated > 0 {
        let action = if activated > 0 {
            AuditAction::OperatorActivated
        } else {
            AuditAction::OperatorSignedIn
        };
        audit::record(
            conn,
            &AuditEntry::by(crate::Actor::Operator(op.id)),
            event(op, action, json!({})),
        )?;
    }
    Ok(())
}
