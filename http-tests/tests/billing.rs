//! Billing over HTTP, against hand-worked examples (September 2026, 30 days):
//!
//! - 10 seats of 17.30 NZD from August, 20 from 16 September: 15 × 10 + 15 × 20
//!   = 450 seat-days; 1730 × 450 / 30 = 25 950.
//! - 1 seat at 0.03 from the 16th: 3 × 15 / 30 = 1.5 → 2 (half to even);
//!   1 seat at 0.01: 0.5 → 0.
//! - annual, 2 seats at 120.00 USD, created 5 September 2025: billed in
//!   September (2 × 30 seat-days → 24 000), not in October.
//! - 1 seat at 10.00 from the 1st, cancelled (seats to 0) on the 11th: 10
//!   seat-days → 333.33 → 333.
//!
//! Re-runs never duplicate (drafts recomputed, issued ones untouched), states
//! move draft → issued → paid or → void (409 otherwise), billing history totals,
//! the invoice-lines CSV parses back, and roles: billing or admin only.
//!
//! A run is queued (202 and `Location`); the tests then drive the billing worker
//! themselves (`api::billing::worker`, as `serve` does in a thread) and read the
//! finished run back with `GET /v1/billing-runs/{id}`, so every run is
//! deterministic. One active run per organisation and period (409
//! `billing_run_active`), and a run interrupted half-way (given back, or its
//! worker gone and its lease expired) resumes to exactly the invoices of an
//! uninterrupted one.

use std::process::Command;

