//! Roles of the legacy portal, as its CSV exports name them.

use crate::error::FieldError;
use crate::role::Role;

/// Legacy `Invoice` → `viewer`, `TenantAdmin` → `admin`, case-insensitively;
/// anything else is refused.
pub fn map_legacy_role(raw: &str) -> Result<Role, FieldError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "invoice" => Ok(Role::Viewer),
        "tenantadmin" => Ok(Role::Admin),
        _ => Err(FieldError::new(
            "legacy_role",
            "unknown_legacy_role",
            format!("unknown legacy role `{}`; expected Invoice or TenantAdmin", raw.trim()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_roles_map_case_insensitively() {
        assert_eq!(map_legacy_role("Invoice"), Ok(Role::Viewer));
        assert_eq!(map_legacy_role(" INVOICE "), Ok(Role::Viewer));
        assert_eq!(map_legacy_role("TenantAdmin"), Ok(Role::Admin));
        assert_eq!(map_legacy_role("tenantadmin"), Ok(Role::Admin));
        assert_eq!(map_legacy_role("Admin").unwrap_err().code, "unknown_legacy_role");
        assert!(map_legacy_role("").is_err());
    }
}
