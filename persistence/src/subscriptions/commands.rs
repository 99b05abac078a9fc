//! Changes to subscriptions. Every change of quantity or assigned seats also
//! writes a `subscription_changes` row (new values and deltas), in the same
//! transaction as the change and its audit event.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::{
    check_accepts_changes, AuditAction, DomainError, OrgKind, Seats, SubscriptionChange, SubscriptionStatus, TreePath,
};
use serde_json::json;
use uuid::Uuid;

use super::{NewSubscription, Subscription, SubscriptionPatch, SubscriptionRow};
use crate::audit::{self, AuditEntry, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::organizations::{lock_in_scope, RowLock};
use crate::schema::{subscription_changes, subscriptions};
use crate::time::now;

pub(crate) fn find(conn: &mut DbConn, id: Uuid) -> Result<Option<Subscription>, StoreError> {
    subscriptions::table
        .find(id.to_string())
        .select(SubscriptionRow::as_select())
        .first(conn)
        .optional()?
        .map(SubscriptionRow::into_model)
        .transpose()
}

/// The subscription, with its customer row locked (serialising changes to it), if in scope.
fn lock_visible(conn: &mut DbConn, scope: &TreePath, id: Uuid) -> Result<Subscription, StoreError> {
    let sub = find(conn, id)?
        .filter(|s| scope.is_ancestor_or_self_of(&s.customer_path))
        .ok_or(StoreError::NotFound)?;
    lock_in_scope(conn, scope, sub.customer_id, RowLock::Update)?;
    find(conn, id)?.ok_or(StoreError::NotFound)
}

fn record_seats(
    conn: &mut DbConn,
    sub: &Subscription,
    at: NaiveDateTime,
    quantity: i64,
    assigned: i64,
    before: (i64, i64),
) -> Result<(), StoreError> {
    diesel::insert_into(subscription_changes::table)
        .values((
            subscription_changes::id.eq(Uuid::now_v7().to_string()),
            subscription_changes::subscription_id.eq(sub.id.to_string()),
            subscription_changes::customer_id.eq(sub.customer_id.to_string()),
            subscription_changes::customer_path.eq(sub.customer_path.as_str()),
            subscription_changes::changed_at.eq(at),
            subscription_changes::quantity.eq(quantity),
            subscription_changes::assigned.eq(assigned),
            subscription_changes::quantity_delta.eq(quantity - before.0),
            subscription_changes::assigned_delta.eq(assigned - before.1),
        ))
        .execute(conn)?;
    Ok(())
}

fn event(sub: &Subscription, action: AuditAction, details: serde_json::Value) -> Event<'static> {
    Event {
        organization_id: sub.customer_id,
        action,
        target_type: "subscription",
        target_id: sub.id,
        details,
    }
}

pub(crate) fn create(
    c: &mut DbConn,
    scope: &TreePath,
    new: &NewSubscription,
    who: &AuditEntry,
) -> Result<Subscription, StoreError> {
    let customer = lock_in_scope(c, scope, new.customer_id, RowLock::Share)?;
    if customer.kind != OrgKind::Customer {
        return Err(StoreError::NotFound);
    }
    check_accepts_changes(customer.status)?;
    let ts = now();
    let row = SubscriptionRow {
        id: Uuid::now_v7().to_string(),
        customer_id: customer.id.to_string(),
        customer_path: customer.path.as_str().to_string(),
        sku: new.sku.as_str().to_string(),
        description: new.description.as_str().to_string(),
        quantity: new.seats.quantity,
        assigned: new.seats.assigned,
        unit_price_minor: new.unit_price.amount_minor,
        currency: new.unit_price.currency.as_str().to_string(),
        billing_cycle: new.billing_cycle.as_str().to_string(),
        renews_on: new.renews_on,
        auto_renew: new.auto_renew,
        status: SubscriptionStatus::Active.as_str().to_string(),
        version: 1,
        created_at: ts,
        updated_at: ts,
    };
    diesel::insert_into(subscriptions::table).values(&row).execute(c)?;
    let sub = row.into_model()?;
    record_seats(c, &sub, ts, sub.quantity, sub.assigned, (0, 0))?;
    audit::record(
        c,
        who,
        event(
            &sub,
            AuditAction::SubscriptionCreated,
            json!({"sku": sub.sku, "quantity": sub.quantity, "assigned": sub.assigned}),
        ),
    )?;
    Ok(sub)
}

pub(crate) fn update(
    c: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    expected_version: Option<i64>,
    patch: &SubscriptionPatch,
    who: &AuditEntry,
) -> Result<Subscription, StoreError> {
    let sub = lock_visible(c, scope, id)?;
    if expected_version.is_some_and(|v| v != sub.version) {
        return Err(StoreError::StaleVersion { current: sub.version });
    }
    sub.status.check_changeable()?;
    let seats = Seats::new(
        patch.quantity.unwrap_or(sub.quantity),
        patch.assigned.unwrap_or(sub.assigned),
    )
    .map_err(DomainError::from)?;
    let ts = now();
    diesel::update(subscriptions::table.find(id.to_string()))
        .set((
            subscriptions::quantity.eq(seats.quantity),
            subscriptions::assigned.eq(seats.assigned),
            patch.auto_renew.map(|a| subscriptions::auto_renew.eq(a)),
            subscriptions::version.eq(sub.version + 1),
            subscriptions::updated_at.eq(ts),
        ))
        .execute(c)?;
    if (seats.quantity, seats.assigned) != (sub.quantity, sub.assigned) {
        record_seats(
            c,
            &sub,
            ts,
            seats.quantity,
            seats.assigned,
            (sub.quantity, sub.assigned),
        )?;
    }
    audit::record(
        c,
        who,
        event(
            &sub,
            AuditAction::SubscriptionUpdated,
            json!({
                "quantity": {"from": sub.quantity, "to": seats.quantity},
                "assigned": {"from": sub.assigned, "to": seats.assigned},
                "auto_renew": patch.auto_renew,
            }),
        ),
    )?;
    find(c, id)?.ok_or(StoreError::NotFound)
}

/// Suspend, reactivate or cancel. Cancelling releases the seats (the history
/// records them falling to zero), so usage series drop with it.
pub(crate) fn change_status(
    c: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    change: SubscriptionChange,
    who: &AuditEntry,
) -> Result<Subscription, StoreError> {
    let sub = lock_visible(c, scope, id)?;
    let next = sub.status.apply(change)?;
    let ts = now();
    diesel::update(subscriptions::table.find(id.to_string()))
        .set((
            subscriptions::status.eq(next.as_str()),
            subscriptions::version.eq(sub.version + 1),
            subscriptions::updated_at.eq(ts),
        ))
        .execute(c)?;
    if !next.holds_seats() {
        record_seats(c, &sub, ts, 0, 0, (sub.quantity, sub.assigned))?;
    }
    let action = match change {
        SubscriptionChange::Suspend => AuditAction::SubscriptionSuspended,
        SubscriptionChange::Reactivate => AuditAction::SubscriptionReactivated,
        SubscriptionChange::Cancel => AuditAction::SubscriptionCancelled,
    };
    audit::record(c, who, event(&sub, action, json!({"from": sub.status, "to": next})))?;
    find(c, id)?.ok_or(StoreError::NotFound)
}
