//! Billing rules: periods, which subscriptions a period bills, seat-days from
//! the seat history, the rounding of money, and invoice states.
//!
//! Money is integer minor units. A line's amount is
//! `round_half_even(unit_price_minor × seat_days / days_in_period)`, computed
//! with 128-bit integers, where a day counts the seats in force at the end of
//! that day (UTC) and days before the subscription existed count zero.

use crate::error_code::ErrorCode;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, FieldError};
use crate::subscription::BillingCycle;

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period {
    start: NaiveDate,
}

impl Period {
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let bad = || FieldError::new(field, "invalid_period", "the period must be a month as YYYY-MM");
        let (y, m) = raw.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(1900..=9999).contains(&year) {
            return Err(FieldError::new(
                field,
                "out_of_range",
                "the year must be between 1900 and 9999",
            ));
        }
        let start = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)?;
        Ok(Self { start })
    }

    /// The first day.
    pub fn start(self) -> NaiveDate {
        self.start
    }

    /// The first day of the next month (exclusive end).
    pub fn end(self) -> NaiveDate {
        let (y, m) = if self.start.month() == 12 {
            (self.start.year() + 1, 1)
        } else {
            (self.start.year(), self.start.month() + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(self.start)
    }

    pub fn days(self) -> i64 {
        (self.end() - self.start).num_days()
    }

    pub fn month(self) -> u32 {
        self.start.month()
    }

    pub fn as_string(self) -> String {
        self.start.format("%Y-%m").to_string()
    }
}

/// Monthly subscriptions are billed every month; annual ones in the month of
/// their creation and every anniversary of it. Never before they exist.
pub fn billed_in(cycle: BillingCycle, created: NaiveDate, period: Period) -> bool {
    if created >= period.end() {
        return false;
    }
    match cycle {
        BillingCycle::Monthly => true,
        BillingCycle::Annual => created.month() == period.month(),
    }
}

/// Seat-days in `period` from a seat history (`(changed_at, quantity)`, any
/// order): each day counts the quantity of the last change on or before it.
pub fn seat_days(history: &[(NaiveDateTime, i64)], period: Period) -> i64 {
    let mut changes = history.to_vec();
    changes.sort_by_key(|(at, _)| *at);
    let mut total = 0i64;
    let mut day = period.start();
    let mut i = 0;
    let mut quantity = 0i64;
    while day < period.end() {
        while i < changes.len() && changes[i].0.date() <= day {
            quantity = changes[i].1;
            i += 1;
        }
        total += quantity.max(0);
        day = day.succ_opt().unwrap_or(period.end());
    }
    total
}

/// `round_half_even(unit_price_minor × seat_days / days)`, exact in 128-bit integers.
pub fn prorate(unit_price_minor: i64, seat_days: i64, days: i64) -> i64 {
    if days <= 0 {
        return 0;
    }
    let num = i128::from(unit_price_minor) * i128::from(seat_days);
    let den = i128::from(days);
    let q = num.div_euclid(den);
    let r = num.rem_euclid(den);
    let rounded = match (2 * r).cmp(&den) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    };
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

/// Where a billing run is: `queued` → `running` → `succeeded` or `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BillingRunStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl BillingRunStatus {
    pub const ALL: [Self; 4] = [Self::Queued, Self::Running, Self::Succeeded, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Queued and running runs are active: at most one per organisation and period.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }
}