use domain::Role;
use http_tests::{both_backends, Reply, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::subscriptions::{body, day, subscribe, with};

/// Runs SQL with the backend's client (psql or sqlite3); panics on failure.
fn sql(app: &TestApp, query: &str) {
    let url = &app.config.database_url;
    let out = if url.starts_with("postgres") {
        Command::new("psql")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", query])
            .output()
    } else {
        Command::new("sqlite3")
            .args([
                "-cmd",
                ".timeout 5000",
                url.strip_prefix("sqlite://").unwrap_or(url),
                query,
            ])
            .output()
    }
    .unwrap();
    assert!(
        out.status.success(),
        "{query}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A subscription created at `created` (`YYYY-MM-DD HH:MM:SS`), its first seat change then too.
async fn sub_since(app: &TestApp, customer: Uuid, sku: &str, extra: Value, created: &str) -> Uuid {
    let id = subscribe(app, customer, with(body(sku, 1, &day(30)), extra)).await;
    sql(
        app,
        &format!(
            "UPDATE subscriptions SET created_at = '{created}' WHERE id = '{id}'; \
             UPDATE subscription_changes SET changed_at = '{created}' WHERE subscription_id = '{id}'"
        ),
    );
    id
}

/// Records that the subscription had `quantity` seats from `at`.
fn seats_from(app: &TestApp, sub: Uuid, at: &str, quantity: i64) {
    sql(
        app,
        &format!(
            "INSERT INTO subscription_changes (id, subscription_id, customer_id, customer_path, changed_at, \
             quantity, assigned, quantity_delta, assigned_delta) \
             SELECT '{}', subscription_id, customer_id, customer_path, '{at}', {quantity}, 0, 0, 0 \
             FROM subscription_changes WHERE subscription_id = '{sub}' LIMIT 1",
            Uuid::now_v7()
        ),
    );
}

fn price(amount: i64, currency: &str) -> Value {
    json!({"unit_price": {"amount_minor": amount, "currency": currency}})
}

/// Customers per batch in the tests: small, so runs cross batch boundaries.
const TEST_BATCH: i64 = 100;

/// Lets the billing worker bill every queued run to its end.
async fn drain(app: &TestApp) -> usize {
    let (store, clock) = (app.store.clone(), app.clock.clone());
    tokio::task::spawn_blocking(move || api::billing::worker::drain(&store, &clock, TEST_BATCH))
        .await
        .unwrap()
        .expect("the billing worker")
}

/// Queues a run (202 + `Location`), lets the worker bill it, and answers the run
/// as `GET /v1/billing-runs/{id}` then shows it; a refused start is answered as is.
async fn run(app: &TestApp, token: &str, org: Uuid, period: &str) -> Reply {
    let r = start(app, token, org, period).await;
    if r.status != 202 {
        return r;
    }
    let id = r.body["id"].as_str().unwrap().to_string();
    drain(app).await;
    let r = app.as_(token).billing().billing_run(&id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "succeeded", "{}", r.text);
    r
}

/// Queues a run; checks the 202's shape.
async fn start(app: &TestApp, token: &str, org: Uuid, period: &str) -> Reply {
    let r = app.as_(token).billing().run(org, json!({"period": period})).await;
    if r.status == 202 {
        let id = r.body["id"].as_str().unwrap();
        assert_eq!(r.header("location"), Some(format!("/v1/billing-runs/{id}")));
        assert_eq!(r.body["status"], "queued");
        assert_eq!(r.body["organization_id"], org.to_string());
        assert_eq!(r.body["period"], period);
    }
    r
}

/// What a finished run did, in the shape the synchronous run used to answer.
fn counts(r: &Reply) -> Value {
    json!({
        "period": r.body["period"],
        "created": r.body["invoices_created"],
        "recomputed": r.body["invoices_recomputed"],
        "removed": r.body["invoices_removed"],
        "unchanged": r.body["invoices_unchanged"],
    })
}

async fn invoices(app: &TestApp, token: &str, org: Uuid, query: &str) -> Vec<Value> {
    let r = app.as_(token).billing().invoices(org, query).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

fn find<'a>(items: &'a [Value], customer: Uuid, currency: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["customer_id"] == customer.to_string() && i["currency"] == currency)
        .unwrap_or_else(|| panic!("no {currency} invoice for {customer}"))
}

async fn act(app: &TestApp, token: &str, invoice: &str, verb: &str) -> Reply {
    app.as_(token).billing().act(invoice, verb).await
}

struct Setup {
    t: http_tests::Tree,
    billing: String,
    s2: Uuid,
    /// Customer B's only subscription.
    s6: Uuid,
}

async fn setup(app: &TestApp) -> Setup {
    let t = app.tree().await;
    let s1 = sub_since(
        app,
        t.customer_a,
        "SKU_MAIN",
        json!({"description": "=SUM(A1:A9)"}),
        "2026-08-10 09:00:00",
    )
    .await;
    seats_from(app, s1, "2026-08-10 09:00:01", 10);
    seats_from(app, s1, "2026-09-16 12:00:00", 20);
    let s2 = sub_since(app, t.customer_a, "SKU_THREE", price(3, "NZD"), "2026-09-16 08:00:00").await;
    sub_since(app, t.customer_a, "SKU_ONE", price(1, "NZD"), "2026-09-16 08:00:00").await;
    let annual = with(price(12_000, "USD"), json!({"billing_cycle": "annual"}));
    let s4 = sub_since(app, t.customer_a, "SKU_ANNUAL", annual.clone(), "2025-09-05 10:00:00").await;
    seats_from(app, s4, "2025-09-05 10:00:01", 2);
    sub_since(app, t.customer_a, "SKU_ANNUAL_OCT", annual, "2025-10-05 10:00:00").await;
    let s6 = sub_since(
        app,
        t.customer_b,
        "SKU_CANCELLED",
        price(1000, "NZD"),
        "2026-09-01 00:00:00",
    )
    .await;
    seats_from(app, s6, "2026-09-11 15:00:00", 0);
    // Created after September: not billed.
    sub_since(app, t.customer_a2, "SKU_LATER", json!({}), "2026-10-02 00:00:00").await;
    let (_, billing) = app.operator(t.dist, "billing@northwind.example", &[Role::Billing]);
    Setup { t, billing, s2, s6 }
}

both_backends!(runs_prorate_round_and_never_duplicate, |app| async move {
    let Setup { t, billing, s2, s6 } = setup(&app).await;
    let r = run(&app, &billing, t.dist, "2026-09").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        counts(&r),
        json!({"period": "2026-09", "created": 3, "recomputed": 0, "removed": 0, "unchanged": 0})
    );

    let items = invoices(&app, &billing, t.dist, "?period=2026-09").await;
    assert_eq!(items.len(), 3);
    let a_nzd = find(&items, t.customer_a, "NZD").clone();
    assert_eq!(a_nzd["status"], "draft");
    assert_eq!(a_nzd["total_minor"], 25_952);
    assert_eq!(find(&items, t.customer_a, "USD")["total_minor"], 24_000);
    assert_eq!(find(&items, t.customer_b, "NZD")["total_minor"], 333);

    let r = app.as_(&billing).billing().invoice(a_nzd["id"].as_str().unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let lines = r.body["lines"].as_array().unwrap();
    let line = |sku: &str| lines.iter().find(|l| l["sku"] == sku).unwrap().clone();
    assert_eq!(line("SKU_MAIN")["seat_days"], 450);
    assert_eq!(line("SKU_MAIN")["days_in_period"], 30);
    assert_eq!(line("SKU_MAIN")["amount_minor"], 25_950);
    assert_eq!(line("SKU_THREE")["amount_minor"], 2);
    assert_eq!(line("SKU_ONE")["amount_minor"], 0);
    assert_eq!(lines.len(), 3);

    // Annual in its anniversary month only.
    let r = run(&app, &billing, t.dist, "2026-10").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let october = invoices(&app, &billing, t.dist, "?period=2026-10").await;
    let usd = find(&october, t.customer_a, "USD");
    let id = usd["id"].as_str().unwrap();
    let r = app.as_(&billing).billing().invoice(id).await;
    let skus: Vec<&str> = r.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["sku"].as_str().unwrap())
        .collect();
    assert_eq!(skus, ["SKU_ANNUAL_OCT"]);

    // A re-run recomputes drafts and creates nothing.
    let r = run(&app, &billing, t.dist, "2026-09").await;
    assert_eq!(
        counts(&r),
        json!({"period": "2026-09", "created": 0, "recomputed": 3, "removed": 0, "unchanged": 0})
    );
    assert_eq!(invoices(&app, &billing, t.dist, "?period=2026-09").await.len(), 3);

    // Issued invoices never change, even when the history does.
    let a_id = a_nzd["id"].as_str().unwrap().to_string();
    let r = act(&app, &billing, &a_id, "issue").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "issued");
    assert!(r.body["issued_at"].is_string());
    seats_from(&app, s2, "2026-09-20 00:00:00", 5);
    let r = run(&app, &billing, t.dist, "2026-09").await;
    assert_eq!(
        counts(&r),
        json!({"period": "2026-09", "created": 0, "recomputed": 2, "removed": 0, "unchanged": 1})
    );
    let items = invoices(&app, &billing, t.dist, "?period=2026-09").await;
    assert_eq!(find(&items, t.customer_a, "NZD")["total_minor"], 25_952);
    // A run over one customer touches only its invoices.
    let r = run(&app, &billing, t.customer_b, "2026-09").await;
    assert_eq!(
        counts(&r),
        json!({"period": "2026-09", "created": 0, "recomputed": 1, "removed": 0, "unchanged": 0})
    );

    // A draft with nothing left to bill is removed: B's subscription turns out to
    // have had no seats at the end of any September day (two changes on the 1st,
    // the later one to zero).
    seats_from(&app, s6, "2026-09-01 00:00:01", 0);
    let r = run(&app, &billing, t.dist, "2026-09").await;
    assert_eq!(
        counts(&r),
        json!({"period": "2026-09", "created": 0, "recomputed": 1, "removed": 1, "unchanged": 1})
    );
    let items = invoices(&app, &billing, t.dist, "?period=2026-09").await;
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i["customer_id"] != t.customer_b.to_string()));
});

