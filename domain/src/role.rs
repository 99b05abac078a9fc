use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// Roles an operator or API client may hold; they add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Billing,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Self::Viewer, Self::Billing, Self::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Billing => "billing",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A non-empty set of roles, kept sorted so it stores and compares canonically.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleSet(Vec<Role>);

impl RoleSet {
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Self {
        let mut v: Vec<Role> = roles.into_iter().collect();
        v.sort();
        v.dedup();
        Self(v)
    }

    /// Parses client input: at least one role, each known.
    pub fn parse<S: AsRef<str>>(raw: &[S]) -> Result<Self, FieldError> {
        let mut roles = Vec::with_capacity(raw.len());
        for r in raw {
            let r = r.as_ref();
            roles.push(Role::parse(r).ok_or_else(|| {
                FieldError::new(
                    "roles",
                    "unknown_role",
                    format!("unknown role `{r}`; roles are viewer, billing, admin"),
                )
            })?);
        }
        Self::non_empty(roles)
    }

    /// At least one role: a principal without one could do nothing at all.
    pub fn non_empty(roles: impl IntoIterator<Item = Role>) -> Result<Self, FieldError> {
        let set = Self::new(roles);
        if set.is_empty() {
            return Err(FieldError::new("roles", "required", "at least one role is required"));
        }
        Ok(set)
    }

    /// Reads the stored form written by [`RoleSet::to_storage`]; unknown names are dropped.
    pub fn from_storage(s: &str) -> Self {
        Self::new(s.split(',').filter_map(Role::parse))
    }

    pub fn to_storage(&self) -> String {
        self.0.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
    }

    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_sets_are_canonical() {
        let set = RoleSet::parse(&["admin", "viewer", "admin"]).unwrap();
        assert_eq!(set.to_storage(), "viewer,admin");
        assert_eq!(RoleSet::from_storage("viewer,admin"), set);
        assert_eq!(RoleSet::parse::<&str>(&[]).unwrap_err().code, "required");
        assert_eq!(RoleSet::parse(&["owner"]).unwrap_err().code, "unknown_role");
    }

    #[test]
    fn role_sets_are_never_empty() {
        assert_eq!(RoleSet::non_empty([]).unwrap_err().code, "required");
        assert!(RoleSet::non_empty([Role::Viewer]).is_ok());
    }
}
