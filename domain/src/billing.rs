//! Billing rules: periods, which subscriptions a period bills, seat-days from
//! the seat history, the rounding of money, and invoice states.
//!
//! Money is integer minor units. A line's amount is
//! `round_half_even(unit_price_minor × seat_days / days_in_period)`, computed
//! with 128-bit integers, where a day counts the seats in force at the end of
//! that day (UTC) and days before the subscription existed count zero.
//!
//! Every sum and product of money is checked: an amount that does not fit the
//! 64-bit minor units an invoice stores is [`AmountOverflow`] (the run or the
//! request fails), never a clamped or wrapped number. Inputs are bounded
//! (`Money::MAX_AMOUNT_MINOR`, `Seats::MAX`) so that one line always fits;
//! only totals over very many lines can overflow.

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

/// A money amount or total that does not fit in 64-bit minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an amount exceeds the largest one an invoice can hold ({} minor units)", i64::MAX)]
pub struct AmountOverflow;

impl From<AmountOverflow> for DomainError {
    fn from(e: AmountOverflow) -> Self {
        DomainError::conflict(ErrorCode::AmountOverflow, None, e.to_string())
    }
}

/// `total + amount`, or [`AmountOverflow`].
pub fn add_amount(total: i64, amount: i64) -> Result<i64, AmountOverflow> {
    total.checked_add(amount).ok_or(AmountOverflow)
}

/// The sum of `amounts`, or [`AmountOverflow`] as soon as a partial sum does not fit.
pub fn total_of(amounts: impl IntoIterator<Item = i64>) -> Result<i64, AmountOverflow> {
    amounts.into_iter().try_fold(0, add_amount)
}

/// Seat-days in `period` from a seat history (`(changed_at, quantity)`, any
/// order): each day counts the quantity of the last change on or before it.
pub fn seat_days(history: &[(NaiveDateTime, i64)], period: Period) -> Result<i64, AmountOverflow> {
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
        total = add_amount(total, quantity.max(0))?;
        day = day.succ_opt().unwrap_or(period.end());
    }
    Ok(total)
}