both_backends!(states_history_filters_and_csv, |app| async move {
    let Setup { t, billing, .. } = setup(&app).await;
    assert_eq!(run(&app, &billing, t.dist, "2026-09").await.status, 200);
    let items = invoices(&app, &billing, t.dist, "?period=2026-09").await;
    let a_nzd = find(&items, t.customer_a, "NZD")["id"].as_str().unwrap().to_string();
    let b_nzd = find(&items, t.customer_b, "NZD")["id"].as_str().unwrap().to_string();

    // draft → issued → paid; nothing after paid.
    assert_eq!(act(&app, &billing, &a_nzd, "mark-paid").await.status, 409);
    assert_eq!(act(&app, &billing, &a_nzd, "issue").await.status, 200);
    assert_eq!(act(&app, &billing, &a_nzd, "issue").await.status, 409);
    let r = act(&app, &billing, &a_nzd, "mark-paid").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "paid");
    let r = act(&app, &billing, &a_nzd, "void").await;
    assert_eq!(r.status, 409);
    assert_eq!(r.code(), Some("invalid_status_transition"));
    // draft → void; final.
    assert_eq!(act(&app, &billing, &b_nzd, "void").await.body["status"], "void");
    assert_eq!(act(&app, &billing, &b_nzd, "issue").await.status, 409);
    // A void invoice is not replaced by a re-run.
    let r = run(&app, &billing, t.dist, "2026-09").await;
    assert_eq!(
        counts(&r),
        json!({"period": "2026-09", "created": 0, "recomputed": 1, "removed": 0, "unchanged": 2})
    );

    // Filters.
    assert_eq!(invoices(&app, &billing, t.dist, "?status=paid").await.len(), 1);
    assert_eq!(invoices(&app, &billing, t.dist, "?status=void").await.len(), 1);
    let mine = invoices(&app, &billing, t.dist, &format!("?customer={}", t.customer_a)).await;
    assert_eq!(mine.len(), 2);
    assert_eq!(invoices(&app, &billing, t.reseller_b, "").await.len(), 1);
    assert!(invoices(&app, &billing, t.dist, "?period=2026-08").await.is_empty());
    let r = app.as_(&billing).billing().invoices(t.dist, "?period=2026-9").await;
    assert_eq!(r.error_field(), Some("period"));

    // History: per period and currency, void left out.
    let r = app.as_(&billing).billing().history(t.dist).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["items"],
        json!([
            {"period": "2026-09", "currency": "NZD", "invoices": 1, "total_minor": 25_952},
            {"period": "2026-09", "currency": "USD", "invoices": 1, "total_minor": 24_000}
        ])
    );

    // The invoice lines of the period, parsed back; formula cells escaped.
    let r = app
        .as_(&billing)
        .reports()
        .get(t.dist, "invoice-lines", "?period=2026-09")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
    assert!(r
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment; filename=\"invoice-lines-northwind-distribution-"));
    let mut reader = csv::Reader::from_reader(r.text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header[0], "invoice_id");
    assert_eq!(header.len(), 11);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5, "three NZD and one USD line of A, one of B");
    let main = rows.iter().find(|r| &r[4] == "SKU_MAIN").unwrap();
    assert_eq!(&main[5], "'=SUM(A1:A9)");
    assert_eq!(
        (&main[7], &main[8], &main[9], &main[10]),
        ("450", "30", "1730", "25950")
    );
    let r = app.as_(&billing).reports().get(t.dist, "invoice-lines", "").await;
    assert!(matches!(r.status, 400 | 422), "period is required: {}", r.text);
});

