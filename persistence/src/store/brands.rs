//! Brands and logos.

use domain::{BrandInput, Logo, TreePath};
use uuid::Uuid;

use super::Store;
use crate::audit::AuditEntry;
use crate::brands::{self, Brand, StoredLogo};
use crate::error::StoreError;

impl Store {
    /// The organisation's own brand.
    pub fn brand(&self, org: Uuid) -> Result<Option<Brand>, StoreError> {
        self.read(|c| brands::own(c, org))
    }

    /// The brand in force at `path`: its own, else the nearest ancestor's.
    pub fn effective_brand(&self, path: &TreePath) -> Result<Option<Brand>, StoreError> {
        self.read(|c| brands::effective(c, path))
    }

    /// The brand served on `domain` (public sign-in pages).
    pub fn brand_by_domain(&self, domain: &str) -> Result<Option<Brand>, StoreError> {
        self.read(|c| brands::by_domain(c, domain))
    }

    pub fn brand_logo(&self, org: Uuid) -> Result<Option<StoredLogo>, StoreError> {
        self.read(|c| brands::logo(c, org))
    }

    pub fn put_brand(
        &self,
        scope: &TreePath,
        org: Uuid,
        expected_version: Option<i64>,
        input: &BrandInput,
        who: &AuditEntry,
    ) -> Result<Brand, StoreError> {
        self.change(|c| brands::put(c, scope, org, expected_version, input, who))
    }

    pub fn delete_brand(
        &self,
        scope: &TreePath,
        org: Uuid,
        expected_version: Option<i64>,
        who: &AuditEntry,
    ) -> Result<(), StoreError> {
        self.change(|c| brands::delete(c, scope, org, expected_version, who))
    }

    pub fn put_brand_logo(&self, scope: &TreePath, org: Uuid, logo: &Logo, who: &AuditEntry) -> Result<(), StoreError> {
        self.change(|c| brands::put_logo(c, scope, org, logo, who))
    }

    pub fn delete_brand_logo(&self, scope: &TreePath, org: Uuid, who: &AuditEntry) -> Result<(), StoreError> {
        self.change(|c| brands::delete_logo(c, scope, org, who))
    }
}
