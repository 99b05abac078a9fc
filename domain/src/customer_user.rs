//! Customer users: the people of a customer tenant (the customer portal's users).

use crate::error::{DomainError, FieldError};
use crate::error_code::ErrorCode;
use crate::organization::OrgStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerUserStatus {
    Active,
    Disabled,
}

impl CustomerUserStatus {
    pub const ALL: [CustomerUserStatus; 2] = [Self::Active, Self::Disabled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A customer keeps at least one active master admin: refuses a change that
/// takes the last one away (by flags or by status). `other_active_masters`
/// counts the customer's other active master admins.
pub fn check_keeps_master_admin(
    was_active_master: bool,
    (flags, status): (AdminFlags, CustomerUserStatus),
    other_active_masters: i64,
) -> Result<(), DomainError> {
    let stays = status == CustomerUserStatus::Active && flags.master_admin;
    if was_active_master && !stays && other_active_masters == 0 {
        return Err(DomainError::conflict(
            ErrorCode::LastMasterAdmin,
            None,
            "this is the customer's last active master admin; make another user master admin first",
        ));
    }
    Ok(())
}

/// Only an active user of an operating (active or pending) customer can be impersonated.
pub fn check_impersonable(user: CustomerUserStatus, customer: OrgStatus) -> Result<(), DomainError> {
    if user != CustomerUserStatus::Active {
        return Err(DomainError::conflict(
            ErrorCode::UserDisabled,
            None,
            "a disabled customer user cannot be impersonated",
        ));
    }
    if !customer.is_operating() {
        return Err(DomainError::conflict(
            ErrorCode::CustomerInactive,
            None,
            format!("the customer is {}", customer.as_str()),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AdminFlags {
    pub admin: bool,
    pub master_admin: bool,
}

impl AdminFlags {
    /// These flags with a request's changes applied. Making someone a master admin
    /// makes them an admin too; an explicit `admin: false` for a master admin is
    /// refused (naming `admin`), and so is taking `admin` away from one.
    pub fn with(self, admin: Option<bool>, master_admin: Option<bool>) -> Result<Self, FieldError> {
        let master_admin = master_admin.unwrap_or(self.master_admin);
        let admin = match admin {
            Some(a) => a,
            None => self.admin || master_admin,
        };
        if master_admin && !admin {
            return Err(FieldError::new(
                "admin",
                "master_admin_requires_admin",
                "a master admin is always an admin: admin cannot be false while master_admin is true",
            ));
        }
        Ok(Self { admin, master_admin })
    }
}

/// A mobile number in E.164 form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mobile(String);

impl Mobile {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// E.164: a `+`, a country code not starting with 0, 7 to 15 digits in all.
pub fn parse_mobile(raw: &str) -> Result<Mobile, FieldError> {
    let m = raw.trim();
    let digits = m.strip_prefix('+').unwrap_or_default();
    let valid =
        (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
    if !valid {
        return Err(FieldError::new(
            "mobile",
            "invalid_mobile",
            "mobile must be an E.164 number such as +64211234567",
        ));
    }
    Ok(Mobile(m.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: AdminFlags = AdminFlags {
        admin: false,
        master_admin: false,
    };
    const MASTER: AdminFlags = AdminFlags {
        admin: true,
        master_admin: true,
    };

    #[test]
    fn master_admin_implies_admin() {
        assert_eq!(NONE.with(None, Some(true)).unwrap(), MASTER);
        assert_eq!(NONE.with(Some(true), Some(true)).unwrap(), MASTER);
        assert_eq!(NONE.with(Some(false), Some(true)).unwrap_err().field, "admin");
        assert_eq!(
            MASTER.with(Some(false), None).unwrap_err().code,
            "master_admin_requires_admin"
        );
    }

    #[test]
    fn dropping_master_admin_keeps_admin() {
        let admin = AdminFlags {
            admin: true,
            master_admin: false,
        };
        assert_eq!(MASTER.with(None, Some(false)).unwrap(), admin);
        assert_eq!(MASTER.with(Some(false), Some(false)).unwrap(), NONE);
        assert_eq!(NONE.with(None, None).unwrap(), NONE);
    }

    #[test]
    fn mobiles_are_e164() {
        assert_eq!(parse_mobile(" +64211234567 ").unwrap().as_str(), "+64211234567");
        assert!(parse_mobile("+1234567").is_ok());
        assert!(parse_mobile("+123456789012345").is_ok());
        for bad in [
            "",
            "64211234567",
            "+0211234567",
            "+123456",
            "+1234567890123456",
            "+64 21 123",
            "+64-21",
        ] {
            assert_eq!(parse_mobile(bad).unwrap_err().field, "mobile", "{bad}");
        }
    }

    fn code(r: Result<(), DomainError>) -> Option<ErrorCode> {
        match r {
            Err(DomainError::Conflict { code, .. }) => Some(code),
            _ => None,
        }
    }

    #[test]
    fn the_last_active_master_admin_stays() {
        use CustomerUserStatus::*;
        let admin = AdminFlags {
            admin: true,
            master_admin: false,
        };
        assert_eq!(
            code(check_keeps_master_admin(true, (admin, Active), 0)),
            Some(ErrorCode::LastMasterAdmin)
        );
        assert_eq!(
            code(check_keeps_master_admin(true, (MASTER, Disabled), 0)),
            Some(ErrorCode::LastMasterAdmin)
        );
        assert!(check_keeps_master_admin(true, (admin, Active), 1).is_ok());
        assert!(check_keeps_master_admin(true, (MASTER, Active), 0).is_ok());
        assert!(check_keeps_master_admin(false, (NONE, Disabled), 0).is_ok());
    }

    #[test]
    fn impersonation_needs_an_active_user_of_an_operating_customer() {
        use CustomerUserStatus::*;
        assert!(check_impersonable(Active, OrgStatus::Pending).is_ok());
        assert_eq!(
            code(check_impersonable(Disabled, OrgStatus::Active)),
            Some(ErrorCode::UserDisabled)
        );
        assert_eq!(
            code(check_impersonable(Active, OrgStatus::Suspended)),
            Some(ErrorCode::CustomerInactive)
        );
    }
}
