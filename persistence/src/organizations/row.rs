use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::{OrgKind, OrgStatus, TreePath};

use super::model::{CustomerFields, Organization};
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::schema::organizations;
use crate::time::utc;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organizations)]
pub(crate) struct OrgRow {
    pub id: String,
    pub parent_id: Option<String>,
    pub kind: String,
    pub name: String,
    pub name_lower: String,
    pub status: String,
    pub path: String,
    pub depth: i32,
    pub primary_domain: Option<String>,
    pub tenant_id: Option<String>,
    pub contact_email: Option<String>,
    pub country: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub programme_open: bool,
    pub require_totp: bool,
}

impl OrgRow {
    pub fn into_model(self) -> Result<Organization, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("organisation {}: bad {what}", self.id));
        let kind = OrgKind::parse(&self.kind).ok_or_else(|| corrupt("kind"))?;
        let status = OrgStatus::parse(&self.status).ok_or_else(|| corrupt("status"))?;
        let path = TreePath::parse(&self.path).map_err(|_| corrupt("path"))?;
        let customer = self.primary_domain.clone().map(|primary_domain| CustomerFields {
            primary_domain,
            tenant_id: self.tenant_id.clone(),
            contact_email: self.contact_email.clone(),
            country: self.country.clone(),
        });
        Ok(Organization {
            id: parse_uuid(&self.id)?,
            parent_id: self.parent_id.as_deref().map(parse_uuid).transpose()?,
            kind,
            name: self.name,
            status,
            path,
            customer,
            version: self.version,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
            programme_open: self.programme_open,
            require_totp: self.require_totp,
        })
    }
}
