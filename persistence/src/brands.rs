//! Brands and their logos. The brand in force for an organisation is the
//! nearest brand on its path: one statement over the path's ids (primary-key
//! lookups), deepest first, whatever the depth. Every change is audited.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::{AuditAction, BrandInput, Logo, TreePath};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, AuditEntry, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::organizations::{lock_in_scope, RowLock};
use crate::schema::{brand_logos, brands, organizations};
use crate::time::{now, utc};

/// An organisation's own brand.
#[derive(Debug, Clone)]
pub struct Brand {
    pub organization_id: Uuid,
    pub display_name: String,
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    pub support_email: Option<String>,
    pub support_url: Option<String>,
    pub portal_domain: Option<String>,
    /// The logo's digest (its ETag), when it has one.
    pub logo_digest: Option<String>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// A stored logo.
#[derive(Debug, Clone)]
pub struct StoredLogo {
    pub content_type: String,
    pub digest: String,
    pub bytes: Vec<u8>,
}

type Row = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    NaiveDateTime,
);

type Columns = (
    brands::organization_id,
    brands::display_name,
    brands::primary_color,
    brands::accent_color,
    brands::support_email,
    brands::support_url,
    brands::portal_domain,
    diesel::dsl::Nullable<brand_logos::digest>,
    brands::version,
    brands::updated_at,
);

fn columns() -> Columns {
    (
        brands::organization_id,
        brands::display_name,
        brands::primary_color,
        brands::accent_color,
        brands::support_email,
        brands::support_url,
        brands::portal_domain,
        brand_logos::digest.nullable(),
        brands::version,
        brands::updated_at,
    )
}

fn into_model(r: Row) -> Result<Brand, StoreError> {
    Ok(Brand {
        organization_id: parse_uuid(&r.0)?,
        display_name: r.1,
        primary_color: r.2,
        accent_color: r.3,
        support_email: r.4,
        support_url: r.5,
        portal_domain: r.6,
        logo_digest: r.7,
        version: r.8,
        updated_at: utc(r.9),
    })
}

/// The organisation's own brand.
pub(crate) fn own(conn: &mut DbConn, org: Uuid) -> Result<Option<Brand>, StoreError> {
    brands::table
        .left_join(brand_logos::table.on(brand_logos::organization_id.eq(brands::organization_id)))
        .filter(brands::organization_id.eq(org.to_string()))
        .select(columns())
        .first::<Row>(conn)
        .optional()?
        .map(into_model)
        .transpose()
}

/// The brand in force at `path`: the deepest brand among its ancestors-or-self.
pub(crate) fn effective(conn: &mut DbConn, path: &TreePath) -> Result<Option<Brand>, StoreError> {
    let ids: Vec<String> = path.ids().iter().map(Uuid::to_string).collect();
    brands::table
        .inner_join(organizations::table)
        .left_join(brand_logos::table.on(brand_logos::organization_id.eq(brands::organization_id)))
        .filter(brands::organization_id.eq_any(ids))
        .order(organizations::depth.desc())
        .select(columns())
        .first::<Row>(conn)
        .optional()?
        .map(into_model)
        .transpose()
}

/// The brand whose sign-in page is served on `domain`.
pub(crate) fn by_domain(conn: &mut DbConn, domain: &str) -> Result<Option<Brand>, StoreError> {
    brands::table
        .left_join(brand_logos::table.on(brand_logos::organization_id.eq(brands::organization_id)))
        .filter(brands::portal_domain.eq(domain))
        .select(columns())
        .first::<Row>(conn)
        .optional()?
        .map(into_model)
        .transpose()
}

/// The logo of `org`'s own brand.
pub(crate) fn logo(conn: &mut DbConn, org: Uuid) -> Result<Option<StoredLogo>, StoreError> {
    Ok(brand_logos::table
        .filter(brand_logos::organization_id.eq(org.to_string()))
        .select((brand_logos::content_type, brand_logos::digest, brand_logos::bytes))
        .first::<(String, String, Vec<u8>)>(conn)
        .optional()?
        .map(|(content_type, digest, bytes)| StoredLogo {
            content_type,
            digest,
            bytes,
        }))
}

fn audit_brand(
    conn: &mut DbConn,
    who: &AuditEntry,
    org: Uuid,
    action: AuditAction,
    details: serde_json::Value,
) -> Result<(), StoreError> {
    audit::record(
        conn,
        who,
        Event {
            organization_id: org,
            action,
            target_type: "brand",
            target_id: org,
            details,
        },
    )
}

