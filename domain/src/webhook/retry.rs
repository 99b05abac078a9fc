//! When a failed delivery is tried again, when it is given up, and when an
//! endpoint that fails everything is disabled.

use chrono::{DateTime, Duration, Utc};

/// How long a delivery is retried, and how long an endpoint may fail every
/// delivery before it is disabled.
pub const RETRY_WINDOW: Duration = Duration::days(3);

/// Seconds to wait after the n-th failed attempt (1-based); every 6 h after the last.
const SCHEDULE: [i64; 5] = [5, 30, 120, 600, 3_600];
const LAST: i64 = 6 * 3_600;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Queued, not tried yet.
    Pending,
    /// Failed at least once; tried again at `next_attempt_at`.
    Retrying,
    Succeeded,
    /// Given up after [`RETRY_WINDOW`].
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 4] = [Self::Pending, Self::Retrying, Self::Succeeded, Self::Failed];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Retrying => "retrying",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Where a delivery stands after an attempt: done when it succeeded,
    /// `retrying` while a next attempt is planned, else given up.
    pub fn after_attempt(succeeded: bool, next_attempt_at: Option<DateTime<Utc>>) -> Self {
        match (succeeded, next_attempt_at) {
            (true, _) => Self::Succeeded,
            (false, Some(_)) => Self::Retrying,
            (false, None) => Self::Failed,
        }
    }
}

/// The wait after failed attempt `attempt` (1-based): 5 s, 30 s, 2 min, 10 min,
/// 1 h, then every 6 h, each stretched by `jitter` (0 ≤ jitter < 1) by up to
/// 20 %, so endpoints that failed together are not retried together.
pub fn retry_delay(attempt: i64, jitter: f64) -> Duration {
    let base = usize::try_from(attempt - 1)
        .ok()
        .and_then(|i| SCHEDULE.get(i))
        .copied()
        .unwrap_or(LAST);
    let spread = (base as f64 * 0.2 * jitter.clamp(0.0, 1.0)) as i64;
    Duration::seconds(base + spread)
}

/// When to try a delivery again after failed attempt `attempt`: after
/// [`retry_delay`], but no later than [`RETRY_WINDOW`] after its creation (the
/// last attempt); `None` once the window has passed (it has failed).
pub fn next_attempt(created_at: DateTime<Utc>, now: DateTime<Utc>, attempt: i64, jitter: f64) -> Option<DateTime<Utc>> {
    let end = created_at + RETRY_WINDOW;
    (now < end).then(|| (now + retry_delay(attempt, jitter)).min(end))
}

/// An endpoint is disabled once it has failed every delivery for
/// [`RETRY_WINDOW`]: `failing_since` is when the oldest delivery that has
/// failed since its last success became due.
pub fn should_disable(failing_since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - failing_since >= RETRY_WINDOW
}

/// An endpoint's `failing_since` after attempts recorded in order, each
/// `(succeeded, due_since)`: a success clears it, a failure keeps the oldest.
pub fn failing_since_after(
    since: Option<DateTime<Utc>>,
    attempts: impl IntoIterator<Item = (bool, DateTime<Utc>)>,
) -> Option<DateTime<Utc>> {
    attempts.into_iter().fold(
        since,
        |since, (succeeded, due)| if succeeded { None } else { since.or(Some(due)) },
    )
}

/// How long finished deliveries and their attempts are kept for the
/// deliveries list and for redelivery.
pub const RETENTION: Duration = Duration::days(30);

/// Deliveries created before this are pruned once finished: a finished
/// delivery is older than its retry window, so nothing still due is lost.
pub fn prunable_before(now: DateTime<Utc>) -> DateTime<Utc> {
    now - RETENTION.max(RETRY_WINDOW)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_repeat_every_six_hours() {
        let secs: Vec<i64> = (1..=8).map(|n| retry_delay(n, 0.0).num_seconds()).collect();
        assert_eq!(secs, [5, 30, 120, 600, 3_600, 21_600, 21_600, 21_600]);
        assert_eq!(retry_delay(1, 0.999).num_seconds(), 5);
        assert_eq!(retry_delay(2, 0.999).num_seconds(), 35);
        assert!(retry_delay(0, 0.5) == retry_delay(100, 0.5));
    }

    #[test]
    fn a_delivery_fails_after_three_days() {
        let created = Utc::now();
        assert!(next_attempt(created, created, 1, 0.0).is_some());
        let late = created + Duration::days(3) - Duration::hours(1);
        assert_eq!(
            next_attempt(created, late, 7, 0.0),
            Some(created + RETRY_WINDOW),
            "a last attempt at the end"
        );
        assert_eq!(next_attempt(created, created + RETRY_WINDOW, 8, 0.0), None);
        assert!(!should_disable(created, late));
        assert!(should_disable(created, created + RETRY_WINDOW));
    }

    #[test]
    fn a_success_clears_failing_since_and_a_failure_keeps_the_oldest() {
        let t = Utc::now();
        let later = t + Duration::minutes(5);
        assert_eq!(failing_since_after(None, [(false, t), (false, later)]), Some(t));
        assert_eq!(failing_since_after(Some(t), [(true, later)]), None);
        assert_eq!(failing_since_after(Some(t), [(true, t), (false, later)]), Some(later));
        assert_eq!(failing_since_after(Some(t), []), Some(t));
    }

    #[test]
    fn an_attempt_decides_the_status() {
        let t = Some(Utc::now());
        assert_eq!(DeliveryStatus::after_attempt(true, t), DeliveryStatus::Succeeded);
        assert_eq!(DeliveryStatus::after_attempt(false, t), DeliveryStatus::Retrying);
        assert_eq!(DeliveryStatus::after_attempt(false, None), DeliveryStatus::Failed);
    }

    #[test]
    fn only_deliveries_past_retention_and_retries_are_pruned() {
        let now = Utc::now();
        assert_eq!(prunable_before(now), now - RETENTION);
        assert!(prunable_before(now) < now - RETRY_WINDOW);
    }

    #[test]
    fn statuses_round_trip() {
        for s in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::parse(s.as_str()), Some(s));
        }
    }
}
