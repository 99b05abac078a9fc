use chrono::{DateTime, Utc};
use domain::{Country, CustomerDetails, DisplayName, OrgKind, OrgStatus, TenantId, TreePath, WorkEmail};
use uuid::Uuid;

/// An organisation as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub kind: OrgKind,
    pub name: String,
    pub status: OrgStatus,
    pub path: TreePath,
    pub customer: Option<CustomerFields>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Whether its partner programme takes applications (channel organisations).
    pub programme_open: bool,
    /// Every operator at or below it needs a second factor to sign in.
    pub require_totp: bool,
}

impl domain::Scoped for Organization {
    fn scope_path(&self) -> &domain::TreePath {
        &self.path
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerFields {
    pub primary_domain: String,
    pub tenant_id: Option<String>,
    pub contact_email: Option<String>,
    pub country: Option<String>,
}

/// One step of a partner path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathEntry {
    pub id: Uuid,
    pub name: String,
    pub kind: OrgKind,
}

#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub parent_id: Uuid,
    pub kind: OrgKind,
    pub name: DisplayName,
    /// Required exactly when `kind` is customer (the api parses it so).
    pub customer: Option<CustomerDetails>,
}

/// Fields an update may change; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct OrganizationPatch {
    pub name: Option<DisplayName>,
    pub tenant_id: Option<Option<TenantId>>,
    pub contact_email: Option<Option<WorkEmail>>,
    pub country: Option<Option<Country>>,
    /// Channel organisations only: open or close the partner programme.
    pub programme_open: Option<bool>,
    /// Require a second factor of every operator at or below it.
    pub require_totp: Option<bool>,
}

impl OrganizationPatch {
    /// The customer-only fields this patch sets or clears.
    pub fn customer_fields_sent(&self) -> Vec<&'static str> {
        [
            ("tenant_id", self.tenant_id.is_some()),
            ("contact_email", self.contact_email.is_some()),
            ("country", self.country.is_some()),
        ]
        .into_iter()
        .filter_map(|(f, sent)| sent.then_some(f))
        .collect()
    }
}

#[derive(Debug, Clone, Default)]
pub struct ChildrenFilter {
    pub kind: Option<OrgKind>,
    pub status: Option<OrgStatus>,
}

#[derive(Debug, Clone, Default)]
pub struct DescendantFilter {
    pub kind: Option<OrgKind>,
    /// `None` lists every status but `archived`.
    pub status: Option<OrgStatus>,
    /// Case-insensitive substring of the name.
    pub name_contains: Option<String>,
}