both_backends!(billing_or_admin_only, |app| async move {
    let Setup { t, billing, .. } = setup(&app).await;
    assert_eq!(run(&app, &billing, t.dist, "2026-09").await.status, 200);
    let items = invoices(&app, &billing, t.dist, "").await;
    let a = find(&items, t.customer_a, "NZD")["id"].as_str().unwrap().to_string();
    let (_, viewer) = app.operator(t.dist, "viewer@northwind.example", &[Role::Viewer]);
    let (_, admin) = app.operator(t.dist, "admin@northwind.example", &[Role::Admin]);
    let (_, outsider) = app.operator(t.reseller_b, "billing@reseller-b.example", &[Role::Billing]);
    let csv = |token| app.as_(token).reports().get(t.dist, "invoice-lines", "?period=2026-09");
    assert_eq!(run(&app, &viewer, t.dist, "2026-09").await.status, 403);
    assert_eq!(app.as_(&viewer).billing().invoices(t.dist, "").await.status, 403);
    assert_eq!(app.as_(&viewer).billing().invoice(&a).await.status, 403);
    assert_eq!(act(&app, &viewer, &a, "issue").await.status, 403);
    assert_eq!(app.as_(&viewer).billing().history(t.dist).await.status, 403);
    assert_eq!(csv(&viewer).await.status, 403);
    // The same viewer may export subscriptions and users.
    let r = app.as_(&viewer).reports().get(t.dist, "subscriptions", "").await;
    assert_eq!(r.status, 200);
    assert_eq!(csv(&admin).await.status, 200);
    assert_eq!(run(&app, &admin, t.dist, "2026-09").await.status, 200);
    // Another subtree's invoice: 404, as if absent.
    assert_eq!(app.as_(&outsider).billing().invoice(&a).await.status, 404);
    assert_eq!(act(&app, &outsider, &a, "issue").await.status, 404);
    assert_eq!(app.as_(&outsider).billing().invoice(Uuid::now_v7()).await.status, 404);
    assert_eq!(run(&app, &outsider, t.dist, "2026-09").await.status, 404);
    // Bad periods name the field.
    for bad in ["2026-13", "2026-9", "september"] {
        let r = run(&app, &billing, t.dist, bad).await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
        assert_eq!(r.error_field(), Some("period"));
    }
});

