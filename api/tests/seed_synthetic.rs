//! `partner-portal seed --synthetic N` as a user runs it: on a fresh SQLite file it
//! succeeds, its summary line reports about ten subscriptions per customer and
//! two customer users each, and the database holds what the line says: every
//! customer with 5 to 15 subscriptions whose seat history ends at their current
//! seats (or zero once cancelled), and two users, one of them the master admin.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

mod support;

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use domain::{OrgKind, SubscriptionStatus};
use persistence::{CustomerUserFilter, DescendantFilter, Store, SubscriptionFilter, UsageInterval};
use support::{assert_success, cli, database_url, run};
use uuid::Uuid;

/// The number printed just before `word` in `line` (`"… 4383 subscriptions, …"`).
fn number_before(line: &str, word: &str) -> usize {
    let at = line
        .find(word)
        .unwrap_or_else(|| panic!("no `{word}` in the summary line: {line}"));
    line[..at]
        .split_whitespace()
        .last()
        .map(|n| n.trim_start_matches('('))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number before `{word}` in: {line}"))
}

#[test]
fn synthetic_seed_adds_about_ten_subscriptions_and_two_users_per_customer() {
    seed_and_check(&["--synthetic", "500"], 499);
}

/// Another size and random seed: the same promises, and in particular every
/// cancelled subscription's history ends with the cancellation (seed 10 draws a
/// cancellation dated before the subscription's last seat change).
#[test]
fn synthetic_seed_histories_end_at_the_current_seats_whatever_the_random_seed() {
    seed_and_check(&["--synthetic", "2000", "--rng-seed", "10"], 1999);
}

/// Runs `seed <args>` on a fresh SQLite file and checks its summary line and data.
fn seed_and_check(args: &[&str], expected_organisations: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(cli(dir.path()).arg("seed").args(args));
    assert_success(&out, "seed");
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");

    // The summary line, as printed.
    let line = stdout
        .lines()
        .find(|l| l.contains(" organisations (") && l.contains(" subscriptions"))
        .unwrap_or_else(|| panic!("no summary line in:\n{stdout}"));
    let organisations = number_before(line, " organisations (");
    let distributors = number_before(line, " distributors");
    let partners = number_before(line, " partners");
    let customers = number_before(line, " customers)");
    let subscriptions = number_before(line, " subscriptions");
    let users = number_before(line, " customer users");
    assert_eq!(organisations, expected_organisations, "{line}");
    assert_eq!(distributors + partners + customers, organisations, "{line}");
    assert!(customers * 10 > organisations * 6, "mostly customers: {line}");
    let per_customer = subscriptions as f64 / customers as f64;
    assert!(
        (8.0..=12.0).contains(&per_customer),
        "{per_customer:.2} subscriptions per customer: {line}"
    );
    assert_eq!(users, 2 * customers, "two customer users per customer: {line}");

    // The database holds what the line says.
    let store = Store::connect(&database_url(dir.path()), 2).expect("the seeded database opens");
    let root = store.root().unwrap().expect("a root");
    let customer_ids: HashSet<Uuid> = store
        .descendants(
            &root.path,
            &DescendantFilter {
                kind: Some(OrgKind::Customer),
                ..DescendantFilter::default()
            },
            None,
            100_000,
        )
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(customer_ids.len(), customers);

    let subs = store
        .subtree_subscriptions(&root.path, &SubscriptionFilter::default(), None, 1_000_000)
        .unwrap();
    assert_eq!(subs.len(), subscriptions, "subscriptions stored");
    let mut per: HashMap<Uuid, usize> = HashMap::new();
    for s in &subs {
        assert!(customer_ids.contains(&s.customer_id), "{} belongs to a customer", s.id);
        *per.entry(s.customer_id).or_default() += 1;
    }
    assert_eq!(per.len(), customers, "every customer has subscriptions");
    assert!(
        per.values().all(|n| (5..=15).contains(n)),
        "5 to 15 subscriptions per customer: {:?}",
        per.values().collect::<HashSet<_>>()
    );
    let statuses: HashSet<SubscriptionStatus> = subs.iter().map(|s| s.status).collect();
    for status in [
        SubscriptionStatus::Active,
        SubscriptionStatus::Suspended,
        SubscriptionStatus::Cancelled,
    ] {
        assert!(statuses.contains(&status), "some {status:?} subscriptions");
    }

    // Each seat history ends at the current seats (zero once cancelled), in the past.
    let now = Utc::now();
    let mut with_changes = 0;
    for s in &subs {
        assert!(
            s.assigned <= s.quantity && s.quantity > 0,
            "{}: {}/{}",
            s.id,
            s.assigned,
            s.quantity
        );
        let history = store.seat_history(s.id).unwrap();
        assert!(!history.is_empty(), "{} has a history", s.id);
        assert!(
            history.iter().all(|h| h.changed_at <= now),
            "{}: changes in the future",
            s.id
        );
        assert!(
            history.iter().all(|h| h.assigned <= h.quantity),
            "{}: assigned above quantity in the history",
            s.id
        );
        let last = history.last().unwrap();
        let expected = if s.status == SubscriptionStatus::Cancelled {
            (0, 0)
        } else {
            (s.quantity, s.assigned)
        };
        assert_eq!(
            (last.quantity, last.assigned),
            expected,
            "{} ({:?}): the latest history entry is not its current seats: {:?}",
            s.id,
            s.status,
            history
                .iter()
                .map(|h| (h.changed_at, h.quantity, h.assigned))
                .collect::<Vec<_>>()
        );
        if history.len() > 2 {
            with_changes += 1;
        }
    }
    assert!(with_changes > 0, "some subscriptions changed seats over time");

    // The usage series (built from that history) ends at today's live seats.
    let today = now.date_naive();
    let live = subs.iter().filter(|s| s.status != SubscriptionStatus::Cancelled);
    let (purchased, assigned) = live.fold((0, 0), |(p, a), s| (p + s.quantity, a + s.assigned));
    let usage = store.usage(&root.path, UsageInterval::Day, today, today).unwrap();
    assert_eq!(usage.len(), 1);
    assert_eq!(
        (usage[0].seats_purchased, usage[0].seats_assigned),
        (purchased, assigned)
    );

    // Two users per customer, one of them its active master admin.
    for customer in &customer_ids {
        let list = store
            .list_customer_users(*customer, &CustomerUserFilter::default(), None, 100)
            .unwrap();
        assert_eq!(list.len(), 2, "users of {customer}");
        assert_eq!(
            list.iter().filter(|u| u.is_active_master_admin()).count(),
            1,
            "one active master admin for {customer}"
        );
    }
}
