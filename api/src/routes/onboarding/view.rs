//! JSON shapes of activation links. None of them ever holds a token.

use chrono::{DateTime, Utc};
use domain::credentials::Password;
use domain::{parse_all, DisplayName, OrgKind, OrgStatus, WorkEmail};
use persistence::{Activation, ActivationLink, ActivationTarget, CreatedAdmin};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;

/// Send (or re-send) an organisation's activation link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "it@treyresearch.example"}))]
pub struct SendActivationLink {
    /// The contact who receives the link: a work or school address.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
}

/// An activation link as sent. The token is only in the mail.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c",
    "organization_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c",
    "email": "it@treyresearch.example",
    "created_at": "2026-11-23T18:00:00Z",
    "expires_at": "2026-11-30T18:00:00Z"
}))]
pub struct ActivationLinkView {
    pub id: Uuid,
    pub organization_id: Uuid,
    /// Where the link was mailed.
    pub email: String,
    pub created_at: DateTime<Utc>,
    /// After this the link is refused; send a new one.
    pub expires_at: DateTime<Utc>,
}

impl From<ActivationLink> for ActivationLinkView {
    fn from(l: ActivationLink) -> Self {
        Self {
            id: l.id,
            organization_id: l.organization_id,
            email: l.email,
            created_at: l.created_at,
            expires_at: l.expires_at,
        }
    }
}

/// What an activation link is for.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "organization_name": "Trey Research",
    "kind": "customer",
    "expires_at": "2026-11-30T18:00:00Z"
}))]
pub struct ActivationView {
    pub organization_name: String,
    /// `partner` or `distributor` (you become its first admin operator) or
    /// `customer` (you become its first master admin).
    pub kind: OrgKind,
    pub expires_at: DateTime<Utc>,
}

impl From<ActivationTarget> for ActivationView {
    fn from(t: ActivationTarget) -> Self {
        Self {
            organization_name: t.organization_name,
            kind: t.kind,
            expires_at: t.expires_at,
        }
    }
}

/// Accept an activation link: who becomes the organisation's first admin.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Mary Smith", "email": "mary@treyresearch.example"}))]
pub struct AcceptActivation {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// A work or school address; consumer mail domains are refused.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// Optional: a password (12 to 256 characters, not a common one), so the
    /// first admin can sign in at once with `POST /v1/sessions`.
    #[schema(min_length = 12, max_length = 256, format = Password)]
    pub password: Option<String>,
}

impl AcceptActivation {
    pub fn parse(&self) -> Result<(DisplayName, WorkEmail, Option<Password>), ApiError> {
        let password = self
            .password
            .as_deref()
            .map(|p| Password::parse(p, "password"))
            .transpose();
        Ok(parse_all((
            DisplayName::parse(&self.name),
            WorkEmail::parse(&self.email, "email"),
            password,
        ))?)
    }
}

/// What the first admin became.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FirstAdminType {
    /// An operator with the `admin` role (partners, distributors).
    Operator,
    /// A customer user who is master admin (customers).
    CustomerUser,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FirstAdminView {
    #[serde(rename = "type")]
    pub type_: FirstAdminType,
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

/// An accepted link: the organisation is active and has its first admin.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "organization_id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c",
    "organization_name": "Trey Research",
    "kind": "customer",
    "status": "active",
    "admin": {
        "type": "customer_user",
        "id": "0192f0c4-7b20-7c3e-9d52-6b1f7e0a1b2c",
        "name": "Mary Smith",
        "email": "mary@treyresearch.example"
    }
}))]
pub struct AcceptedActivation {
    pub organization_id: Uuid,
    pub organization_name: String,
    pub kind: OrgKind,
    pub status: OrgStatus,
    pub admin: FirstAdminView,
}

impl From<Activation> for AcceptedActivation {
    fn from(a: Activation) -> Self {
        let admin = match a.admin {
            CreatedAdmin::Operator(o) => FirstAdminView {
                type_: FirstAdminType::Operator,
                id: o.id,
                name: o.name,
                email: o.email,
            },
            CreatedAdmin::CustomerUser(u) => FirstAdminView {
                type_: FirstAdminType::CustomerUser,
                id: u.id,
                name: u.name,
                email: u.email,
            },
        };
        Self {
            organization_id: a.organization.id,
            organization_name: a.organization.name,
            kind: a.organization.kind,
            status: a.organization.status,
            admin,
        }
    }
}