both_backends!(large_runs_bill_every_customer_exactly_once, |app| async move {
    // 2,600 customers with two subscriptions each: the run bills customers a
    // hundred at a time here and the CSV reads 5,000 lines per query, so both cross
    // their batch boundaries.
    const CUSTOMERS: usize = 2_600;
    let t = app.tree().await;
    let since = at(2026, 8, 1, 0);
    bulk_customers(&app, t.reseller_b, CUSTOMERS, "Bulk customer", |_| {
        ["SKU_A", "SKU_B"]
            .into_iter()
            .map(|sku| Bulk {
                sku: sku.into(),
                description: "Bulk",
                unit_price_minor: 300,
                currency: "NZD",
                history: vec![(since, 1, 0)],
            })
            .collect()
    });
    let (_, billing) = app.operator(t.dist, "billing@northwind.example", &[Role::Billing]);

    let r = run(&app, &billing, t.reseller_b, "2026-09").await;
    assert_eq!(
        counts(&r),
        json!({"period": "2026-09", "created": CUSTOMERS, "recomputed": 0, "removed": 0, "unchanged": 0})
    );
    let r = run(&app, &billing, t.reseller_b, "2026-09").await;
    assert_eq!(r.body["invoices_created"], 0);
    assert_eq!(r.body["invoices_recomputed"], CUSTOMERS);
    // Customer B of the tree is under reseller B too (it has no subscription).
    assert_eq!(r.body["customers_done"], CUSTOMERS + 1);
    assert_eq!(r.body["customers_total"], CUSTOMERS + 1);
    let r = app.as_(&billing).billing().history(t.reseller_b).await;
    assert_eq!(
        r.body["items"],
        json!([{"period": "2026-09", "currency": "NZD", "invoices": CUSTOMERS, "total_minor": CUSTOMERS * 600}])
    );
    let r = app
        .as_(&billing)
        .reports()
        .get(t.reseller_b, "invoice-lines", "?period=2026-09")
        .await;
    assert_eq!(r.status, 200);
    let mut reader = csv::Reader::from_reader(r.text.as_bytes());
    let mut seen = std::collections::HashSet::new();
    for row in reader.records() {
        assert!(seen.insert(row.unwrap()[1].to_string()), "a line appears twice");
    }
    assert_eq!(seen.len(), 2 * CUSTOMERS);
});

both_backends!(one_active_run_per_organisation_and_period, |app| async move {
    let Setup { t, billing, .. } = setup(&app).await;
    let r = start(&app, &billing, t.dist, "2026-09").await;
    assert_eq!(r.status, 202, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["customers_total"], 3, "A, A2 and B");
    assert!(r.body["started_at"].is_null() && r.body["finished_at"].is_null());

    // A second start of the same organisation and period waits for the first.
    let again = start(&app, &billing, t.dist, "2026-09").await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(again.code(), Some("billing_run_active"));
    // Another period, or another organisation, is another run.
    assert_eq!(start(&app, &billing, t.dist, "2026-10").await.status, 202);
    assert_eq!(start(&app, &billing, t.customer_b, "2026-09").await.status, 202);

    // Reading a run: billing or admin in its organisation's scope.
    let (_, viewer) = app.operator(t.dist, "viewer@northwind.example", &[Role::Viewer]);
    let (_, outsider) = app.operator(t.reseller_b, "billing@reseller-b.example", &[Role::Billing]);
    let r = app.as_(&billing).billing().billing_run(&id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "queued");
    assert_eq!(app.as_(&viewer).billing().billing_run(&id).await.status, 403);
    assert_eq!(app.as_(&outsider).billing().billing_run(&id).await.status, 404);
    assert_eq!(
        app.as_(&billing).billing().billing_run(Uuid::now_v7()).await.status,
        404
    );

    assert_eq!(drain(&app).await, 3);
    let r = app.as_(&billing).billing().billing_run(&id).await;
    assert_eq!(r.body["status"], "succeeded");
    assert_eq!(r.body["customers_done"], 3);
    assert!(r.body["started_at"].is_string() && r.body["finished_at"].is_string());
    assert!(r.body["error"].is_null());
    // Finished: the period can be run again.
    assert_eq!(run(&app, &billing, t.dist, "2026-09").await.status, 200);

    // Start and end are audited: by the operator, then by the system.
    let audit = |action: &str| {
        let path = format!("/v1/organizations/{}/audit-events?action={action}", t.dist);
        let admin = app.admin_token.clone();
        let app = &app;
        async move {
            let r = app.as_(&admin).get(&path).await;
            assert_eq!(r.status, 200, "{}", r.text);
            r.body["items"].as_array().cloned().unwrap_or_default()
        }
    };
    let started = audit("billing_run.started").await;
    assert_eq!(started.len(), 4, "three runs of the distributor, one of customer B");
    assert!(started.iter().all(|e| e["actor_type"] == "operator"));
    let finished = audit("billing_run.finished").await;
    assert_eq!(finished.len(), 4);
    assert!(finished.iter().all(|e| e["actor_type"] == "system"));
    assert!(finished.iter().any(|e| e["target_id"] == id.as_str()
        && e["details"]["status"] == "succeeded"
        && e["details"]["created"] == 3));
});

