use crate::error::DomainError;
use crate::error_code::ErrorCode;
use crate::organization::{OrgKind, OrgStatus};
use crate::tree_path::TreePath;

/// What the move rule needs to know about an organisation.
#[derive(Debug, Clone)]
pub struct MoveNode<'a> {
    pub kind: OrgKind,
    pub status: OrgStatus,
    pub path: &'a TreePath,
}

/// The move rule: the root never moves; the new parent must accept children and
/// be an allowed parent kind; and it must not lie inside the moved subtree, which
/// is what makes a cycle impossible.
pub fn check_move(node: &MoveNode<'_>, new_parent: &MoveNode<'_>) -> Result<(), DomainError> {
    if node.kind == OrgKind::Provider || node.path.depth() == 0 {
        return Err(DomainError::conflict(
            ErrorCode::RootCannotMove,
            None,
            "the provider root cannot be moved",
        ));
    }
    if node.path.is_ancestor_or_self_of(new_parent.path) {
        return Err(DomainError::conflict(
            ErrorCode::MoveIntoOwnSubtree,
            Some("parent_id"),
            "an organisation cannot be moved under itself or one of its descendants",
        ));
    }
    if !new_parent.status.accepts_children() {
        return Err(DomainError::conflict(
            ErrorCode::ParentArchived,
            Some("parent_id"),
            "the new parent is archived",
        ));
    }
    if node.status == OrgStatus::Archived {
        return Err(DomainError::conflict(
            ErrorCode::Archived,
            None,
            "an archived organisation cannot be moved",
        ));
    }
    node.kind.check_parent(new_parent.kind, "parent_id")
}
