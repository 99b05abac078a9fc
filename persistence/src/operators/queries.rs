use diesel::prelude::*;
use domain::{OperatorStatus, Role, TreePath};
use uuid::Uuid;

use super::{Operator, OperatorRow};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::{operators, organizations};

#[derive(Debug, Clone, Default)]
pub struct OperatorFilter {
    pub role: Option<Role>,
    pub status: Option<OperatorStatus>,
    /// Case-insensitive substring of the e-mail.
    pub email_contains: Option<String>,
}

/// Operators whose home lies in the subtree at `root` (itself included), oldest first.
pub(crate) fn list(
    conn: &mut DbConn,
    root: &TreePath,
    filter: &OperatorFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Operator>, StoreError> {
    let mut q = operators::table
        .inner_join(organizations::table)
        .filter(organizations::path.ge(root.as_str().to_string()))
        .filter(organizations::path.lt(root.upper_bound()))
        .select(OperatorRow::as_select())
        .order(operators::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(role) = filter.role {
        // Role names are not substrings of one another, so a LIKE on the stored list is exact.
        q = q.filter(operators::roles.like(format!("%{}%", role.as_str())));
    }
    if let Some(status) = filter.status {
        q = q.filter(operators::status.eq(status.as_str()));
    }
    if let Some(needle) = &filter.email_contains {
        q = q.filter(
            operators::email
                .like(crate::organizations::like_pattern(needle))
                .escape('\\'),
        );
    }
    if let Some(after) = after {
        q = q.filter(operators::id.gt(after.to_string()));
    }
    q.load(conn)?.into_iter().map(OperatorRow::into_model).collect()
}

/// Active admins of the provider other than `except`.
pub(crate) fn other_provider_admins(conn: &mut DbConn, provider: Uuid, except: Uuid) -> Result<i64, StoreError> {
    Ok(operators::table
        .filter(operators::home_organization_id.eq(provider.to_string()))
        .filter(operators::id.ne(except.to_string()))
        .filter(operators::status.eq(OperatorStatus::Active.as_str()))
        .filter(operators::roles.like("%admin%"))
        .count()
        .get_result(conn)?)
}
