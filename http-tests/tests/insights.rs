//! The dashboard and the usage series over HTTP. Dashboard: organisations
//! strictly below by kind and status, active subscriptions and their seats
//! (suspended and cancelled left out), the ten newest customers (newest first,
//! only in the subtree), active subscriptions renewing within
//! `renewal_window_days` (default 30, 1 to 366). Usage: seats purchased and
//! assigned at the end of each day or month, from the seat history, for one
//! customer or a subtree; cancellations release seats; bounded ranges.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use domain::{Role, StatusChange};
use http_tests::{both_backends, paths, Reply, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::subscriptions::{acted, day, patched, seats, today};

async fn dashboard_of(app: &TestApp, token: &str, org: Uuid, query: &str) -> Value {
    let r = app.as_(token).insights().dashboard(org, query).await;
    assert_eq!(
        r.status,
        200,
        "{}{query}: {}",
        paths::of_organization(org, "dashboard"),
        r.text
    );
    r.body
}

/// Activates a pending organisation directly in the store (there is no endpoint yet).
fn activate(app: &TestApp, id: Uuid) {
    let root_path = app.store.organization(app.root).unwrap().unwrap().path;
    app.store
        .change_organization_status(
            &root_path,
            id,
            StatusChange::Activate,
            &persistence::AuditEntry::by(persistence::Actor::System),
        )
        .expect("activate");
}

/// `{total, pending, active, suspended, archived}`.
fn counts(pending: i64, active: i64, suspended: i64, archived: i64) -> Value {
    json!({
        "total": pending + active + suspended + archived,
        "pending": pending,
        "active": active,
        "suspended": suspended,
        "archived": archived,
    })
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect()
}

fn renewal_ids(d: &Value) -> Vec<Uuid> {
    d["renewals"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Uuid::try_parse(s["id"].as_str().unwrap()).unwrap())
        .collect()
}

fn plus(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap()
}

fn minus(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(days)).unwrap()
}

async fn usage(app: &TestApp, token: &str, org: Uuid, query: &str) -> Reply {
    app.as_(token).insights().usage(org, &format!("?{query}")).await
}