/// The organisation, locked, in scope and allowed a brand; and its brand's
/// current version if `expected` (`If-Match`) still names it.
fn current(conn: &mut DbConn, scope: &TreePath, org: Uuid, expected: Option<i64>) -> Result<Option<i64>, StoreError> {
    let target = lock_in_scope(conn, scope, org, RowLock::Update)?;
    target.kind.check_has_brand().map_err(domain::DomainError::from)?;
    let version = brands::table
        .find(org.to_string())
        .select(brands::version)
        .first::<i64>(conn)
        .optional()?;
    match expected {
        Some(v) if Some(v) != version => Err(StoreError::StaleVersion {
            current: version.unwrap_or(0),
        }),
        _ => Ok(version),
    }
}

/// Sets the organisation's own brand (created, or replaced whole).
pub(crate) fn put(
    conn: &mut DbConn,
    scope: &TreePath,
    org: Uuid,
    expected: Option<i64>,
    input: &BrandInput,
    who: &AuditEntry,
) -> Result<Brand, StoreError> {
    let version = current(conn, scope, org, expected)?;
    let at = now();
    let values = (
        brands::display_name.eq(&input.display_name),
        brands::primary_color.eq(input.primary_color.as_ref().map(|c| c.as_str().to_string())),
        brands::accent_color.eq(input.accent_color.as_ref().map(|c| c.as_str().to_string())),
        brands::support_email.eq(input.support_email.as_ref().map(|e| e.as_str().to_string())),
        brands::support_url.eq(input.support_url.as_ref().map(|u| u.as_str().to_string())),
        brands::portal_domain.eq(input.portal_domain.as_ref().map(|d| d.as_str().to_string())),
        brands::updated_at.eq(at),
    );
    match version {
        Some(v) => {
            diesel::update(brands::table.find(org.to_string()))
                .set((values, brands::version.eq(v + 1)))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(brands::table)
                .values((
                    brands::organization_id.eq(org.to_string()),
                    values,
                    brands::version.eq(1),
                    brands::created_at.eq(at),
                ))
                .execute(conn)?;
        }
    }
    audit_brand(
        conn,
        who,
        org,
        AuditAction::BrandUpdated,
        json!({
            "display_name": input.display_name,
            "primary_color": input.primary_color.as_ref().map(|c| c.as_str()),
            "accent_color": input.accent_color.as_ref().map(|c| c.as_str()),
            "support_email": input.support_email.as_ref().map(|e| e.as_str()),
            "support_url": input.support_url.as_ref().map(|u| u.as_str()),
            "portal_domain": input.portal_domain.as_ref().map(|d| d.as_str()),
        }),
    )?;
    own(conn, org)?.ok_or(StoreError::NotFound)
}

/// Removes the organisation's own brand and its logo; below it, the next brand up applies.
pub(crate) fn delete(
    conn: &mut DbConn,
    scope: &TreePath,
    org: Uuid,
    expected: Option<i64>,
    who: &AuditEntry,
) -> Result<(), StoreError> {
    current(conn, scope, org, expected)?.ok_or(StoreError::NotFound)?;
    diesel::delete(brand_logos::table.find(org.to_string())).execute(conn)?;
    diesel::delete(brands::table.find(org.to_string())).execute(conn)?;
    audit_brand(conn, who, org, AuditAction::BrandDeleted, json!({}))
}

/// Replaces the logo of the organisation's brand.
pub(crate) fn put_logo(
    conn: &mut DbConn,
    scope: &TreePath,
    org: Uuid,
    logo: &Logo,
    who: &AuditEntry,
) -> Result<(), StoreError> {
    current(conn, scope, org, None)?;
    diesel::delete(brand_logos::table.find(org.to_string())).execute(conn)?;
    diesel::insert_into(brand_logos::table)
        .values((
            brand_logos::organization_id.eq(org.to_string()),
            brand_logos::content_type.eq(logo.content_type.mime()),
            brand_logos::digest.eq(&logo.digest),
            brand_logos::bytes.eq(&logo.bytes),
            brand_logos::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit_brand(
        conn,
        who,
        org,
        AuditAction::BrandLogoUpdated,
        json!({
            "content_type": logo.content_type.mime(),
            "bytes": logo.bytes.len(),
            "width": logo.width,
            "height": logo.height,
            "sha256": logo.digest,
        }),
    )
}

/// Removes the logo of the organisation's brand.
pub(crate) fn delete_logo(conn: &mut DbConn, scope: &TreePath, org: Uuid, who: &AuditEntry) -> Result<(), StoreError> {
    current(conn, scope, org, None)?;
    let removed = diesel::delete(brand_logos::table.find(org.to_string())).execute(conn)?;
    if removed == 0 {
        return Err(StoreError::NotFound);
    }
    audit_brand(conn, who, org, AuditAction::BrandLogoDeleted, json!({}))
}
