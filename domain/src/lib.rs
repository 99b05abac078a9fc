//! The rules of the partner portal, free of I/O.
//!
//! Everything a reader needs to know about *what is allowed* lives here: the
//! organisation kinds and their allowed parents, statuses and transitions, the
//! tree path that makes scope checks a string prefix test, roles and the
//! permission matrix, and the parsers that turn raw input into valid values.
//! Handlers and persistence never re-check what a type here already guarantees.

pub mod api_client;
pub mod audit_action;
pub mod billing;
pub mod brand;
pub mod credentials;
pub mod customer;
pub mod customer_user;
pub mod display_name;
pub mod email;
pub mod error;
pub mod error_code;
pub mod fields;
pub mod insights;
pub mod legacy_role;
pub mod logo;
pub mod onboarding;
pub mod operator;
pub mod organization;
pub mod permission;
pub mod principal;
pub mod role;
pub mod service;
pub mod subscription;
pub mod tenant_domain;
pub mod tree_path;
pub mod webhook;

pub use api_client::ApiClientStatus;
pub use audit_action::{AuditAction, UnknownAuditAction};
pub use billing::{
    add_amount, billed_in, check_no_active_run, prorate, seat_days, total_of, AmountOverflow, BillingRunStatus,
    InvoiceChange, InvoiceStatus, Period,
};
pub use brand::{BrandInput, HexColor, HttpsUrl, PortalDomain, RawBrand};
pub use customer::{check_accepts_changes, Country, CustomerDetails, CustomerInput, TenantId};
pub use customer_user::{
    check_impersonable, check_keeps_master_admin, parse_mobile, AdminFlags, CustomerUserStatus, Mobile,
};
pub use display_name::DisplayName;
pub use email::{EmailAddress, WorkEmail};
pub use error::{DomainError, FieldError, Forbidden};
pub use error_code::{codes, ErrorCode, KnownCode};
pub use fields::{parse_all, FieldResults, IntoFieldErrors};
pub use legacy_role::map_legacy_role;
pub use logo::{Logo, LogoType};
pub use onboarding::{ApplicationStatus, Decision, FirstAdmin, LinkState};
pub use operator::{check_admin_change, AdminChange, OperatorStatus};
pub use organization::{check_move, check_status_change, MoveNode, NotAHome, OrgKind, OrgStatus, StatusChange};
pub use permission::{actions, check_listable, listable_kinds, Action, ActionPolicy, PageNotAvailable};
pub use principal::{Principal, PrincipalKind, Scoped};
pub use role::{Role, RoleSet};
pub use service::{check_launchable, Regions, Slug};
pub use subscription::{check_date, BillingCycle, Currency, Money, Seats, Sku, SubscriptionChange, SubscriptionStatus};
pub use tenant_domain::TenantDomain;
pub use tree_path::TreePath;
pub use webhook::{DeliveryStatus, EventTypes, WebhookSecret, WebhookUrl};
