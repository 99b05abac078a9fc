//! Who is calling, as loaded fresh from the database on every request.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Forbidden;
use crate::organization::OrgKind;
use crate::permission::Action;
use crate::role::RoleSet;
use crate::tree_path::TreePath;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    Operator,
    ApiClient,
}

/// A record that lives at a place in the tree: who may see it follows from its
/// path alone (an organisation's own path, an operator's home, a subscription's
/// customer, …).
pub trait Scoped {
    fn scope_path(&self) -> &TreePath;
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub id: Uuid,
    pub kind: PrincipalKind,
    pub email: Option<String>,
    pub home_id: Uuid,
    pub home_kind: OrgKind,
    pub home_path: TreePath,
    pub roles: RoleSet,
}

impl Principal {
    /// The scope rule: the caller's home and everything below it.
    pub fn can_see(&self, target: &TreePath) -> bool {
        self.home_path.is_ancestor_or_self_of(target)
    }

    /// Scope applied to a record.
    pub fn can_see_record(&self, record: &impl Scoped) -> bool {
        self.can_see(record.scope_path())
    }

    /// The role rule, read from the permission matrix.
    pub fn authorize(&self, action: Action) -> Result<(), Forbidden> {
        if action.allowed(&self.roles, self.home_kind) {
            Ok(())
        } else {
            Err(Forbidden { action })
        }
    }

    pub fn may(&self, action: Action) -> bool {
        self.authorize(action).is_ok()
    }
}
