//! Organisations: the tree stored as materialized paths.

mod commands;
mod model;
mod queries;
mod row;

pub(crate) use commands::{change_status, create, create_root, move_to, update};
pub use model::{
    ChildrenFilter, CustomerFields, DescendantFilter, NewOrganization, Organization, OrganizationPatch, PathEntry,
};
pub(crate) use queries::{children, descendants, find, path_entries};
pub(crate) use row::OrgRow;
