//! The set-based billing statements against the pure rules of `domain::billing`:
//! generated seat histories (changes before and inside the period, several on
//! one day, falls to zero, annual and monthly cycles, prices that round half
//! way) are billed by a run on each backend, and every line and total must be
//! what `billed_in`, `seat_days` and `prorate` say.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime, Utc};
use domain::{
    billed_in, prorate, seat_days, BillingCycle, CustomerDetails, DisplayName, OrgKind, Period, SubscriptionStatus,
    TenantDomain, TreePath,
};
use persistence::backend_tests;
use persistence::{Actor, AuditEntry, BulkSubscription, InvoiceFilter, NewOrganization, Organization, RunStep, Store};
use uuid::Uuid;

fn who() -> AuditEntry {
    AuditEntry::by(Actor::System)
}

fn customer(store: &Store, scope: &TreePath, parent: Uuid, name: &str) -> (Uuid, TreePath) {
    let org = store
        .create_organization(
            scope,
            &NewOrganization {
                parent_id: parent,
                kind: OrgKind::Customer,
                name: DisplayName::parse(name).unwrap(),
                customer: Some(CustomerDetails {
                    primary_domain: TenantDomain::parse(&format!("{}.onmicrosoft.com", name.to_lowercase()), "d")
                        .unwrap(),
                    tenant_id: None,
                    contact_email: None,
                    country: None,
                }),
            },
            &who(),
        )
        .unwrap();
    (org.id, org.path)
}

/// A small deterministic generator (no dependency for one test).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// `count` subscriptions of one customer with generated histories around `period`.
fn generated(rng: &mut Lcg, customer: Uuid, path: &TreePath, period: Period, count: usize) -> Vec<BulkSubscription> {
    let start = period.start().and_hms_opt(0, 0, 0).unwrap();
    (0..count)
        .map(|i| {
            // From 400 days before the period to a few days after its end.
            let created = start - Duration::days(400) + Duration::minutes(rng.below(440 * 24 * 60) as i64);
            let mut at = created;
            let mut history = Vec::new();
            for _ in 0..=rng.below(6) {
                let seats = if rng.below(4) == 0 { 0 } else { rng.below(40) as i64 };
                history.push((at, seats, 0));
                // Often the same day, sometimes weeks later.
                at += match rng.below(3) {
                    0 => Duration::minutes(1 + rng.below(90) as i64),
                    _ => Duration::hours(1 + rng.below(24 * 40) as i64),
                };
            }
            BulkSubscription {
                customer_id: customer,
                customer_path: path.clone(),
                sku: format!("SKU_{i}"),
                description: format!("Generated {i}"),
                quantity: history.last().map_or(0, |h| h.1),
                assigned: 0,
                // Prices that often land half way between two minor units.
                unit_price_minor: [1, 3, 5, 15, 45, 1730, 12_001][rng.below(7) as usize],
                currency: ["NZD", "USD"][rng.below(2) as usize].to_string(),
                billing_cycle: if rng.below(3) == 0 {
                    BillingCycle::Annual
                } else {
                    BillingCycle::Monthly
                },
                renews_on: period.end(),
                status: SubscriptionStatus::Active,
                history,
            }
        })
        .collect()
}

/// (customer, currency) → (total, sorted (sku, seat-days, amount)) by the domain rules.
type Expected = BTreeMap<(Uuid, String), (i64, Vec<(String, i64, i64)>)>;

fn expected(subs: &[BulkSubscription], period: Period) -> Expected {
    let mut out = Expected::new();
    for s in subs {
        let created: NaiveDateTime = s.history[0].0;
        if !billed_in(s.billing_cycle, created.date(), period) {
            continue;
        }
        let history: Vec<(NaiveDateTime, i64)> = s
            .history
            .iter()
            .filter(|(at, _, _)| at.date() < period.end())
            .map(|(at, q, _)| (*at, *q))
            .collect();
        let days = seat_days(&history, period).unwrap();
        if days == 0 {
            continue;
        }
        let amount = prorate(s.unit_price_minor, days, period.days()).unwrap();
        let entry = out.entry((s.customer_id, s.currency.clone())).or_default();
        entry.0 += amount;
        entry.1.push((s.sku.clone(), days, amount));
    }
    for (_, lines) in out.values_mut() {
        lines.sort();
    }
    out
}

fn run_to_end(store: &Store, scope: &TreePath, root: Uuid, period: Period) {
    store.start_billing_run(scope, root, period, &who()).unwrap();
    let now = Utc::now();
    let claim = store
        .claim_billing_run(now, now + Duration::seconds(60))
        .unwrap()
        .unwrap();
    while store.billing_run_step(&claim, now + Duration::seconds(60), 7).unwrap() != RunStep::Finished {}
}

fn billed(store: &Store, scope: &TreePath, period: Period) -> Expected {
    let filter = InvoiceFilter {
        period: Some(period.as_string()),
        ..InvoiceFilter::default()
    };
    let mut out = Expected::new();
    for inv in store.invoices(scope, &filter, None, 500).unwrap() {
        let mut lines: Vec<(String, i64, i64)> = store
            .invoice_lines(inv.id)
            .unwrap()
            .into_iter()
            .map(|l| {
                assert_eq!(l.days_in_period, period.days());
                (l.sku, l.seat_days, l.amount_minor)
            })
            .collect();
        lines.sort();
        assert_eq!(inv.total_minor, lines.iter().map(|l| l.2).sum::<i64>());
        out.insert((inv.customer_id, inv.currency), (inv.total_minor, lines));
    }
    out
}

