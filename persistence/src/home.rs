//! The home organisation of a principal (operator or API client), read in the
//! same statement as the principal, so role and status changes apply at once.

use diesel::prelude::*;
use domain::{OrgKind, OrgStatus, TreePath};

use crate::error::StoreError;
use crate::schema::organizations;

#[derive(Queryable, Selectable)]
#[diesel(table_name = organizations)]
pub(crate) struct HomeRow {
    kind: String,
    path: String,
    status: String,
}

pub(crate) struct Home {
    pub kind: OrgKind,
    pub path: TreePath,
    pub status: OrgStatus,
}

impl HomeRow {
    /// `owner` names the principal in the error if a stored value is unreadable.
    pub(crate) fn parse(self, owner: &str) -> Result<Home, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("{owner}: bad home {what}"));
        Ok(Home {
            kind: OrgKind::parse(&self.kind).ok_or_else(|| corrupt("kind"))?,
            path: TreePath::parse(&self.path).map_err(|_| corrupt("path"))?,
            status: OrgStatus::parse(&self.status).ok_or_else(|| corrupt("status"))?,
        })
    }
}
