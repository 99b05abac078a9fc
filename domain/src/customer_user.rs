//! Customer users: the people of a customer tenant (the customer portal's users).

use crate::error::FieldError;

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

/// E.164: a `+`, a country code not starting with 0, 7 to 15 digits in all.
pub fn parse_mobile(raw: &str) -> Result<String, FieldError> {
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
    Ok(m.to_string())
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
        assert_eq!(parse_mobile(" +64211234567 ").unwrap(), "+64211234567");
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
}
