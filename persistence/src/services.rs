//! The service catalogue: what customers can have provisioned, where each
//! service is launched, and in which regions it runs. Kept by the provider;
//! every change is audited in the provider's log.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::{AuditAction, DisplayName, HttpsUrl, Regions, Slug};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, AuditEntry, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::schema::services;
use crate::time::{now, utc};

#[derive(Debug, Clone)]
pub struct Service {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub launch_url: String,
    pub regions: Regions,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new catalogue entry.
#[derive(Debug, Clone)]
pub struct NewService {
    pub key: Slug,
    pub name: DisplayName,
    pub launch_url: HttpsUrl,
    pub regions: Regions,
}

/// Changes to an entry; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ServicePatch {
    pub name: Option<DisplayName>,
    pub launch_url: Option<HttpsUrl>,
    pub regions: Option<Regions>,
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    i64,
    NaiveDateTime,
    NaiveDateTime,
);

fn columns() -> (
    services::id,
    services::service_key,
    services::name,
    services::launch_url,
    services::regions,
    services::version,
    services::created_at,
    services::updated_at,
) {
    (
        services::id,
        services::service_key,
        services::name,
        services::launch_url,
        services::regions,
        services::version,
        services::created_at,
        services::updated_at,
    )
}

fn into_model((id, key, name, launch_url, regions, version, created, updated): Row) -> Result<Service, StoreError> {
    Ok(Service {
        id: parse_uuid(&id)?,
        key,
        name,
        launch_url,
        regions: Regions::from_storage(&regions),
        version,
        created_at: utc(created),
        updated_at: utc(updated),
    })
}

/// The whole catalogue, by key.
pub(crate) fn all(conn: &mut DbConn) -> Result<Vec<Service>, StoreError> {
    services::table
        .select(columns())
        .order(services::service_key.asc())
        .load::<Row>(conn)?
        .into_iter()
        .map(into_model)
        .collect()
}

pub(crate) fn by_key(conn: &mut DbConn, key: &str) -> Result<Option<Service>, StoreError> {
    services::table
        .filter(services::service_key.eq(key))
        .select(columns())
        .first::<Row>(conn)
        .optional()?
        .map(into_model)
        .transpose()
}

fn audit_service(
    conn: &mut DbConn,
    who: &AuditEntry,
    home: Uuid,
    action: AuditAction,
    service: &Service,
) -> Result<(), StoreError> {
    audit::record(
        conn,
        who,
        Event {
            organization_id: home,
            action,
            target_type: "service",
            target_id: service.id,
            details: json!({
                "key": service.key,
                "name": service.name,
                "launch_url": service.launch_url,
                "regions": service.regions.iter().collect::<Vec<_>>(),
            }),
        },
    )
}

/// Adds an entry; its key is unique (409 `key`). Audited in `home`'s log.
pub(crate) fn create(conn: &mut DbConn, home: Uuid, new: &NewService, who: &AuditEntry) -> Result<Service, StoreError> {
    let at = now();
    diesel::insert_into(services::table)
        .values((
            services::id.eq(Uuid::now_v7().to_string()),
            services::service_key.eq(new.key.as_str()),
            services::name.eq(new.name.as_str()),
            services::launch_url.eq(new.launch_url.as_str()),
            services::regions.eq(new.regions.to_storage()),
            services::version.eq(1),
            services::created_at.eq(at),
            services::updated_at.eq(at),
        ))
        .execute(conn)?;
    let service = by_key(conn, new.key.as_str())?.ok_or(StoreError::NotFound)?;
    audit_service(conn, who, home, AuditAction::ServiceCreated, &service)?;
    Ok(service)
}

/// Changes an entry if `expected` (`If-Match`) is still its version.
pub(crate) fn update(
    conn: &mut DbConn,
    home: Uuid,
    key: &str,
    expected: Option<i64>,
    patch: &ServicePatch,
    who: &AuditEntry,
) -> Result<Service, StoreError> {
    let current = by_key(conn, key)?.ok_or(StoreError::NotFound)?;
    if expected.is_some_and(|v| v != current.version) {
        return Err(StoreError::StaleVersion {
            current: current.version,
        });
    }
    let changed = diesel::update(services::table.find(current.id.to_string()))
        .filter(services::version.eq(current.version))
        .set((
            patch.name.as_ref().map(|n| services::name.eq(n.as_str().to_string())),
            patch
                .launch_url
                .as_ref()
                .map(|u| services::launch_url.eq(u.as_str().to_string())),
            patch.regions.as_ref().map(|r| services::regions.eq(r.to_storage())),
            services::version.eq(current.version + 1),
            services::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::StaleVersion {
            current: current.version + 1,
        });
    }
    let service = by_key(conn, key)?.ok_or(StoreError::NotFound)?;
    audit_service(conn, who, home, AuditAction::ServiceUpdated, &service)?;
    Ok(service)
}