/// An invoice line as compared: subscription, SKU, seat-days, amount.
type LineKey = (String, String, i64, i64);
/// An invoice as compared: customer, currency, status, total, lines.
type InvoiceKey = (Uuid, String, String, i64, Vec<LineKey>);

/// Every invoice of `org`'s subtree for the period with its lines, by customer
/// and currency (ids left out: they differ between runs).
fn invoices_of(app: &TestApp, org: Uuid) -> Vec<InvoiceKey> {
    let path = app.store.organization(org).unwrap().unwrap().path;
    let filter = persistence::InvoiceFilter {
        period: Some("2026-09".into()),
        ..Default::default()
    };
    let mut all = Vec::new();
    for inv in app.store.invoices(&path, &filter, None, 100_000).unwrap() {
        let mut lines: Vec<_> = app
            .store
            .invoice_lines(inv.id)
            .unwrap()
            .into_iter()
            .map(|l| (l.subscription_id, l.sku, l.seat_days, l.amount_minor))
            .collect();
        lines.sort();
        all.push((
            inv.customer_id,
            inv.currency,
            inv.status.as_str().to_string(),
            inv.total_minor,
            lines,
        ));
    }
    all.sort();
    all
}

both_backends!(an_interrupted_run_resumes_to_the_same_invoices, |app| async move {
    // 750 customers, a hundred per batch: eight batches.
    const CUSTOMERS: usize = 750;
    let t = app.tree().await;
    let (since, mid) = (at(2026, 8, 1, 0), at(2026, 9, 12, 9));
    bulk_customers(&app, t.reseller_b, CUSTOMERS, "Resumed customer", |n| {
        let n = n as i64;
        [(0i64, "NZD"), (1, "USD")]
            .into_iter()
            .map(|(k, currency)| Bulk {
                sku: format!("SKU_{k}"),
                description: "Resumed",
                unit_price_minor: 100 + 37 * n + k,
                currency,
                history: vec![(since, 1 + (n + k) % 7, 0), (mid, 1 + (n + 2 * k) % 5, 0)],
            })
            .collect()
    });
    let (_, billing) = app.operator(t.dist, "billing@northwind.example", &[Role::Billing]);

    // The uninterrupted run, for reference; then its invoices are removed.
    let r = run(&app, &billing, t.reseller_b, "2026-09").await;
    assert_eq!(r.body["invoices_created"], 2 * CUSTOMERS);
    let reference = invoices_of(&app, t.reseller_b);
    assert_eq!(reference.len(), 2 * CUSTOMERS);
    sql(&app, "DELETE FROM invoice_lines; DELETE FROM invoices");
    assert!(invoices_of(&app, t.reseller_b).is_empty());

    let r = start(&app, &billing, t.reseller_b, "2026-09").await;
    assert_eq!(r.status, 202, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_string();
    let get = || app.as_(&billing).billing().billing_run(&id);
    let (store, clock) = (app.store.clone(), app.clock.clone());
    let lease = api::billing::worker::LEASE;

    // 1. A worker stops (as `serve` does on shutdown) after two batches and gives the run back.
    let (s, c) = (store.clone(), clock.clone());
    let outcome = tokio::task::spawn_blocking(move || {
        let claim = s
            .claim_billing_run(c.now(), c.now() + lease)
            .unwrap()
            .expect("a queued run");
        api::billing::worker::work(&s, &c, &claim, TEST_BATCH, |batches| batches >= 2).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(outcome, api::billing::worker::Outcome::Released);
    let r = get().await;
    assert_eq!(r.body["status"], "running");
    assert_eq!(r.body["customers_done"], 200);

    // 2. Another worker takes it at once, bills three batches and dies: its lease stays.
    let (s, c) = (store.clone(), clock.clone());
    let dead = tokio::task::spawn_blocking(move || {
        let claim = s
            .claim_billing_run(c.now(), c.now() + lease)
            .unwrap()
            .expect("a given-back run");
        for _ in 0..3 {
            let step = s.billing_run_step(&claim, c.now() + lease, TEST_BATCH).unwrap();
            assert_eq!(step, persistence::RunStep::Billed { customers: 100 });
        }
        claim
    })
    .await
    .unwrap();
    let r = get().await;
    assert_eq!(r.body["status"], "running");
    assert_eq!(r.body["customers_done"], 500);
    // While the lease lasts, nobody else takes the run.
    assert_eq!(drain(&app).await, 0);
    assert_eq!(get().await.body["customers_done"], 500);

    // 3. The lease runs out; the next worker resumes from the cursor and finishes.
    app.advance_clock(lease.num_seconds() + 1);
    assert_eq!(drain(&app).await, 1);
    let r = get().await;
    assert_eq!(r.body["status"], "succeeded", "{}", r.text);
    // Every customer once (customer B of the tree too): no batch billed twice.
    assert_eq!(r.body["customers_done"], CUSTOMERS + 1);
    assert_eq!(r.body["customers_total"], CUSTOMERS + 1);
    assert_eq!(r.body["invoices_created"], 2 * CUSTOMERS);
    assert_eq!(r.body["invoices_recomputed"], 0);
    // The dead worker, back, finds its lease gone and writes nothing.
    let s = store.clone();
    let step = tokio::task::spawn_blocking(move || s.billing_run_step(&dead, clock.now() + lease, TEST_BATCH).unwrap())
        .await
        .unwrap();
    assert_eq!(step, persistence::RunStep::LeaseLost);

    assert_eq!(invoices_of(&app, t.reseller_b), reference);
});

/// A monthly subscription of a bulk-inserted customer; its quantity is the
/// first entry of its seat history.
struct Bulk {
    sku: String,
    description: &'static str,
    unit_price_minor: i64,
    currency: &'static str,
    history: Vec<(chrono::NaiveDateTime, i64, i64)>,
}

fn at(year: i32, month: u32, day: u32, hour: u32) -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|d| d.and_hms_opt(hour, 0, 0))
        .expect("a valid test date")
}

/// Inserts `count` active customers under `parent` ("`name` n"), each with the
/// subscriptions `subscriptions(n)` describes, straight into the store (billing
/// tests need more customers than requests could create quickly).
fn bulk_customers(app: &TestApp, parent: Uuid, count: usize, name: &str, subscriptions: impl Fn(usize) -> Vec<Bulk>) {
    let parent_path = app.store.organization(parent).unwrap().unwrap().path;
    let mut orgs = Vec::new();
    let mut subs = Vec::new();
    for n in 0..count {
        let id = Uuid::now_v7();
        let path = parent_path.child(id);
        orgs.push(persistence::BulkOrganization {
            id,
            parent_id: Some(parent),
            kind: domain::OrgKind::Customer,
            name: format!("{name} {n}"),
            status: domain::OrgStatus::Active,
            path: path.clone(),
            primary_domain: None,
        });
        for b in subscriptions(n) {
            subs.push(persistence::BulkSubscription {
                customer_id: id,
                customer_path: path.clone(),
                sku: b.sku,
                description: b.description.into(),
                quantity: b.history.first().map_or(0, |h| h.1),
                assigned: 0,
                unit_price_minor: b.unit_price_minor,
                currency: b.currency.into(),
                billing_cycle: domain::BillingCycle::Monthly,
                renews_on: chrono::NaiveDate::from_ymd_opt(2027, 8, 1).unwrap(),
                status: domain::SubscriptionStatus::Active,
                history: b.history,
            });
        }
    }
    app.store.bulk_insert_organizations(&orgs).unwrap();
    app.store.bulk_insert_customer_data(&subs, &[]).unwrap();
}
