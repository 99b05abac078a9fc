//! Organisations: kinds and where they may sit, statuses and how they change, names.

mod kind;
mod moves;
mod status;

pub use kind::{NotAHome, OrgKind};
pub use moves::{check_move, MoveNode};
pub use status::{check_status_change, OrgStatus, StatusChange};
