//! What the dashboard and the usage series may be asked for: bounded ranges,
//! so one request never reads an unbounded history.

use chrono::NaiveDate;

use crate::error::FieldError;
use crate::subscription::check_date;

/// The longest usage series, in days (about ten years).
pub const MAX_USAGE_DAYS: i64 = 3660;

/// A usage range: both dates valid, `from` not after `to`, at most
/// [`MAX_USAGE_DAYS`] apart. Date errors are reported together; the order and
/// length checks only apply to valid dates.
pub fn check_usage_range(from: NaiveDate, to: NaiveDate) -> Result<(), Vec<FieldError>> {
    let errors: Vec<FieldError> = [check_date(from, "from"), check_date(to, "to")]
        .into_iter()
        .filter_map(Result::err)
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    if from > to {
        return Err(vec![FieldError::new("from", "after_to", "from must not be after to")]);
    }
    if (to - from).num_days() > MAX_USAGE_DAYS {
        return Err(vec![FieldError::new(
            "to",
            "range_too_long",
            "the range may span at most 3,660 days",
        )]);
    }
    Ok(())
}

/// The dashboard's renewal window: 1 to 366 days ahead.
pub fn check_renewal_window(days: u32) -> Result<u32, FieldError> {
    if (1..=366).contains(&days) {
        Ok(days)
    } else {
        Err(FieldError::new(
            "renewal_window_days",
            "out_of_range",
            "renewal_window_days must be between 1 and 366",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn codes(r: Result<(), Vec<FieldError>>) -> Vec<&'static str> {
        r.err().unwrap_or_default().iter().map(|e| e.code).collect()
    }

    #[test]
    fn usage_ranges_are_ordered_and_bounded() {
        assert!(check_usage_range(d(2024, 1, 1), d(2024, 1, 1)).is_ok());
        assert!(check_usage_range(d(2020, 1, 1), d(2030, 1, 8)).is_ok());
        assert_eq!(codes(check_usage_range(d(2024, 1, 2), d(2024, 1, 1))), ["after_to"]);
        assert_eq!(
            codes(check_usage_range(d(2000, 1, 1), d(2024, 1, 1))),
            ["range_too_long"]
        );
        assert_eq!(
            codes(check_usage_range(d(1800, 1, 1), d(10000, 1, 1))),
            ["out_of_range", "out_of_range"]
        );
    }

    #[test]
    fn renewal_windows_are_up_to_a_year() {
        assert!(check_renewal_window(1).is_ok() && check_renewal_window(366).is_ok());
        assert!(check_renewal_window(0).is_err() && check_renewal_window(367).is_err());
    }
}
