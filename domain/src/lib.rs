//! The rules of the partner portal, free of I/O.
//!
//! Everything a reader needs to know about *what is allowed* lives here: the
//! organisation kinds and their allowed parents, statuses and transitions, the
//! tree path that makes scope checks a string prefix test, roles and the
//! permission matrix, and the parsers that turn raw input into valid values.
//! Handlers and persistence never re-check what a type here already guarantees.

pub mod customer;
pub mod email;
pub mod error;
pub mod organization;
pub mod permission;
pub mod principal;
pub mod role;
pub mod tenant_domain;
pub mod tree_path;

pub use customer::{Country, CustomerDetails, TenantId};
pub use email::WorkEmail;
pub use error::{DomainError, FieldError, FieldErrors, Forbidden};
pub use organization::{check_move, MoveNode, OrgKind, OrgName, OrgStatus, StatusChange};
pub use permission::{listable_kinds, Action};
pub use principal::{Principal, PrincipalKind};
pub use role::{Role, RoleSet};
pub use tenant_domain::TenantDomain;
pub use tree_path::TreePath;