/// A new run for an organisation and period is refused (409
/// `billing_run_active`) while another one for them is still active.
pub fn check_no_active_run(active: Option<BillingRunStatus>) -> Result<(), DomainError> {
    match active {
        Some(status) if status.is_active() => Err(DomainError::conflict(
            ErrorCode::BillingRunActive,
            None,
            format!(
                "a billing run for this organisation and period is already {}",
                status.as_str()
            ),
        )),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Draft,
    Issued,
    Paid,
    Void,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceChange {
    Issue,
    MarkPaid,
    Void,
}

impl InvoiceChange {
    fn verb(self) -> &'static str {
        match self {
            Self::Issue => "issue",
            Self::MarkPaid => "mark paid",
            Self::Void => "void",
        }
    }
}

impl InvoiceStatus {
    pub const ALL: [Self; 4] = [Self::Draft, Self::Issued, Self::Paid, Self::Void];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Issued => "issued",
            Self::Paid => "paid",
            Self::Void => "void",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Billing runs recompute (or remove) drafts; issued, paid and void invoices never change.
    pub fn recomputed_by_runs(self) -> bool {
        self == Self::Draft
    }

    /// draft → issued → paid; draft or issued → void; paid and void are final.
    pub fn apply(self, change: InvoiceChange) -> Result<Self, DomainError> {
        use InvoiceStatus::{Draft, Issued, Paid};
        match (self, change) {
            (Draft, InvoiceChange::Issue) => Ok(Issued),
            (Issued, InvoiceChange::MarkPaid) => Ok(Paid),
            (Draft | Issued, InvoiceChange::Void) => Ok(InvoiceStatus::Void),
            _ => Err(DomainError::conflict(
                ErrorCode::InvalidStatusTransition,
                Some("status"),
                format!("cannot {} an invoice that is {}", change.verb(), self.as_str()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(9, 30, 0).unwrap()
    }

    #[test]
    fn periods_parse_strictly() {
        let p = Period::parse("2026-09", "period").unwrap();
        assert_eq!(p.days(), 30);
        assert_eq!(Period::parse("2028-02", "period").unwrap().days(), 29);
        assert_eq!(
            Period::parse("2026-12", "period").unwrap().end().to_string(),
            "2027-01-01"
        );
        assert_eq!(Period::parse("9999-12", "period").unwrap().days(), 31);
        for bad in [
            "2026-13",
            "2026-00",
            "0000-00",
            "1899-12",
            "2026-9",
            "26-09",
            "2026/09",
            "2026-09-01",
            "",
        ] {
            assert!(Period::parse(bad, "period").is_err(), "{bad}");
        }
    }

    #[test]
    fn seat_days_follow_the_history() {
        let sep = Period::parse("2026-09", "period").unwrap();
        // 10 seats since August, 20 from 16 September: 15 × 10 + 15 × 20.
        assert_eq!(seat_days(&[(at(2026, 8, 10), 10), (at(2026, 9, 16), 20)], sep), 450);
        // Created on the 16th: 15 days of one seat.
        assert_eq!(seat_days(&[(at(2026, 9, 16), 1)], sep), 15);
        // Cancelled (seats to zero) on the 11th: 10 days.
        assert_eq!(seat_days(&[(at(2026, 9, 1), 3), (at(2026, 9, 11), 0)], sep), 30);
        // Several changes in one day: the last one counts, in whatever order they come.
        let later = at(2026, 9, 1) + chrono::Duration::hours(2);
        assert_eq!(seat_days(&[(at(2026, 9, 1), 3), (later, 5)], sep), 150);
        assert_eq!(seat_days(&[(later, 5), (at(2026, 9, 1), 3)], sep), 150);
        assert_eq!(seat_days(&[(at(2026, 10, 1), 5)], sep), 0);
    }

    #[test]
    fn amounts_round_half_to_even() {
        assert_eq!(prorate(1730, 450, 30), 25_950);
        assert_eq!(prorate(1730, 300, 30), 17_300);
        assert_eq!(prorate(1, 15, 30), 0); // 0.5 → 0
        assert_eq!(prorate(3, 15, 30), 2); // 1.5 → 2
        assert_eq!(prorate(5, 15, 30), 2); // 2.5 → 2
        assert_eq!(prorate(1730, 7, 30), 404); // 403.67 → 404
        assert_eq!(prorate(1000, 1, 3), 333); // 333.33 → 333
        assert_eq!(prorate(i64::MAX, 31, 31), i64::MAX);
    }

    #[test]
    fn annual_subscriptions_bill_in_their_anniversary_month() {
        let sep = Period::parse("2026-09", "period").unwrap();
        let oct = Period::parse("2026-10", "period").unwrap();
        let created = NaiveDate::from_ymd_opt(2025, 9, 5).unwrap();
        assert!(billed_in(BillingCycle::Annual, created, sep));
        assert!(!billed_in(BillingCycle::Annual, created, oct));
        assert!(billed_in(BillingCycle::Monthly, created, oct));
        let later = NaiveDate::from_ymd_opt(2026, 10, 2).unwrap();
        assert!(!billed_in(BillingCycle::Monthly, later, sep));
    }

    #[test]
    fn invoices_move_forward_only() {
        use InvoiceChange::{Issue, MarkPaid};
        use InvoiceStatus::{Draft, Issued, Paid};
        assert_eq!(Draft.apply(Issue).unwrap(), Issued);
        assert_eq!(Issued.apply(MarkPaid).unwrap(), Paid);
        assert_eq!(Draft.apply(InvoiceChange::Void).unwrap(), InvoiceStatus::Void);
        assert_eq!(Issued.apply(InvoiceChange::Void).unwrap(), InvoiceStatus::Void);
        assert!(Draft.apply(MarkPaid).is_err());
        assert!(Paid.apply(InvoiceChange::Void).is_err());
        assert!(InvoiceStatus::Void.apply(Issue).is_err());
        assert!(Issued.apply(Issue).is_err());
    }

    #[test]
    fn runs_rewrite_only_drafts() {
        for status in InvoiceStatus::ALL {
            assert_eq!(status.recomputed_by_runs(), status == InvoiceStatus::Draft);
        }
    }

    #[test]
    fn one_active_run_per_organisation_and_period() {
        assert!(check_no_active_run(None).is_ok());
        assert!(check_no_active_run(Some(BillingRunStatus::Succeeded)).is_ok());
        assert!(check_no_active_run(Some(BillingRunStatus::Failed)).is_ok());
        for status in [BillingRunStatus::Queued, BillingRunStatus::Running] {
            let err = check_no_active_run(Some(status)).unwrap_err();
            assert!(matches!(
                err,
                DomainError::Conflict {
                    code: ErrorCode::BillingRunActive,
                    ..
                }
            ));
        }
        for status in BillingRunStatus::ALL {
            assert_eq!(BillingRunStatus::parse(status.as_str()), Some(status));
        }
    }
}
