//! JSON shapes of operators.

use chrono::{DateTime, Utc};
use domain::{parse_all, DisplayName, OperatorStatus, Role, RoleSet, WorkEmail};
use persistence::Operator;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;

/// A person who signs in to the portal.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c",
    "home_organization_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c",
    "email": "jane@fabrikam.example",
    "name": "Jane Doe",
    "roles": ["viewer", "billing"],
    "status": "active",
    "last_sign_in_at": "2026-11-23T08:00:00Z",
    "version": 2,
    "created_at": "2026-11-01T10:00:00Z",
    "updated_at": "2026-11-20T10:00:00Z"
}))]
pub struct OperatorView {
    pub id: Uuid,
    /// The operator's scope root.
    pub home_organization_id: Uuid,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// `invited` until the first sign-in.
    pub status: OperatorStatus,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// The ETag is this number in quotes.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Operator> for OperatorView {
    fn from(o: Operator) -> Self {
        Self {
            id: o.id,
            home_organization_id: o.home_organization_id,
            email: o.email,
            name: o.name,
            roles: o.roles.iter().collect(),
            status: o.status,
            last_sign_in_at: o.last_sign_in_at,
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OperatorPage {
    pub items: Vec<OperatorView>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Add an operator to an organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "jane@fabrikam.example", "name": "Jane Doe", "roles": ["viewer"]}))]
pub struct CreateOperator {
    /// A work or school address; consumer mail domains are refused.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    #[schema(min_items = 1)]
    pub roles: Vec<Role>,
}

/// Change an operator's name or roles (absent fields stay as they are).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"roles": ["viewer", "billing"]}))]
pub struct UpdateOperator {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    #[schema(min_items = 1)]
    pub roles: Option<Vec<Role>>,
}

/// At least one role.
pub fn parse_roles(roles: &[Role]) -> Result<RoleSet, domain::FieldError> {
    RoleSet::non_empty(roles.iter().copied())
}

impl CreateOperator {
    pub fn parse(&self) -> Result<(WorkEmail, DisplayName, RoleSet), ApiError> {
        Ok(parse_all((
            WorkEmail::parse(&self.email, "email"),
            DisplayName::parse(&self.name),
            parse_roles(&self.roles),
        ))?)
    }
}
