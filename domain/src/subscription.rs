//! Subscriptions: a customer's purchase of a SKU, its seats, price and lifecycle.

use crate::error_code::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Active,
    Suspended,
    Expired,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionChange {
    Suspend,
    Reactivate,
    Cancel,
}

impl SubscriptionStatus {
    pub const ALL: [SubscriptionStatus; 4] = [Self::Active, Self::Suspended, Self::Expired, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// active ⇄ suspended; active or suspended → cancelled; cancelled and expired are final.
    pub fn apply(self, change: SubscriptionChange) -> Result<Self, DomainError> {
        use SubscriptionChange::*;
        use SubscriptionStatus::*;
        match (self, change) {
            (Active, Suspend) => Ok(Suspended),
            (Suspended, Reactivate) => Ok(Active),
            (Active | Suspended, Cancel) => Ok(Cancelled),
            _ => Err(DomainError::conflict(
                ErrorCode::InvalidStatusTransition,
                Some("status"),
                format!("cannot {} a subscription that is {}", change.verb(), self.as_str()),
            )),
        }
    }

    /// Seats count as purchased while the subscription is live.
    pub fn holds_seats(self) -> bool {
        matches!(self, Self::Active | Self::Suspended)
    }

    /// Only live subscriptions change (seats, auto-renewal).
    pub fn check_changeable(self) -> Result<(), DomainError> {
        if self.holds_seats() {
            Ok(())
        } else {
            Err(DomainError::conflict(
                ErrorCode::SubscriptionEnded,
                None,
                format!("the subscription is {}", self.as_str()),
            ))
        }
    }
}

impl SubscriptionChange {
    fn verb(self) -> &'static str {
        match self {
            Self::Suspend => "suspend",
            Self::Reactivate => "reactivate",
            Self::Cancel => "cancel",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BillingCycle {
    Monthly,
    Annual,
}

impl BillingCycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Monthly => "monthly",
            Self::Annual => "annual",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Monthly, Self::Annual].into_iter().find(|x| x.as_str() == s)
    }
}

/// Dates the API accepts: four-digit years, so every backend orders them alike.
pub fn check_date(date: chrono::NaiveDate, field: &str) -> Result<chrono::NaiveDate, FieldError> {
    use chrono::Datelike;
    if (1900..=9999).contains(&date.year()) {
        Ok(date)
    } else {
        Err(FieldError::new(
            field,
            "out_of_range",
            "the year must be between 1900 and 9999",
        ))
    }
}

/// Licences purchased and assigned: `0 <= assigned <= quantity <= MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seats {
    pub quantity: i64,
    pub assigned: i64,
}

impl Seats {
    pub const MAX: i64 = 1_000_000;

    pub fn new(quantity: i64, assigned: i64) -> Result<Self, FieldError> {
        if !(0..=Self::MAX).contains(&quantity) {
            return Err(FieldError::new(
                "quantity",
                "out_of_range",
                format!("quantity must be between 0 and {}", Self::MAX),
            ));
        }
        if assigned < 0 {
            return Err(FieldError::new(
                "assigned",
                "out_of_range",
                "assigned cannot be negative",
            ));
        }
        if assigned > quantity {
            return Err(FieldError::new(
                "assigned",
                "exceeds_quantity",
                format!("assigned ({assigned}) cannot exceed quantity ({quantity})"),
            ));
        }
        Ok(Self { quantity, assigned })
    }
}

/// A SKU code: 1–100 of letters, digits and `._:-`, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sku(String);

impl Sku {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        let ok = !s.is_empty()
            && s.len() <= 100
            && s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || "._:-".contains(c));
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(FieldError::new(
                "sku",
                "invalid_sku",
                "1–100 letters, digits or `._:-`, starting with a letter or digit",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Money: integer minor units of an ISO 4217 currency; never a float.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: Currency,
}

impl Money {
    /// The largest price in minor units (1,000,000,000.00 in a two-decimal
    /// currency): with at most `Seats::MAX` seats every invoice line fits in 64
    /// bits with room to spare, so billing never has to clamp.
    pub const MAX_AMOUNT_MINOR: i64 = 100_000_000_000;

    pub fn new(amount_minor: i64, currency: &str, field: &str) -> Result<Self, FieldError> {
        if !(0..=Self::MAX_AMOUNT_MINOR).contains(&amount_minor) {
            return Err(FieldError::new(
                format!("{field}.amount_minor"),
                "out_of_range",
                format!("the amount must be between 0 and {}", Self::MAX_AMOUNT_MINOR),
            ));
        }
        let currency = Currency::parse(currency).map_err(|e| e.at(format!("{field}.currency")))?;
        Ok(Self { amount_minor, currency })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Currency(String);

/// ISO 4217 codes in current use.
const ISO_4217: &str =
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD \
CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD \
HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL \
MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD \
RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD \
UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL";

/// Every ISO 4217 code accepted, for documentation (the OpenAPI enum).
pub fn currency_codes() -> impl Iterator<Item = &'static str> {
    ISO_4217.split(' ')
}

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let code = raw.trim().to_ascii_uppercase();
        if code.len() == 3 && currency_codes().any(|c| c == code) {
            Ok(Self(code))
        } else {
            Err(FieldError::new(
                "currency",
                "invalid_currency",
                "must be an ISO 4217 code, e.g. NZD",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seats_never_assign_more_than_purchased() {
        assert!(Seats::new(19, 19).is_ok());
        assert_eq!(Seats::new(19, 20).unwrap_err().field, "assigned");
        assert_eq!(Seats::new(-1, 0).unwrap_err().field, "quantity");
        assert_eq!(Seats::new(5, -1).unwrap_err().field, "assigned");
    }

    #[test]
    fn subscription_transitions() {
        use SubscriptionChange::*;
        use SubscriptionStatus::*;
        assert_eq!(Active.apply(Suspend), Ok(Suspended));
        assert_eq!(Suspended.apply(Reactivate), Ok(Active));
        assert_eq!(Suspended.apply(Cancel), Ok(Cancelled));
        assert!(Cancelled.apply(Reactivate).is_err());
        assert!(Active.apply(Reactivate).is_err());
        assert!(Expired.apply(Cancel).is_err());
        assert!(Cancelled.check_changeable().is_err());
    }

    #[test]
    fn dates_have_four_digit_years() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert!(check_date(d(2027, 1, 15), "renews_on").is_ok());
        assert_eq!(check_date(d(10000, 1, 1), "renews_on").unwrap_err().field, "renews_on");
        assert!(check_date(d(0, 1, 1), "from").is_err());
    }

    #[test]
    fn money_and_skus() {
        assert_eq!(Money::new(1730, "nzd", "unit_price").unwrap().currency.as_str(), "NZD");
        assert_eq!(
            Money::new(1, "XXX", "unit_price").unwrap_err().field,
            "unit_price.currency"
        );
        assert_eq!(
            Money::new(-1, "NZD", "unit_price").unwrap_err().field,
            "unit_price.amount_minor"
        );
        assert!(Money::new(Money::MAX_AMOUNT_MINOR, "NZD", "unit_price").is_ok());
        assert_eq!(
            Money::new(Money::MAX_AMOUNT_MINOR + 1, "NZD", "unit_price")
                .unwrap_err()
                .field,
            "unit_price.amount_minor"
        );
        assert!(Sku::parse("O365_BUSINESS_PREMIUM").is_ok());
        assert!(Sku::parse("cfq7ttc0lf8r:0001").is_ok());
        assert!(Sku::parse("-bad").is_err());
        assert!(Sku::parse("with space").is_err());
    }
}