/// `round_half_even(unit_price_minor × seat_days / days)`, exact in 128-bit
/// integers; [`AmountOverflow`] when the result does not fit in 64 bits.
pub fn prorate(unit_price_minor: i64, seat_days: i64, days: i64) -> Result<i64, AmountOverflow> {
    if days <= 0 {
        return Ok(0);
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
    i64::try_from(rounded).map_err(|_| AmountOverflow)
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
        let days = |h: &[(NaiveDateTime, i64)]| seat_days(h, sep).unwrap();
        assert_eq!(days(&[(at(2026, 8, 10), 10), (at(2026, 9, 16), 20)]), 450);
        // Created on the 16th: 15 days of one seat.
        assert_eq!(days(&[(at(2026, 9, 16), 1)]), 15);
        // Cancelled (seats to zero) on the 11th: 10 days.
        assert_eq!(days(&[(at(2026, 9, 1), 3), (at(2026, 9, 11), 0)]), 30);
        // Several changes in one day: the last one counts, in whatever order they come.
        let later = at(2026, 9, 1) + chrono::Duration::hours(2);
        assert_eq!(days(&[(at(2026, 9, 1), 3), (later, 5)]), 150);
        assert_eq!(days(&[(later, 5), (at(2026, 9, 1), 3)]), 150);
        assert_eq!(days(&[(at(2026, 10, 1), 5)]), 0);
        // A quantity no input allows cannot make a silent total either.
        assert_eq!(seat_days(&[(at(2026, 9, 1), i64::MAX)], sep), Err(AmountOverflow));
    }

    #[test]
    fn amounts_round_half_to_even() {
        let p = |price, days, of| prorate(price, days, of).unwrap();
        assert_eq!(p(1730, 450, 30), 25_950);
        assert_eq!(p(1730, 300, 30), 17_300);
        assert_eq!(p(1, 15, 30), 0); // 0.5 → 0
        assert_eq!(p(3, 15, 30), 2); // 1.5 → 2
        assert_eq!(p(5, 15, 30), 2); // 2.5 → 2
        assert_eq!(p(1730, 7, 30), 404); // 403.67 → 404
        assert_eq!(p(1000, 1, 3), 333); // 333.33 → 333
        assert_eq!(p(i64::MAX, 31, 31), i64::MAX);
    }

    #[test]
    fn money_never_saturates() {
        // Was i64::MAX (a clamp): an invoice of 9223372036854775807.
        assert_eq!(prorate(i64::MAX, 62, 31), Err(AmountOverflow));
        assert_eq!(add_amount(i64::MAX, 1), Err(AmountOverflow));
        assert_eq!(total_of([i64::MAX - 1, 1]), Ok(i64::MAX));
        assert_eq!(total_of([i64::MAX, 1, -1]), Err(AmountOverflow));
        assert_eq!(
            DomainError::from(AmountOverflow),
            DomainError::conflict(ErrorCode::AmountOverflow, None, AmountOverflow.to_string())
        );
    }

    /// The largest line the input bounds allow fits, with room for a total of
    /// at least 90 such lines.
    #[test]
    fn the_input_bounds_keep_every_line_in_range() {
        use crate::subscription::{Money, Seats};
        let most = prorate(Money::MAX_AMOUNT_MINOR, Seats::MAX * 31, 31).unwrap();
        assert_eq!(most, Money::MAX_AMOUNT_MINOR * Seats::MAX);
        assert!(i128::from(Money::MAX_AMOUNT_MINOR) * i128::from(Seats::MAX * 31) < i128::from(i64::MAX));
        assert!(total_of(std::iter::repeat_n(most, 90)).is_ok());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Fuzz target (`bench/fuzz.sh`): any text parses as a period or
            /// is refused, never panics; a period prints as it parsed.
            #[test]
            fn periods(raw in "\\PC{0,12}|[0-9]{1,5}-[0-9]{1,3}") {
                if let Ok(p) = Period::parse(&raw, "period") {
                    prop_assert_eq!(p.as_string(), raw.clone());
                    prop_assert!((28..=31).contains(&p.days()));
                }
            }

            /// A prorated amount is exact or an error, never a clamped value.
            #[test]
            fn prorate_is_exact_or_an_error(price in any::<i64>(), seat_days in 0i64..=i64::MAX, days in 1i64..=31) {
                let exact = i128::from(price) * i128::from(seat_days);
                match prorate(price, seat_days, days) {
                    Ok(amount) => {
                        // Within half a minor unit of the exact quotient.
                        let diff = (i128::from(amount) * i128::from(days) - exact).abs();
                        prop_assert!(2 * diff <= i128::from(days));
                    }
                    Err(AmountOverflow) => {
                        prop_assert!(exact / i128::from(days) >= i128::from(i64::MAX) - 1
                            || exact / i128::from(days) <= i128::from(i64::MIN) + 1);
                    }
                }
            }

            /// A total is the exact sum, or an error when the exact sum does not fit.
            #[test]
            fn totals_are_exact_or_an_error(amounts in proptest::collection::vec(any::<i64>(), 0..20)) {
                let exact: i128 = amounts.iter().map(|a| i128::from(*a)).sum();
                match total_of(amounts.iter().copied()) {
                    Ok(total) => prop_assert_eq!(i128::from(total), exact),
                    Err(AmountOverflow) => {
                        // Some partial sum left the range.
                        let mut partial = 0i128;
                        let left = amounts.iter().any(|a| {
                            partial += i128::from(*a);
                            i64::try_from(partial).is_err()
                        });
                        prop_assert!(left);
                    }
                }
            }

            /// Every amount the input bounds accept bills without overflow.
            #[test]
            fn bounded_inputs_always_bill(price in 0..=crate::subscription::Money::MAX_AMOUNT_MINOR,
                                          seats in 0..=crate::subscription::Seats::MAX, days in 28i64..=31) {
                prop_assert!(prorate(price, seats * days, days).is_ok());
            }
        }
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
