//! CSV reports over HTTP: the subscriptions and customer-users reports for a
//! subtree or one customer parse back with a CSV parser (header row, RFC 4180
//! quoting, CRLF), escape formula-looking cells, name the file after the
//! organisation, and are open to every role in scope (404 outside it).

use chrono::Utc;
use domain::Role;
use http_tests::{both_backends, Reply};
use serde_json::json;
use uuid::Uuid;

use crate::subscriptions::{body, day, subscribe, with};

/// (header, rows), checking the transport details on the way.
fn parse(r: &Reply, file_prefix: &str) -> (Vec<String>, Vec<Vec<String>>) {
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
    let today = Utc::now().date_naive();
    assert_eq!(
        r.header("content-disposition").as_deref(),
        Some(format!("attachment; filename=\"{file_prefix}-{today}.csv\"").as_str())
    );
    assert!(r.text.ends_with("\r\n"), "CRLF line ends");
    let mut reader = csv::Reader::from_reader(r.text.as_bytes());
    let header = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = reader
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn column<'a>(header: &[String], rows: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    rows.iter().map(|r| r[i].as_str()).collect()
}

both_backends!(subscriptions_report_parses_back_escaped, |app| async move {
    let t = app.tree().await;
    let described = |sku: &str, description: &str| with(body(sku, 5, &day(30)), json!({"description": description}));
    let formula = "=HYPERLINK(\"http://evil.example\",\"x\")";
    let a1 = subscribe(&app, t.customer_a, described("SKU_FORMULA", formula)).await;
    let a2 = subscribe(&app, t.customer_a, described("SKU_QUOTED", "Seats, \"quoted\"")).await;
    let a3 = subscribe(&app, t.customer_a, described("SKU_PLUS", "+SUM(1,2)")).await;
    let a4 = subscribe(&app, t.customer_a2, described("SKU_MINUS", "-1")).await;
    let _b = subscribe(&app, t.customer_b, described("SKU_AT", "@cmd")).await;
    let (_, viewer) = app.operator(t.dist, "viewer@northwind.example", &[Role::Viewer]);

    let r = app.as_(&viewer).reports().get(t.reseller_a, "subscriptions", "").await;
    let (header, rows) = parse(&r, "subscriptions-reseller-a");
    assert_eq!(
        header,
        [
            "subscription_id",
            "customer_id",
            "customer_name",
            "sku",
            "description",
            "quantity",
            "assigned",
            "unit_price_minor",
            "currency",
            "billing_cycle",
            "renews_on",
            "auto_renew",
            "status",
            "created_at",
            "updated_at"
        ]
    );
    let mut ids: Vec<&str> = column(&header, &rows, "subscription_id");
    ids.sort_unstable();
    let mut expected = [a1, a2, a3, a4].map(|i| i.to_string());
    expected.sort_unstable();
    assert_eq!(ids, expected, "reseller A's subtree only");
    let description_of = |sku: &str| {
        let i = column(&header, &rows, "sku").iter().position(|s| *s == sku).unwrap();
        column(&header, &rows, "description")[i].to_string()
    };
    assert_eq!(description_of("SKU_FORMULA"), format!("'{formula}"));
    assert_eq!(description_of("SKU_PLUS"), "'+SUM(1,2)");
    assert_eq!(description_of("SKU_MINUS"), "'-1");
    assert_eq!(description_of("SKU_QUOTED"), "Seats, \"quoted\"");
    assert!(r.text.contains(",\"Seats, \"\"quoted\"\"\","), "RFC 4180 quoting");
    let names = column(&header, &rows, "customer_name");
    assert_eq!(names.iter().filter(|n| **n == "Customer A").count(), 3);
    assert_eq!(names.iter().filter(|n| **n == "Customer A2").count(), 1);
    assert!(column(&header, &rows, "quantity").iter().all(|q| *q == "5"));
    assert!(column(&header, &rows, "unit_price_minor").iter().all(|q| *q == "1730"));
    assert!(column(&header, &rows, "currency").iter().all(|q| *q == "NZD"));
    assert!(column(&header, &rows, "status").iter().all(|q| *q == "active"));

    // One customer: its own subscriptions.
    let r = app.as_(&viewer).reports().get(t.customer_a2, "subscriptions", "").await;
    let (_, rows) = parse(&r, "subscriptions-customer-a2");
    assert_eq!(rows.len(), 1);
    // The whole tree from the root, as its admin: all five, '@' escaped too.
    let r = app.admin().reports().get(app.root, "subscriptions", "").await;
    let root_name = app.store.organization(app.root).unwrap().unwrap().name;
    let (header, rows) = parse(&r, &format!("subscriptions-{}", api::csv_export::slug(&root_name)));
    assert_eq!(rows.len(), 5);
    assert!(column(&header, &rows, "description").contains(&"'@cmd"));
    // An empty subtree: just the header.
    let r = app.as_(&viewer).reports().get(t.reseller_b, "subscriptions", "").await;
    let (_, rows) = parse(&r, "subscriptions-reseller-b");
    assert_eq!(rows.len(), 1);
    let r = app.as_(&viewer).reports().get(t.sub_a, "users", "").await;
    let (header, rows) = parse(&r, "users-sub-a");
    assert_eq!(header.len(), 11);
    assert!(rows.is_empty());
});

