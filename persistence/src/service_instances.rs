//! Service instances of a customer. Each names a catalogue service and one of
//! its regions. Removal keeps the row (`removed_at`); only live instances are
//! unique per (customer, service, region). Launches are audited here.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::{check_accepts_changes, check_launchable, AuditAction, DomainError, Slug, TreePath};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, AuditEntry, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::organizations::{lock_in_scope, RowLock};
use crate::schema::{organizations, service_instances};
use crate::services::{self, Service};
use crate::time::{now, utc};

#[derive(Debug, Clone)]
pub struct ServiceInstance {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub service: String,
    pub region: String,
    pub created_at: DateTime<Utc>,
    /// The customer's path, for scope checks.
    pub customer_path: TreePath,
}

impl domain::Scoped for ServiceInstance {
    fn scope_path(&self) -> &domain::TreePath {
        &self.customer_path
    }
}

type Row = (String, String, String, String, NaiveDateTime, String);

fn into_model((id, customer, service, region, created, path): Row) -> Result<ServiceInstance, StoreError> {
    Ok(ServiceInstance {
        id: parse_uuid(&id)?,
        customer_id: parse_uuid(&customer)?,
        service,
        region,
        created_at: utc(created),
        customer_path: TreePath::parse(&path).map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}

fn live() -> diesel::dsl::IsNull<service_instances::removed_at> {
    service_instances::removed_at.is_null()
}

fn columns() -> (
    service_instances::id,
    service_instances::customer_id,
    service_instances::service,
    service_instances::region,
    service_instances::created_at,
    organizations::path,
) {
    (
        service_instances::id,
        service_instances::customer_id,
        service_instances::service,
        service_instances::region,
        service_instances::created_at,
        organizations::path,
    )
}

pub(crate) fn find(conn: &mut DbConn, id: Uuid) -> Result<Option<ServiceInstance>, StoreError> {
    service_instances::table
        .inner_join(organizations::table)
        .filter(service_instances::id.eq(id.to_string()))
        .filter(live())
        .select(columns())
        .first::<Row>(conn)
        .optional()?
        .map(into_model)
        .transpose()
}

/// The live service instances of a customer, oldest first.
pub(crate) fn of_customer(conn: &mut DbConn, customer: Uuid) -> Result<Vec<ServiceInstance>, StoreError> {
    service_instances::table
        .inner_join(organizations::table)
        .filter(service_instances::customer_id.eq(customer.to_string()))
        .filter(live())
        .select(columns())
        .order(service_instances::id.asc())
        .load::<Row>(conn)?
        .into_iter()
        .map(into_model)
        .collect()
}

/// Provisions `service` in `region` for a customer in `scope` that is not archived.
pub(crate) fn add(
    c: &mut DbConn,
    scope: &TreePath,
    customer: Uuid,
    service: &Slug,
    region: &Slug,
    who: &AuditEntry,
) -> Result<ServiceInstance, StoreError> {
    let org = lock_in_scope(c, scope, customer, RowLock::Share)?;
    check_accepts_changes(org.status)?;
    let offered = services::by_key(c, service.as_str())?.ok_or(StoreError::ReferenceNotFound { field: "service" })?;
    offered.regions.check_offered(region).map_err(DomainError::from)?;
    let id = Uuid::now_v7();
    diesel::insert_into(service_instances::table)
        .values((
            service_instances::id.eq(id.to_string()),
            service_instances::customer_id.eq(customer.to_string()),
            service_instances::service.eq(service.as_str()),
            service_instances::region.eq(region.as_str()),
            service_instances::created_at.eq(now()),
        ))
        .execute(c)?;
    audit::record(
        c,
        who,
        Event {
            organization_id: customer,
            action: AuditAction::ServiceInstanceCreated,
            target_type: "service_instance",
            target_id: id,
            details: json!({"service": service.as_str(), "region": region.as_str()}),
        },
    )?;
    find(c, id)?.ok_or(StoreError::NotFound)
}

/// Removes a live instance of a customer in `scope` (the row stays, marked removed).
pub(crate) fn remove(c: &mut DbConn, scope: &TreePath, id: Uuid, who: &AuditEntry) -> Result<(), StoreError> {
    let instance = find(c, id)?
        .filter(|i| scope.is_ancestor_or_self_of(&i.customer_path))
        .ok_or(StoreError::NotFound)?;
    lock_in_scope(c, scope, instance.customer_id, RowLock::Share)?;
    let removed = diesel::update(service_instances::table.find(id.to_string()))
        .filter(live())
        .set(service_instances::removed_at.eq(now()))
        .execute(c)?;
    if removed == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record(
        c,
        who,
        Event {
            organization_id: instance.customer_id,
            action: AuditAction::ServiceInstanceRemoved,
            target_type: "service_instance",
            target_id: id,
            details: json!({"service": instance.service, "region": instance.region}),
        },
    )
}

/// A launch of an instance: the token's id and expiry, for the audit log.
#[derive(Debug, Clone)]
pub struct Launch {
    pub token_id: Uuid,
    pub expires_at: DateTime<Utc>,
}

/// Checks that the instance's customer in `scope` may be launched into now,
/// records the launch, and returns the catalogue service (its launch URL).
pub(crate) fn launch(
    c: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    launch: &Launch,
    who: &AuditEntry,
) -> Result<Service, StoreError> {
    let instance = find(c, id)?
        .filter(|i| scope.is_ancestor_or_self_of(&i.customer_path))
        .ok_or(StoreError::NotFound)?;
    let customer = lock_in_scope(c, scope, instance.customer_id, RowLock::Share)?;
    check_launchable(customer.status)?;
    let service = services::by_key(c, &instance.service)?.ok_or(StoreError::NotFound)?;
    audit::record(
        c,
        who,
        Event {
            organization_id: instance.customer_id,
            action: AuditAction::ServiceInstanceLaunched,
            target_type: "service_instance",
            target_id: id,
            details: json!({
                "jti": launch.token_id,
                "expires_at": launch.expires_at,
                "service": instance.service,
                "region": instance.region,
            }),
        },
    )?;
    Ok(service)
}
