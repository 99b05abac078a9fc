//! Organisations: the tree stored as materialized paths.

mod commands;
mod model;
mod queries;
mod row;

pub(crate) use commands::{create_root, insert_child, lock_in_scope, move_to, set_status, update, RowLock};
pub use model::{
    ChildrenFilter, CustomerFields, DescendantFilter, NewOrganization, Organization, OrganizationPatch, PathEntry,
};
pub(crate) use queries::{child_named, children, descendants, domain_taken, find, like_pattern, path_entries, root};
pub(crate) use row::OrgRow;