/// (period, purchased, assigned) of each point.
fn points(r: &Reply) -> Vec<(String, i64, i64)> {
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["period"].as_str().unwrap().to_string(),
                p["seats_purchased"].as_i64().unwrap(),
                p["seats_assigned"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// A daily series from `today - back` to `today + ahead`: zeros before today
/// (nothing existed yet), then `totals` from today on.
fn daily(back: u64, ahead: u64, totals: (i64, i64)) -> Vec<(String, i64, i64)> {
    let t = today();
    let mut out = Vec::new();
    let mut d = minus(t, back);
    while d <= plus(t, ahead) {
        let (p, a) = if d < t { (0, 0) } else { totals };
        out.push((d.format("%Y-%m-%d").to_string(), p, a));
        d = plus(d, 1);
    }
    out
}

/// The daily series of `org` around today, as the provider's admin.
async fn around_today(app: &TestApp, org: Uuid) -> Vec<(String, i64, i64)> {
    let t = today();
    let query = format!("interval=day&from={}&to={}", minus(t, 3), plus(t, 2));
    points(&usage(app, &app.admin_token, org, &query).await)
}

both_backends!(
    dashboard_counts_organisations_strictly_below_by_kind_and_status,
    |app| async move {
        let t = app.tree().await;
        activate(&app, t.reseller_a);
        activate(&app, t.customer_a);
        let archived = app
            .create(&app.admin_token, t.reseller_b, "customer", "Customer C")
            .await;
        let r = app.admin().organizations().archive(archived).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let suspended = app.create(&app.admin_token, t.sub_a, "customer", "Customer D").await;
        activate(&app, suspended);
        let r = app.admin().organizations().suspend(suspended).await;
        assert_eq!(r.status, 200, "{}", r.text);

        let d = dashboard_of(&app, &app.admin_token, app.root, "").await;
        assert_eq!(d["organization_id"], app.root.to_string());
        assert_eq!(d["distributors"], counts(1, 0, 0, 0));
        assert_eq!(d["partners"], counts(2, 1, 0, 0));
        assert_eq!(d["customers"], counts(2, 1, 1, 1));

        let d = dashboard_of(&app, &app.admin_token, t.dist, "").await;
        assert_eq!(d["distributors"], counts(0, 0, 0, 0), "not itself");
        assert_eq!(d["partners"], counts(2, 1, 0, 0));
        assert_eq!(d["customers"], counts(2, 1, 1, 1));

        let d = dashboard_of(&app, &app.admin_token, t.reseller_a, "").await;
        assert_eq!(d["organization_id"], t.reseller_a.to_string());
        assert_eq!(d["distributors"], counts(0, 0, 0, 0));
        assert_eq!(d["partners"], counts(1, 0, 0, 0), "Sub A only, not itself");
        assert_eq!(d["customers"], counts(1, 1, 1, 0));

        let d = dashboard_of(&app, &app.admin_token, t.sub_a, "").await;
        assert_eq!(d["partners"], counts(0, 0, 0, 0));
        assert_eq!(d["customers"], counts(1, 0, 1, 0));

        let d = dashboard_of(&app, &app.admin_token, t.reseller_b, "").await;
        assert_eq!(d["partners"], counts(0, 0, 0, 0));
        assert_eq!(d["customers"], counts(1, 0, 0, 1));

        let d = dashboard_of(&app, &app.admin_token, t.customer_a, "").await;
        assert_eq!(d["customers"], counts(0, 0, 0, 0));
        assert_eq!(d["recent_customers"], json!([]));
    }
);

both_backends!(dashboard_sums_active_subscriptions_and_their_seats, |app| async move {
    let t = app.tree().await;
    seats(&app, t.customer_a, "SKU_A", 10, 4, 60).await;
    let suspended = seats(&app, t.customer_a, "SKU_B", 5, 2, 60).await;
    acted(&app, suspended, "suspend").await;
    let changed = seats(&app, t.customer_a2, "SKU_A", 6, 6, 60).await;
    patched(&app, changed, json!({"quantity": 7, "assigned": 7})).await;
    seats(&app, t.customer_b, "SKU_A", 20, 1, 60).await;
    let cancelled = seats(&app, t.customer_b, "SKU_C", 3, 3, 60).await;
    acted(&app, cancelled, "cancel").await;

    let totals = |d: &Value| {
        (
            d["active_subscriptions"].as_i64().unwrap(),
            d["seats_purchased"].as_i64().unwrap(),
            d["seats_assigned"].as_i64().unwrap(),
        )
    };
    for (org, expected) in [
        (app.root, (3, 37, 12)),
        (t.dist, (3, 37, 12)),
        (t.reseller_a, (2, 17, 11)),
        (t.sub_a, (1, 7, 7)),
        (t.reseller_b, (1, 20, 1)),
        (t.customer_a, (1, 10, 4)),
    ] {
        let d = dashboard_of(&app, &app.admin_token, org, "").await;
        assert_eq!(totals(&d), expected, "{org}");
    }
    acted(&app, suspended, "reactivate").await;
    let d = dashboard_of(&app, &app.admin_token, t.reseller_a, "").await;
    assert_eq!(totals(&d), (3, 22, 13), "reactivated seats count again");
});

both_backends!(recent_customers_are_the_ten_newest_in_the_subtree, |app| async move {
    let t = app.tree().await;
    for i in 1..=12 {
        let parent = if i % 2 == 0 { t.sub_a } else { t.reseller_a };
        app.create(&app.admin_token, parent, "customer", &format!("Recent {i}"))
            .await;
    }
    app.create(&app.admin_token, t.reseller_b, "customer", "Elsewhere")
        .await;

    let newest_first =
        |from: usize, to: usize| -> Vec<String> { (from..=to).rev().map(|i| format!("Recent {i}")).collect() };
    let d = dashboard_of(&app, &app.admin_token, t.reseller_a, "").await;
    assert_eq!(names(&d["recent_customers"]), newest_first(3, 12));
    let d = dashboard_of(&app, &app.admin_token, app.root, "").await;
    let mut expected = vec!["Elsewhere".to_string()];
    expected.extend(newest_first(4, 12));
    assert_eq!(names(&d["recent_customers"]), expected);
    let d = dashboard_of(&app, &app.admin_token, t.reseller_b, "").await;
    assert_eq!(names(&d["recent_customers"]), vec!["Elsewhere", "Customer B"]);
    let d = dashboard_of(&app, &app.admin_token, t.sub_a, "").await;
    let mut expected: Vec<String> = (2..=12).rev().step_by(2).map(|i| format!("Recent {i}")).collect();
    expected.push("Customer A2".into());
    assert_eq!(names(&d["recent_customers"]), expected);

    // Shown as organisations, with the caller's partner path.
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let d = dashboard_of(&app, &admin_a, t.reseller_a, "").await;
    let first = &d["recent_customers"][0];
    assert_eq!(first["name"], "Recent 12");
    assert_eq!(first["kind"], "customer");
    assert_eq!(first["status"], "pending");
    assert_eq!(first["partner_path"][0]["name"], "Reseller A");
    assert_eq!(first["partner_path"][1]["name"], "Sub A");
});

both_backends!(
    renewals_are_active_subscriptions_renewing_within_the_window,
    |app| async move {
        let t = app.tree().await;
        let r0 = seats(&app, t.customer_a, "SKU_A", 1, 0, 0).await;
        let r7 = seats(&app, t.customer_a, "SKU_A", 1, 0, 7).await;
        let r8 = seats(&app, t.customer_a2, "SKU_A", 1, 0, 8).await;
        let r30 = seats(&app, t.customer_a, "SKU_A", 1, 0, 30).await;
        let r31 = seats(&app, t.customer_a, "SKU_A", 1, 0, 31).await;
        seats(&app, t.customer_a, "SKU_A", 1, 0, -1).await;
        let suspended = seats(&app, t.customer_a, "SKU_A", 1, 0, 10).await;
        acted(&app, suspended, "suspend").await;
        let cancelled = seats(&app, t.customer_a, "SKU_A", 1, 0, 3).await;
        acted(&app, cancelled, "cancel").await;
        let b5 = seats(&app, t.customer_b, "SKU_A", 1, 0, 5).await;

        let d = dashboard_of(&app, &app.admin_token, t.reseller_a, "").await;
        assert_eq!(d["renewals"]["window_days"], 30, "the default window");
        assert_eq!(d["renewals"]["count"], 4);
        assert_eq!(renewal_ids(&d), vec![r0, r7, r8, r30], "earliest first");
        assert_eq!(d["renewals"]["items"][0]["renews_on"], day(0));

        let d = dashboard_of(&app, &app.admin_token, t.reseller_a, "?renewal_window_days=7").await;
        assert_eq!(d["renewals"]["window_days"], 7);
        assert_eq!(d["renewals"]["count"], 2);
        assert_eq!(renewal_ids(&d), vec![r0, r7]);

        let d = dashboard_of(&app, &app.admin_token, t.reseller_a, "?renewal_window_days=366").await;
        assert_eq!(renewal_ids(&d), vec![r0, r7, r8, r30, r31]);

        let d = dashboard_of(&app, &app.admin_token, app.root, "").await;
        assert_eq!(renewal_ids(&d), vec![r0, b5, r7, r8, r30]);
        let d = dashboard_of(&app, &app.admin_token, t.reseller_b, "").await;
        assert_eq!(renewal_ids(&d), vec![b5]);

        // The count is complete; the items are the twenty earliest.
        for i in 1..=20 {
            seats(&app, t.customer_b, "SKU_B", 1, 0, i).await;
        }
        let d = dashboard_of(&app, &app.admin_token, t.reseller_b, "").await;
        assert_eq!(d["renewals"]["count"], 21);
        let items = d["renewals"]["items"].as_array().unwrap();
        assert_eq!(items.len(), 20);
        let dates: Vec<&str> = items.iter().map(|s| s["renews_on"].as_str().unwrap()).collect();
        let mut in_order = dates.clone();
        in_order.sort_unstable();
        assert_eq!(dates, in_order);
        assert_eq!(
            dates.last().copied(),
            Some(day(19).as_str()),
            "the latest one is left out"
        );

        for bad in ["0", "367", "-1", "abc", "1000000000000"] {
            let r = app
                .admin()
                .insights()
                .dashboard(t.reseller_a, &format!("?renewal_window_days={bad}"))
                .await;
            assert_eq!(r.status, 422, "{bad}: {}", r.text);
            assert_eq!(r.error_field(), Some("renewal_window_days"), "{bad}: {}", r.text);
        }
    }
);

both_backends!(
    usage_follows_the_seat_history_per_day_for_a_customer_and_a_subtree,
    |app| async move {
        let t = app.tree().await;
        for org in [t.customer_a, t.reseller_a, app.root] {
            assert_eq!(around_today(&app, org).await, daily(3, 2, (0, 0)), "nothing yet");
        }
        let s1 = seats(&app, t.customer_a, "SKU_A", 10, 4, 30).await;
        patched(&app, s1, json!({"quantity": 12})).await;
        patched(&app, s1, json!({"assigned": 6})).await;
        let s2 = seats(&app, t.customer_a, "SKU_B", 5, 5, 30).await;
        seats(&app, t.customer_a2, "SKU_A", 7, 1, 30).await;
        seats(&app, t.customer_b, "SKU_A", 100, 50, 30).await;

        let r = usage(
            &app,
            &app.admin_token,
            t.customer_a,
            &format!("from={}&to={}", day(-3), day(2)),
        )
        .await;
        assert_eq!(r.body["organization_id"], t.customer_a.to_string());
        assert_eq!(r.body["interval"], "day", "the default interval");
        assert_eq!(r.body["from"], day(-3));
        assert_eq!(r.body["to"], day(2));
        assert_eq!(points(&r), daily(3, 2, (17, 11)));
        assert_eq!(around_today(&app, t.reseller_a).await, daily(3, 2, (24, 12)));
        assert_eq!(around_today(&app, t.sub_a).await, daily(3, 2, (7, 1)));
        assert_eq!(around_today(&app, t.reseller_b).await, daily(3, 2, (100, 50)));
        assert_eq!(around_today(&app, app.root).await, daily(3, 2, (124, 62)));

        // A cancellation releases its seats; a suspension does not.
        acted(&app, s2, "cancel").await;
        acted(&app, s1, "suspend").await;
        assert_eq!(around_today(&app, t.customer_a).await, daily(3, 2, (12, 6)));
        assert_eq!(around_today(&app, t.reseller_a).await, daily(3, 2, (19, 7)));
        assert_eq!(around_today(&app, app.root).await, daily(3, 2, (119, 57)));

        // One day only.
        let r = usage(
            &app,
            &app.admin_token,
            t.customer_a,
            &format!("interval=day&from={}&to={}", day(0), day(0)),
        )
        .await;
        assert_eq!(points(&r), vec![(day(0), 12, 6)]);
    }
);

both_backends!(usage_per_month_reports_month_end_totals, |app| async move {
    let t = app.tree().await;
    let s1 = seats(&app, t.customer_a, "SKU_A", 10, 4, 30).await;
    patched(&app, s1, json!({"quantity": 15, "assigned": 9})).await;
    let s2 = seats(&app, t.customer_a2, "SKU_B", 8, 8, 30).await;
    seats(&app, t.customer_b, "SKU_A", 50, 5, 30).await;
    acted(&app, s2, "cancel").await;

    let now = today();
    let (from, to) = (minus(now, 62), plus(now, 3));
    let this_month = now.format("%Y-%m").to_string();
    let months: BTreeSet<String> = (0..=(to - from).num_days())
        .map(|i| plus(from, i as u64).format("%Y-%m").to_string())
        .collect();
    assert!(months.len() >= 3);
    let expect = |totals: (i64, i64)| -> Vec<(String, i64, i64)> {
        months
            .iter()
            .map(|m| {
                let (p, a) = if *m < this_month { (0, 0) } else { totals };
                (m.clone(), p, a)
            })
            .collect()
    };
    let query = format!("interval=month&from={from}&to={to}");
    let r = usage(&app, &app.admin_token, t.customer_a, &query).await;
    assert_eq!(r.body["interval"], "month");
    assert_eq!(points(&r), expect((15, 9)));
    let r = usage(&app, &app.admin_token, t.reseller_a, &query).await;
    assert_eq!(points(&r), expect((15, 9)), "the cancelled subscription holds no seats");
    let r = usage(&app, &app.admin_token, app.root, &query).await;
    assert_eq!(points(&r), expect((65, 14)));
    let r = usage(&app, &app.admin_token, t.customer_a2, &query).await;
    assert_eq!(points(&r), expect((0, 0)));
});

both_backends!(
    usage_and_dashboard_are_bounded_scoped_and_readable_by_viewers,
    |app| async move {
        let t = app.tree().await;
        seats(&app, t.customer_a, "SKU_A", 4, 2, 5).await;
        let (_, viewer) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);

        let d = dashboard_of(&app, &viewer, t.reseller_a, "").await;
        assert_eq!(d["seats_purchased"], 4);
        assert_eq!(d["renewals"]["count"], 1);
        let r = usage(&app, &viewer, t.customer_a, &format!("from={}&to={}", day(0), day(0))).await;
        assert_eq!(points(&r), vec![(day(0), 4, 2)]);
        let r = usage(
            &app,
            &viewer,
            t.reseller_a,
            &format!("interval=month&from={}&to={}", day(0), day(0)),
        )
        .await;
        assert_eq!(points(&r).len(), 1);
        assert_eq!((points(&r)[0].1, points(&r)[0].2), (4, 2));

        // Above and beside: 404, like a random id.
        let random = Uuid::now_v7();
        let q = format!("from={}&to={}", day(0), day(0));
        for org in [t.dist, t.reseller_b, t.customer_b, app.root] {
            let hidden = app.as_(&viewer).insights().dashboard(org, "").await;
            let absent = app.as_(&viewer).insights().dashboard(random, "").await;
            assert_eq!(hidden.status, 404, "{}", hidden.text);
            assert_eq!(hidden.text, absent.text);
            let hidden = usage(&app, &viewer, org, &q).await;
            let absent = usage(&app, &viewer, random, &q).await;
            assert_eq!(hidden.status, 404, "{}", hidden.text);
            assert_eq!(hidden.text, absent.text);
        }

        // Ranges: `from` after `to`, over 3,660 days, malformed.
        let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        for (query, field) in [
            (format!("from={}&to={}", day(1), day(0)), "from"),
            (format!("from={start}&to={}", plus(start, 3661)), "to"),
            (format!("from={}", day(0)), "to"),
            (format!("to={}", day(0)), "from"),
            (format!("from=2024-02-30&to={}", day(0)), "from"),
            (format!("interval=week&from={}&to={}", day(0), day(0)), "interval"),
        ] {
            let r = usage(&app, &viewer, t.reseller_a, &query).await;
            assert_eq!(r.status, 422, "{query}: {}", r.text);
            assert_eq!(r.error_field(), Some(field), "{query}: {}", r.text);
        }
        let r = usage(
            &app,
            &viewer,
            t.reseller_a,
            &format!("from={start}&to={}", plus(start, 3660)),
        )
        .await;
        assert_eq!(points(&r).len(), 3661, "3,660 days is the longest range");
        let r = usage(
            &app,
            &viewer,
            t.reseller_a,
            &format!("interval=month&from={start}&to={}", plus(start, 3660)),
        )
        .await;
        assert_eq!(points(&r).len(), 121, "2020-01 to 2030-01");
    }
);

both_backends!(
    usage_up_to_the_last_representable_day_is_never_a_500,
    |app| async move {
        let t = app.tree().await;
        // chrono's last day (+262142-12-31) parses; the series answers a range
        // error naming the field (or a series), never a 500.
        for interval in ["day", "month"] {
            let query = format!("interval={interval}&from=%2B262142-12-30&to=%2B262142-12-31");
            let r = usage(&app, &app.admin_token, t.customer_a, &query).await;
            assert!(r.status == 422 || r.status == 200, "{query}: {} {}", r.status, r.text);
            if r.status == 422 {
                assert!(matches!(r.error_field(), Some("from" | "to")), "{query}: {}", r.text);
            } else {
                assert_eq!(points(&r).last().map(|p| (p.1, p.2)), Some((0, 0)), "{query}");
            }
        }
    }
);

/// A small seeded generator (xorshift64*): the same mix on every run.
struct Mix(u64);

impl Mix {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

/// The dashboard's figures from the rollups equal a recount with the scanning
/// queries, for every organisation, after a seeded mix of creates, seat changes,
/// cancellations, suspensions, moves and archives, with partial folds in between.
fn rollups_equal_recounts(app: &TestApp, orgs: &[Uuid], when: &str) {
    for &org in orgs {
        let path = app.store.organization(org).unwrap().unwrap().path;
        assert_eq!(
            app.store.dashboard_figures(&path).unwrap(),
            app.store.recount_dashboard_figures(&path).unwrap(),
            "{when}: {org}"
        );
    }
}

both_backends!(dashboard_rollups_equal_a_recount_after_a_random_mix, |app| async move {
    use crate::subscriptions::{body, with};

    let t = app.tree().await;
    let mut mix = Mix(0x005e_ed0f_f01d);
    let mut partners = vec![t.dist, t.reseller_a, t.sub_a, t.reseller_b];
    let mut customers = vec![t.customer_a, t.customer_a2, t.customer_b];
    let mut subs: Vec<Uuid> = Vec::new();
    let (mut moved, mut archived, mut folds) = (0, 0, 0);
    for step in 0..90 {
        match mix.below(10) {
            0 => {
                let parent = partners[1 + mix.below(partners.len() - 1)];
                let kind = if mix.below(3) == 0 { "partner" } else { "customer" };
                let id = app.create(&app.admin_token, parent, kind, &format!("Org {step}")).await;
                if mix.below(2) == 0 {
                    activate(&app, id);
                }
                if kind == "partner" {
                    partners.push(id);
                } else {
                    customers.push(id);
                }
            }
            1..=3 => {
                let customer = customers[mix.below(customers.len())];
                let quantity = 1 + mix.below(20) as i64;
                let assigned = mix.below(quantity as usize + 1) as i64;
                let renews = day(mix.below(45) as i64);
                let req = with(body("SKU_R", quantity, &renews), json!({"assigned": assigned}));
                let r = app.admin().subscriptions().create(customer, req).await;
                if r.status == 201 {
                    subs.push(r.id());
                }
            }
            4 | 5 if !subs.is_empty() => {
                let id = subs[mix.below(subs.len())];
                let quantity = 1 + mix.below(30) as i64;
                let assigned = mix.below(quantity as usize + 1) as i64;
                let r = app.admin().subscriptions().get(id).await;
                let tag = r.header("etag").expect("ETag");
                let change = json!({"quantity": quantity, "assigned": assigned});
                app.admin().subscriptions().update(id, change, Some(&tag)).await;
            }
            6 if !subs.is_empty() => {
                let id = subs[mix.below(subs.len())];
                let verb = ["cancel", "suspend", "reactivate"][mix.below(3)];
                app.admin().subscriptions().act(id, verb).await;
            }
            7 => {
                // Moves a customer or a partner (not a distributor) under another partner.
                let (id, parent) = if mix.below(2) == 0 {
                    (
                        customers[mix.below(customers.len())],
                        partners[1 + mix.below(partners.len() - 1)],
                    )
                } else {
                    (
                        partners[1 + mix.below(partners.len() - 1)],
                        partners[mix.below(partners.len())],
                    )
                };
                let r = app
                    .admin()
                    .organizations()
                    .move_to(id, json!({"parent_id": parent}))
                    .await;
                if r.status == 200 {
                    moved += 1;
                }
            }
            8 => {
                let id = customers[mix.below(customers.len())];
                if app.admin().organizations().archive(id).await.status == 200 {
                    archived += 1;
                }
            }
            _ => {
                let batch = 1 + mix.below(8) as i64;
                app.store.fold_rollups(batch).unwrap();
                folds += 1;
            }
        }
    }
    assert!(
        moved > 0 && archived > 0 && folds > 0,
        "moves {moved}, archives {archived}, folds {folds}"
    );
    assert!(!subs.is_empty());

    let everyone: Vec<Uuid> = [app.root]
        .into_iter()
        .chain(partners.iter().copied())
        .chain(customers.iter().copied())
        .collect();
    rollups_equal_recounts(&app, &everyone, "partly folded");

    // The endpoint shows the same figures.
    for org in [app.root, t.dist, t.reseller_a] {
        let path = app.store.organization(org).unwrap().unwrap().path;
        let expected = app.store.recount_dashboard_figures(&path).unwrap();
        let d = dashboard_of(&app, &app.admin_token, org, "").await;
        assert_eq!(d["active_subscriptions"], expected.active_subscriptions, "{org}");
        assert_eq!(d["seats_purchased"], expected.seats_purchased, "{org}");
        assert_eq!(d["seats_assigned"], expected.seats_assigned, "{org}");
        let customers_total: i64 = expected
            .organizations
            .iter()
            .filter(|o| o.kind == domain::OrgKind::Customer)
            .map(|o| o.count)
            .sum();
        assert_eq!(d["customers"]["total"], customers_total, "{org}");
        let window = |days| expected.renewing(today(), today() + Days::new(days));
        if org == app.root {
            assert!(0 < window(30) && window(30) < window(45), "{:?}", expected.renewals);
        }
        assert_eq!(d["renewals"]["count"], window(30), "{org}");
        let d = dashboard_of(&app, &app.admin_token, org, "?renewal_window_days=7").await;
        assert_eq!(d["renewals"]["count"], window(7), "{org}");
    }

    app.store.fold_all_rollups(1_000).unwrap();
    rollups_equal_recounts(&app, &everyone, "all folded");
});
