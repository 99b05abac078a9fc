//! RFC 6238 time steps: which steps a code may come from, and replay refusal.

use chrono::{DateTime, Utc};

pub const TOTP_PERIOD_SECS: i64 = 30;
pub const TOTP_DIGITS: usize = 6;

/// The steps a code typed at `now` may belong to: the current one and one on
/// either side (clock drift, a code typed as the step turned), newest first.
pub fn totp_steps(now: DateTime<Utc>) -> [i64; 3] {
    let step = now.timestamp().div_euclid(TOTP_PERIOD_SECS);
    [step + 1, step, step - 1]
}

/// A code is accepted once: only from a step after the last one accepted.
pub fn is_fresh_step(step: i64, last_accepted: Option<i64>) -> bool {
    last_accepted.is_none_or(|last| step > last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_thirty_seconds_with_one_either_side() {
        let now = DateTime::from_timestamp(59, 0).unwrap();
        assert_eq!(totp_steps(now), [2, 1, 0]);
    }

    #[test]
    fn a_step_is_accepted_once() {
        assert!(is_fresh_step(10, None));
        assert!(is_fresh_step(11, Some(10)));
        assert!(!is_fresh_step(10, Some(10)));
        assert!(!is_fresh_step(9, Some(10)));
    }
}
