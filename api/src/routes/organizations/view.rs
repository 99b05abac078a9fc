//! JSON shapes of organisations, and the partner path shown with each.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::{OrgKind, OrgStatus, Principal, TreePath};
use persistence::{Organization, PathEntry, Store, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;

/// The kinds a new organisation can have (the provider is the one root).
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChildKind {
    Distributor,
    Partner,
    Customer,
}

impl From<ChildKind> for OrgKind {
    fn from(k: ChildKind) -> Self {
        match k {
            ChildKind::Distributor => OrgKind::Distributor,
            ChildKind::Partner => OrgKind::Partner,
            ChildKind::Customer => OrgKind::Customer,
        }
    }
}

/// One step of a partner path.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerPathEntry {
    pub id: Uuid,
    pub name: String,
    pub kind: OrgKind,
}

/// An organisation: the provider, a distributor, a partner (reseller) or a customer (tenant).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c",
    "parent_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c",
    "kind": "customer",
    "name": "Alpine Ski House",
    "status": "active",
    "partner_path": [
        {"id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c", "name": "Fabrikam Reseller", "kind": "partner"},
        {"id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c", "name": "Alpine Ski House", "kind": "customer"}
    ],
    "primary_domain": "alpineskihouse.onmicrosoft.com",
    "tenant_id": null,
    "contact_email": "it@alpineskihouse.com",
    "country": "NZ",
    "programme_open": false,
    "require_totp": false,
    "version": 3,
    "created_at": "2026-11-23T18:00:00Z",
    "updated_at": "2026-11-23T18:05:00Z"
}))]
pub struct OrganizationView {
    pub id: Uuid,
    /// Null for the provider root.
    pub parent_id: Option<Uuid>,
    pub kind: OrgKind,
    pub name: String,
    pub status: OrgStatus,
    /// From the caller's home organisation down to this one (both included).
    pub partner_path: Vec<PartnerPathEntry>,
    /// Customers only: `<prefix>.onmicrosoft.com`.
    pub primary_domain: Option<String>,
    /// Customers only: the Microsoft tenant id (GUID).
    pub tenant_id: Option<String>,
    /// Customers only.
    pub contact_email: Option<String>,
    /// Customers only: ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// Whether its partner programme takes applications (`POST /v1/programmes/{org_id}/applications`);
    /// always false for customers.
    pub programme_open: bool,
    /// Set here: operators here and below need a second factor to sign in
    /// (it is in force when any organisation on the path up has it set).
    pub require_totp: bool,
    /// Increases with every change; the ETag is this number in quotes.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A page of organisations.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationPage {
    pub items: Vec<OrganizationView>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Create a child organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "parent_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c",
    "kind": "customer",
    "name": "Alpine Ski House",
    "primary_domain": "alpineskihouse.onmicrosoft.com",
    "contact_email": "it@alpineskihouse.com",
    "country": "NZ"
}))]
pub struct CreateOrganization {
    /// The new organisation's parent: your home organisation or one below it.
    pub parent_id: Uuid,
    /// `distributor` (under the provider), `partner`, or `customer`.
    pub kind: ChildKind,
    /// 1–200 characters, not blank, no control characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// Customers: required, `<prefix>.onmicrosoft.com`, unique and never reusable.
    #[schema(pattern = r"^[A-Za-z0-9]{1,27}\.onmicrosoft\.com$")]
    pub primary_domain: Option<String>,
    /// Customers: optional Microsoft tenant id (GUID), unique.
    #[schema(format = Uuid)]
    pub tenant_id: Option<String>,
    /// Customers: optional work e-mail of the contact (consumer mail domains are refused).
    #[schema(format = Email, max_length = 254)]
    pub contact_email: Option<String>,
    /// Customers: optional ISO 3166-1 alpha-2 country code.
    #[schema(value_type = Option<String>, pattern = "^[A-Z]{2}$", example = "NZ")]
    pub country: Option<String>,
}

/// Change an organisation's details. Absent fields stay as they are; `null` clears
/// an optional field. Parent, kind and status change through their own operations.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Alpine Ski House Ltd", "country": "AU"}))]
pub struct UpdateOrganization {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    /// Customers only.
    #[serde(default, deserialize_with = "crate::extract::double_option")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub tenant_id: Option<Option<String>>,
    /// Customers only.
    #[serde(default, deserialize_with = "crate::extract::double_option")]
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    pub contact_email: Option<Option<String>>,
    /// Customers only.
    #[serde(default, deserialize_with = "crate::extract::double_option")]
    #[schema(value_type = Option<String>, pattern = "^[A-Z]{2}$", example = "NZ")]
    pub country: Option<Option<String>>,
    /// Not for customers: open (`true`) or close (`false`) the partner programme to applications.
    pub programme_open: Option<bool>,
    /// Require a second factor (TOTP) of every operator here and below: those
    /// without one can then only enrol until they do.
    pub require_totp: Option<bool>,
}

/// Move an organisation (with its whole subtree) under another parent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parent_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c"}))]
pub struct MoveOrganization {
    /// The new parent, inside your scope.
    pub parent_id: Uuid,
}

/// An organisation as seen from `scope_root` (its partner path starts there);
/// `names` holds the entries of every id on that path.
pub(crate) fn view(org: Organization, scope_root: &TreePath, names: &HashMap<Uuid, PathEntry>) -> OrganizationView {
    let partner_path = org
        .path
        .ids_below(scope_root)
        .into_iter()
        .filter_map(|id| names.get(&id))
        .map(|e| PartnerPathEntry {
            id: e.id,
            name: e.name.clone(),
            kind: e.kind,
        })
        .collect();
    let customer = org.customer;
    OrganizationView {
        id: org.id,
        parent_id: org.parent_id,
        kind: org.kind,
        name: org.name,
        status: org.status,
        partner_path,
        primary_domain: customer.as_ref().map(|c| c.primary_domain.clone()),
        tenant_id: customer.as_ref().and_then(|c| c.tenant_id.clone()),
        contact_email: customer.as_ref().and_then(|c| c.contact_email.clone()),
        country: customer.as_ref().and_then(|c| c.country.clone()),
        programme_open: org.programme_open,
        require_totp: org.require_totp,
        version: org.version,
        created_at: org.created_at,
        updated_at: org.updated_at,
    }
}

/// Renders organisations with their partner paths, reading every name on the
/// paths in one statement whatever the page size or depth (on the caller's
/// connection, inside its trip).
pub fn present(
    store: &Store,
    principal: &Principal,
    orgs: Vec<Organization>,
) -> Result<Vec<OrganizationView>, StoreError> {
    let mut ids: Vec<Uuid> = orgs
        .iter()
        .flat_map(|o| o.path.ids_below(&principal.home_path))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<Uuid, PathEntry> = store.path_entries(&ids)?.into_iter().map(|e| (e.id, e)).collect();
    Ok(orgs
        .into_iter()
        .map(|o| view(o, &principal.home_path, &names))
        .collect())
}

pub fn present_one(store: &Store, principal: &Principal, org: Organization) -> Result<OrganizationView, ApiError> {
    present(store, principal, vec![org])?
        .pop()
        .ok_or_else(|| ApiError::Internal("presenting an organisation lost it".into()))
}
