//! Timestamps as stored: UTC at microsecond precision on both backends.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// The current instant, as stored.
pub(crate) fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A caller's "now" (or any instant) as stored.
pub(crate) fn naive(ts: DateTime<Utc>) -> NaiveDateTime {
    ts.naive_utc().trunc_subsecs(6)
}

/// A stored timestamp as an instant.
pub(crate) fn utc(ts: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(ts, Utc)
}
