//! What a customer (tenant) carries besides its name.

use uuid::Uuid;

use crate::email::WorkEmail;
use crate::error::{DomainError, FieldError};
use crate::error_code::ErrorCode;
use crate::fields::FieldResults;
use crate::organization::{OrgKind, OrgStatus};
use crate::tenant_domain::TenantDomain;

/// A Microsoft tenant id: a GUID, stored in lowercase hyphenated form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantId(pub Uuid);

impl TenantId {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Uuid::try_parse(raw.trim())
            .map(Self)
            .map_err(|_| FieldError::new("tenant_id", "invalid_tenant_id", "must be a GUID"))
    }
}

/// ISO 3166-1 alpha-2 country code, uppercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country(String);

const ISO_3166_ALPHA2: &str =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT \
MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG \
UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Every ISO 3166-1 alpha-2 code, for documentation (the OpenAPI enum).
pub fn country_codes() -> impl Iterator<Item = &'static str> {
    ISO_3166_ALPHA2.split(' ')
}

impl Country {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let code = raw.trim().to_ascii_uppercase();
        if code.len() == 2 && country_codes().any(|c| c == code) {
            Ok(Self(code))
        } else {
            Err(FieldError::new(
                "country",
                "invalid_country",
                "must be an ISO 3166-1 alpha-2 country code, e.g. NZ",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The customer fields of a create request, as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct CustomerInput<'a> {
    pub primary_domain: Option<&'a str>,
    pub tenant_id: Option<&'a str>,
    pub contact_email: Option<&'a str>,
    pub country: Option<&'a str>,
}

/// The customer-only fields, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerDetails {
    pub primary_domain: TenantDomain,
    pub tenant_id: Option<TenantId>,
    pub contact_email: Option<WorkEmail>,
    pub country: Option<Country>,
}

impl CustomerDetails {
    /// The create rule for the customer fields: a customer needs a primary domain
    /// that is not reserved, and may carry a tenant id, contact e-mail and
    /// country; other kinds carry none of them. Every bad field is reported.
    pub fn parse_for(kind: OrgKind, input: &CustomerInput<'_>) -> Result<Option<Self>, Vec<FieldError>> {
        if kind != OrgKind::Customer {
            let refused: Vec<FieldError> = [
                ("primary_domain", input.primary_domain),
                ("tenant_id", input.tenant_id),
                ("contact_email", input.contact_email),
                ("country", input.country),
            ]
            .into_iter()
            .filter(|(_, value)| value.is_some())
            .map(|(field, _)| FieldError::new(field, "customer_only", format!("{field} applies to customers only")))
            .collect();
            return if refused.is_empty() { Ok(None) } else { Err(refused) };
        }
        let primary_domain = match input.primary_domain {
            Some(d) => TenantDomain::parse(d, "primary_domain").and_then(|d| {
                if d.is_reserved() {
                    Err(FieldError::new(
                        "primary_domain",
                        "reserved_domain",
                        "this prefix is reserved; choose another",
                    ))
                } else {
                    Ok(d)
                }
            }),
            None => Err(FieldError::new(
                "primary_domain",
                "required",
                "a customer needs a primary domain",
            )),
        };
        let (primary_domain, tenant_id, contact_email, country) = (
            primary_domain,
            input.tenant_id.map(TenantId::parse).transpose(),
            input
                .contact_email
                .map(|e| WorkEmail::parse(e, "contact_email"))
                .transpose(),
            input.country.map(Country::parse).transpose(),
        )
            .all_valid()?;
        Ok(Some(Self {
            primary_domain,
            tenant_id,
            contact_email,
            country,
        }))
    }
}

/// An archived customer takes no new users, subscriptions or service instances.
pub fn check_accepts_changes(status: OrgStatus) -> Result<(), DomainError> {
    if status.accepts_children() {
        Ok(())
    } else {
        Err(DomainError::conflict(
            ErrorCode::CustomerArchived,
            None,
            "the customer is archived",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_and_tenant_ids() {
        assert_eq!(Country::parse("nz").unwrap().as_str(), "NZ");
        assert!(Country::parse("XX").is_err());
        assert!(Country::parse("NZL").is_err());
        assert!(TenantId::parse("72f988bf-86f1-41af-91ab-2d7cd011db47").is_ok());
        assert_eq!(TenantId::parse("nope").unwrap_err().field, "tenant_id");
    }

    #[test]
    fn only_archived_customers_refuse_changes() {
        for status in OrgStatus::ALL {
            assert_eq!(check_accepts_changes(status).is_ok(), status != OrgStatus::Archived);
        }
    }

    #[test]
    fn customer_fields_belong_to_customers() {
        let sent = CustomerInput {
            primary_domain: Some("contoso.onmicrosoft.com"),
            country: Some("nz"),
            ..CustomerInput::default()
        };
        let parsed = CustomerDetails::parse_for(OrgKind::Customer, &sent).unwrap().unwrap();
        assert_eq!(parsed.country.unwrap().as_str(), "NZ");
        let refused = CustomerDetails::parse_for(OrgKind::Partner, &sent).unwrap_err();
        let fields: Vec<_> = refused.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [("primary_domain", "customer_only"), ("country", "customer_only")]
        );
        assert_eq!(
            CustomerDetails::parse_for(OrgKind::Partner, &CustomerInput::default()),
            Ok(None)
        );
        let missing = CustomerDetails::parse_for(OrgKind::Customer, &CustomerInput::default()).unwrap_err();
        assert_eq!(
            (missing[0].field.as_str(), missing[0].code),
            ("primary_domain", "required")
        );
    }
}