both_backends!(users_report_parses_back_escaped, |app| async move {
    let t = app.tree().await;
    let add = |customer: Uuid, email: &'static str, name: &'static str| {
        let app = &app;
        async move {
            let r = app
                .admin()
                .customer_users()
                .create(customer, json!({"email": email, "name": name}))
                .await;
            assert_eq!(r.status, 201, "{}", r.text);
            r.id()
        }
    };
    let u1 = add(t.customer_a, "ann@customer-a.example", "@Ann, \"the admin\"").await;
    let u2 = add(t.customer_a2, "bob@customer-a2.example", "Bob").await;
    let u3 = add(t.customer_b, "cy@customer-b.example", "=Cy").await;
    let (_, viewer) = app.operator(t.dist, "viewer@northwind.example", &[Role::Viewer]);

    let r = app.as_(&viewer).reports().get(t.dist, "users", "").await;
    let (header, rows) = parse(&r, "users-northwind-distribution");
    assert_eq!(
        header,
        [
            "user_id",
            "customer_id",
            "customer_name",
            "email",
            "name",
            "mobile",
            "admin",
            "master_admin",
            "status",
            "last_sign_in_at",
            "created_at"
        ]
    );
    let mut ids = column(&header, &rows, "user_id");
    ids.sort_unstable();
    let mut expected = [u1, u2, u3].map(|i| i.to_string());
    expected.sort_unstable();
    assert_eq!(ids, expected);
    let name_of = |email: &str| {
        let i = column(&header, &rows, "email")
            .iter()
            .position(|e| *e == email)
            .unwrap();
        (
            column(&header, &rows, "name")[i].to_string(),
            column(&header, &rows, "customer_name")[i].to_string(),
        )
    };
    assert_eq!(
        name_of("ann@customer-a.example"),
        ("'@Ann, \"the admin\"".to_string(), "Customer A".to_string())
    );
    assert_eq!(name_of("cy@customer-b.example").0, "'=Cy");
    assert_eq!(name_of("bob@customer-a2.example").1, "Customer A2");
    assert!(column(&header, &rows, "last_sign_in_at").iter().all(|s| s.is_empty()));

    let r = app.as_(&viewer).reports().get(t.customer_b, "users", "").await;
    let (_, rows) = parse(&r, "users-customer-b");
    assert_eq!(rows.len(), 1);
});

both_backends!(every_role_in_scope_may_export, |app| async move {
    let t = app.tree().await;
    subscribe(&app, t.customer_a, body("SKU_ONE", 1, &day(30))).await;
    for (email, role) in [
        ("viewer@reseller-a.example", Role::Viewer),
        ("billing@reseller-a.example", Role::Billing),
        ("admin@reseller-a.example", Role::Admin),
    ] {
        let (_, token) = app.operator(t.reseller_a, email, &[role]);
        for kind in ["subscriptions", "users"] {
            let r = app.as_(&token).reports().get(t.reseller_a, kind, "").await;
            assert_eq!(r.status, 200, "{role:?} {kind}: {}", r.text);
            // Out of scope, or absent: 404 with the same body.
            let outside = app.as_(&token).reports().get(t.reseller_b, kind, "").await;
            let absent = app.as_(&token).reports().get(Uuid::now_v7(), kind, "").await;
            assert_eq!(outside.status, 404);
            assert_eq!(absent.status, 404);
            assert_eq!(outside.body, absent.body);
        }
    }
    let r = app.anonymous().reports().get(t.reseller_a, "users", "").await;
    assert_eq!(r.status, 401);
});

both_backends!(exports_beyond_the_concurrency_limit_get_429, |app| async move {
    let t = app.tree().await;
    let token = &app.admin_token;
    let mut held = Vec::new();
    while let Some(slot) = app.exports.try_take(Uuid::new_v4()) {
        held.push(slot);
    }
    assert!(!held.is_empty(), "the server has export slots");
    for kind in ["subscriptions", "users"] {
        let r = app.as_(token).reports().get(t.dist, kind, "").await;
        assert_eq!(r.status, 429, "{}", r.text);
        assert_eq!(r.code(), Some("rate_limited"));
        assert_eq!(r.header("retry-after").as_deref(), Some("10"));
    }
    // A slot freed is a slot taken by the next export, and released when it ends.
    held.pop();
    assert_eq!(
        app.as_(token).reports().get(t.dist, "subscriptions", "").await.status,
        200
    );
    assert_eq!(app.as_(token).reports().get(t.dist, "users", "").await.status, 200);
    drop(held);
});
