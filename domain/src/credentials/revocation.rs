//! Token revocation by credential change: a password change or reset records
//! its time to the whole second (tokens carry `iat` in seconds), and every
//! token issued at or before that second is refused. A sign-in right after a
//! change is issued the second after it, so it is never caught by its own change.

use chrono::{DateTime, Duration, SubsecRound, Utc};

/// The instant stored as `credentials_changed_at` for a change at `now`.
pub fn credentials_changed_at(now: DateTime<Utc>) -> DateTime<Utc> {
    now.trunc_subsecs(0)
}

/// The change time to store for a change in second `now` when the previous
/// change was at `previous`: after it, because tokens issued in the previous
/// change's second were dated the second after it (`issue_time`), and this
/// change must revoke them too.
pub fn next_credentials_change(now: DateTime<Utc>, previous: Option<DateTime<Utc>>) -> DateTime<Utc> {
    match previous {
        Some(p) if now <= p => p + Duration::seconds(1),
        _ => now,
    }
}

/// A token issued at `issued_at` predates the account's last credential change.
pub fn issued_before_credential_change(issued_at: DateTime<Utc>, changed_at: Option<DateTime<Utc>>) -> bool {
    changed_at.is_some_and(|changed| issued_at <= changed)
}

/// The `iat` of a token issued at `now` to an account whose credentials changed
/// at `changed_at`: never at or before the change.
pub fn issue_time(now: DateTime<Utc>, changed_at: Option<DateTime<Utc>>) -> DateTime<Utc> {
    let now = now.trunc_subsecs(0);
    match changed_at {
        Some(changed) if now <= changed => changed + Duration::seconds(1),
        _ => now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_change_in_one_second_revokes_tokens_dated_after_the_first() {
        let first = credentials_changed_at(t(0));
        let token = issue_time(t(300), Some(first));
        let second = next_credentials_change(credentials_changed_at(t(600)), Some(first));
        assert!(issued_before_credential_change(token, Some(second)));
        assert!(!issued_before_credential_change(
            issue_time(t(700), Some(second)),
            Some(second)
        ));
    }

    fn t(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_800_000_000_000 + ms).unwrap()
    }

    #[test]
    fn tokens_of_the_change_second_and_before_are_revoked() {
        let changed = credentials_changed_at(t(1_500));
        assert_eq!(changed, t(1_000));
        assert!(issued_before_credential_change(t(0), Some(changed)));
        assert!(issued_before_credential_change(t(1_000), Some(changed)));
        assert!(!issued_before_credential_change(t(2_000), Some(changed)));
        assert!(!issued_before_credential_change(t(0), None));
    }

    #[test]
    fn a_sign_in_right_after_a_change_outlives_it() {
        let changed = credentials_changed_at(t(1_500));
        let iat = issue_time(t(1_700), Some(changed));
        assert_eq!(iat, t(2_000));
        assert!(!issued_before_credential_change(iat, Some(changed)));
        assert_eq!(issue_time(t(5_300), Some(changed)), t(5_000));
        assert_eq!(issue_time(t(5_300), None), t(5_000));
    }
}