/// A fresh provider root and one partner under it.
fn provider_with_partner(store: &Store) -> (Organization, Organization) {
    store
        .bootstrap(
            &DisplayName::parse("Provider").unwrap(),
            &domain::WorkEmail::parse("admin@provider.example", "email").unwrap(),
            &DisplayName::parse("Admin").unwrap(),
        )
        .unwrap();
    let root = store.root().unwrap().unwrap();
    let partner = store
        .create_organization(
            &root.path,
            &NewOrganization {
                parent_id: root.id,
                kind: OrgKind::Partner,
                name: DisplayName::parse("Partner").unwrap(),
                customer: None,
            },
            &who(),
        )
        .unwrap();
    (root, partner)
}

backend_tests!(billing_statements_follow_the_domain_rules, |db| {
    let store = Store::connect(&db.url, 4).unwrap();
    store.migrate().unwrap();
    let (root, partner) = provider_with_partner(&store);
    let mut rng = Lcg(42);
    let mut subs = Vec::new();
    for n in 0..20 {
        let (id, path) = customer(&store, &root.path, partner.id, &format!("Customer{n}"));
        let period = Period::parse("2026-02", "p").unwrap();
        subs.extend(generated(&mut rng, id, &path, period, 12));
    }
    store.bulk_insert_customer_data(&subs, &[]).unwrap();
    for raw in ["2026-02", "2026-03", "2025-12"] {
        let period = Period::parse(raw, "period").unwrap();
        let want = expected(&subs, period);
        assert!(want.len() > 10, "the generator bills enough invoices in {raw}");
        run_to_end(&store, &root.path, root.id, period);
        assert_eq!(billed(&store, &root.path, period), want, "{raw} on {}", db.url);
    }
});

/// A run over `subs` (all of one fresh provider's customer) in February 2026:
/// what its first step answered.
fn bill_first_step(store: &Store, subs: impl Fn(Uuid, &TreePath) -> Vec<BulkSubscription>) -> Result<RunStep, String> {
    let (root, partner) = provider_with_partner(store);
    let (id, path) = customer(store, &root.path, partner.id, "Overflow");
    store.bulk_insert_customer_data(&subs(id, &path), &[]).unwrap();
    let period = Period::parse("2026-02", "period").unwrap();
    store.start_billing_run(&root.path, root.id, period, &who()).unwrap();
    let now = Utc::now();
    let claim = store
        .claim_billing_run(now, now + Duration::seconds(60))
        .unwrap()
        .unwrap();
    store
        .billing_run_step(&claim, now + Duration::seconds(60), 7)
        .map_err(|e| e.to_string())
}

/// A monthly subscription with `seats` seats since before February 2026.
fn priced(customer: Uuid, path: &TreePath, sku: String, price: i64, seats: i64) -> BulkSubscription {
    let created = Period::parse("2025-12", "p")
        .unwrap()
        .start()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    BulkSubscription {
        customer_id: customer,
        customer_path: path.clone(),
        description: sku.clone(),
        sku,
        quantity: seats,
        assigned: 0,
        unit_price_minor: price,
        currency: "NZD".into(),
        billing_cycle: BillingCycle::Monthly,
        renews_on: Period::parse("2026-03", "p").unwrap().start(),
        status: SubscriptionStatus::Active,
        history: vec![(created, seats, 0)],
    }
}

// Money never saturates in the set-based statements: a line whose product
// leaves 64 bits (a price stored before prices were bounded) and a total of
// lines each within bounds both fail the run with `amount_overflow`, on both
// backends. SQLite used to turn the product into a float and bill
// 9223372036854775807.
backend_tests!(a_product_past_64_bits_fails_the_run, |db| {
    let store = Store::connect(&db.url, 4).unwrap();
    store.migrate().unwrap();
    let step = bill_first_step(&store, |id, path| vec![priced(id, path, "HUGE".into(), i64::MAX, 2)]);
    assert_eq!(step, Err(domain::AmountOverflow.to_string()), "one line, {}", db.url);
    let filter = InvoiceFilter::default();
    let root = store.root().unwrap().unwrap();
    assert!(
        store.invoices(&root.path, &filter, None, 10).unwrap().is_empty(),
        "nothing billed"
    );
});

backend_tests!(a_total_past_64_bits_fails_the_run, |db| {
    let store = Store::connect(&db.url, 4).unwrap();
    store.migrate().unwrap();
    // Each line is the largest the input bounds allow (10^17); 93 of them exceed 2^63 − 1.
    let step = bill_first_step(&store, |id, path| {
        (0..93)
            .map(|i| priced(id, path, format!("MAX_{i}"), 100_000_000_000, 1_000_000))
            .collect()
    });
    assert_eq!(step, Err(domain::AmountOverflow.to_string()), "a total, {}", db.url);
});
