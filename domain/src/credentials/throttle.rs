//! Throttling of failed sign-ins, per e-mail and per client address, over the
//! failures recorded in the database (so it holds across replicas). A correct
//! password does not lift it: the check comes before the password is looked at.

use chrono::{DateTime, Duration, Utc};

/// Failures are counted over this window.
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// Failures for one e-mail within the window after which it is throttled.
pub const EMAIL_LIMIT: i64 = 5;
/// Failures from one client address within the window (higher: offices share one).
pub const ADDRESS_LIMIT: i64 = 20;

/// The failures recorded within the window for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    pub failures: i64,
    pub newest: Option<DateTime<Utc>>,
}

/// Seconds to wait before a sign-in is looked at, when either its e-mail
/// ([`EMAIL_LIMIT`]) or its client address ([`ADDRESS_LIMIT`]) is throttled.
pub fn sign_in_retry_after(by_email: Throttle, by_address: Throttle, now: DateTime<Utc>) -> Option<u64> {
    retry_after(by_email, EMAIL_LIMIT, now).or_else(|| retry_after(by_address, ADDRESS_LIMIT, now))
}

/// Seconds to wait (at least 1) when `limit` failures happened within the window:
/// the key stays throttled for a whole window after its newest failure.
pub fn retry_after(t: Throttle, limit: i64, now: DateTime<Utc>) -> Option<u64> {
    if t.failures < limit {
        return None;
    }
    let until = t.newest? + THROTTLE_WINDOW;
    (until > now).then(|| (until - now).num_seconds().max(1) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn a_sign_in_waits_when_its_email_or_its_address_is_throttled() {
        let quiet = Throttle {
            failures: 0,
            newest: None,
        };
        let at = |failures| Throttle {
            failures,
            newest: Some(t(0)),
        };
        assert_eq!(sign_in_retry_after(quiet, quiet, t(10)), None);
        assert_eq!(sign_in_retry_after(at(EMAIL_LIMIT), quiet, t(10)), Some(890));
        assert_eq!(
            sign_in_retry_after(quiet, at(EMAIL_LIMIT), t(10)),
            None,
            "an address may fail more"
        );
        assert_eq!(sign_in_retry_after(quiet, at(ADDRESS_LIMIT), t(10)), Some(890));
    }

    #[test]
    fn the_fifth_failure_throttles_for_a_whole_window() {
        let four = Throttle {
            failures: 4,
            newest: Some(t(0)),
        };
        assert_eq!(retry_after(four, EMAIL_LIMIT, t(1)), None);
        let five = Throttle {
            failures: 5,
            newest: Some(t(0)),
        };
        assert_eq!(retry_after(five, EMAIL_LIMIT, t(0)), Some(900));
        assert_eq!(retry_after(five, EMAIL_LIMIT, t(899)), Some(1));
        assert_eq!(retry_after(five, EMAIL_LIMIT, t(900)), None);
        assert_eq!(retry_after(five, ADDRESS_LIMIT, t(0)), None);
    }
}
