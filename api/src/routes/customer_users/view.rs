//! JSON shapes of customer users and of impersonation grants.

use chrono::{DateTime, Utc};
use domain::{parse_all, DisplayName, EmailAddress};
use domain::{parse_mobile, AdminFlags};
use persistence::{CustomerUser, CustomerUserPatch, NewCustomerUser};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;

/// `active` users can sign in to the customer portal; `disabled` ones cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomerUserStatus {
    Active,
    Disabled,
}

impl From<persistence::CustomerUserStatus> for CustomerUserStatus {
    fn from(s: persistence::CustomerUserStatus) -> Self {
        match s {
            persistence::CustomerUserStatus::Active => Self::Active,
            persistence::CustomerUserStatus::Disabled => Self::Disabled,
        }
    }
}

impl From<CustomerUserStatus> for persistence::CustomerUserStatus {
    fn from(s: CustomerUserStatus) -> Self {
        match s {
            CustomerUserStatus::Active => Self::Active,
            CustomerUserStatus::Disabled => Self::Disabled,
        }
    }
}

/// A user of a customer tenant (the customer portal's people).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7b20-7d4e-8a63-7c2f8e1b2c3d",
    "customer_id": "0192f0c4-7a55-7b12-9e44-1a2b3c4d5e6f",
    "email": "kim@fourthcoffee.example",
    "name": "Kim Abercrombie",
    "mobile": "+64211234567",
    "admin": true,
    "master_admin": true,
    "status": "active",
    "last_sign_in_at": null,
    "version": 1,
    "created_at": "2026-11-23T10:00:00Z",
    "updated_at": "2026-11-23T10:00:00Z"
}))]
pub struct CustomerUserView {
    pub id: Uuid,
    /// The customer (tenant) organisation.
    pub customer_id: Uuid,
    /// Stored lowercased; unique per customer.
    pub email: String,
    pub name: String,
    /// E.164, e.g. `+64211234567`.
    pub mobile: Option<String>,
    /// May manage the customer's users in the customer portal.
    pub admin: bool,
    /// The tenant's owner; always also `admin`. A customer keeps at least one active master admin.
    pub master_admin: bool,
    pub status: CustomerUserStatus,
    /// The last sign-in to the customer portal. Read-only: the customer portal
    /// (not this API) records it; `null` until the user has signed in there.
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// The ETag is this number in quotes.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<CustomerUser> for CustomerUserView {
    fn from(u: CustomerUser) -> Self {
        Self {
            id: u.id,
            customer_id: u.customer_id,
            email: u.email,
            name: u.name,
            mobile: u.mobile,
            admin: u.flags.admin,
            master_admin: u.flags.master_admin,
            status: u.status.into(),
            last_sign_in_at: u.last_sign_in_at,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerUserPage {
    pub items: Vec<CustomerUserView>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Add a user to a customer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "kim@fourthcoffee.example", "name": "Kim Abercrombie", "mobile": "+64211234567", "master_admin": true}))]
pub struct CreateCustomerUser {
    /// Any mailbox provider; unique per customer.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// E.164: `+`, country code, number; no spaces.
    #[schema(pattern = r"^\+[1-9][0-9]{6,14}$", example = "+64211234567")]
    pub mobile: Option<String>,
    /// Default `false`; `true` when `master_admin` is `true`.
    pub admin: Option<bool>,
    /// Default `false`. Implies `admin`.
    pub master_admin: Option<bool>,
    /// Mail the user an "activate your account" link that sets their
    /// customer-portal password (default `false`).
    #[serde(default)]
    pub send_invitation: bool,
}

/// Change a customer user (absent fields stay as they are).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"master_admin": false, "status": "disabled"}))]
pub struct UpdateCustomerUser {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    /// Any mailbox provider; unique per customer.
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    /// E.164; `null` removes the number.
    #[serde(default, deserialize_with = "crate::extract::double_option")]
    #[schema(value_type = Option<String>, pattern = r"^\+[1-9][0-9]{6,14}$", example = "+64211234567")]
    pub mobile: Option<Option<String>>,
    /// `false` is refused for a master admin (drop `master_admin` in the same request).
    pub admin: Option<bool>,
    /// `true` also sets `admin`. The customer's last active master admin cannot lose it.
    pub master_admin: Option<bool>,
    /// The customer's last active master admin cannot be disabled.
    pub status: Option<CustomerUserStatus>,
}

impl CreateCustomerUser {
    pub fn parse(&self, customer_id: Uuid) -> Result<NewCustomerUser, ApiError> {
        let (email, name, mobile, flags) = parse_all((
            EmailAddress::parse(&self.email, "email"),
            DisplayName::parse(&self.name),
            self.mobile.as_deref().map(parse_mobile).transpose(),
            AdminFlags::default().with(self.admin, self.master_admin),
        ))?;
        Ok(NewCustomerUser {
            customer_id,
            email,
            name,
            mobile,
            flags,
        })
    }
}

impl UpdateCustomerUser {
    pub fn parse(self) -> Result<CustomerUserPatch, ApiError> {
        // `admin: false` with `master_admin: true` is refused whatever the user is now.
        let flags = if self.admin == Some(false) && self.master_admin == Some(true) {
            AdminFlags::default().with(self.admin, self.master_admin).map(drop)
        } else {
            Ok(())
        };
        let (name, email, mobile, ()) = parse_all((
            self.name.as_deref().map(DisplayName::parse).transpose(),
            self.email
                .as_deref()
                .map(|e| EmailAddress::parse(e, "email"))
                .transpose(),
            self.mobile
                .as_ref()
                .map(|m| m.as_deref().map(parse_mobile).transpose())
                .transpose(),
            flags,
        ))?;
        Ok(CustomerUserPatch {
            name,
            email,
            mobile,
            admin: self.admin,
            master_admin: self.master_admin,
            status: self.status.map(Into::into),
        })
    }
}

/// A token for the customer portal, acting as a customer user.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJFZERTQSIsImtpZCI6IjNmMWMwYTliN2UyZDRjNTEifQ…",
    "token_type": "Bearer",
    "expires_in": 900,
    "customer_user_id": "0192f0c4-7b20-7d4e-8a63-7c2f8e1b2c3d",
    "customer_id": "0192f0c4-7a55-7b12-9e44-1a2b3c4d5e6f"
}))]
pub struct ImpersonationGrant {
    /// An EdDSA JWT for the customer portal (audience `customer-portal`, `typ`
    /// `impersonation`), verifiable with `/.well-known/jwks.json`. Its `sub` is the
    /// customer user, `tid` the customer, and `act` (RFC 8693) names you. This API
    /// refuses it as a bearer token.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires (at most 900).
    pub expires_in: i64,
    pub customer_user_id: Uuid,
    pub customer_id: Uuid,
}
