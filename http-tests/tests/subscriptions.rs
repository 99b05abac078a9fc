//! Subscriptions over HTTP: create (201, Location, ETag, defaults), validation
//! naming each field, seat changes under `If-Match` (412 when stale, assigned
//! never above quantity), the seat history (one entry per change of seats, none
//! for auto-renewal), suspend ⇄ reactivate → cancel (final; 409s), lists per
//! customer and across a subtree with filters and pages, and scope and roles.

use std::collections::HashSet;

use chrono::{DateTime, Days, NaiveDate, Utc};
use domain::Role;
use http_tests::{both_backends, join2, paths, Reply, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

pub(crate) fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// Today plus `days` (negative for the past), as `YYYY-MM-DD`.
pub(crate) fn day(days: i64) -> String {
    let t = today();
    let d = if days >= 0 {
        t.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        t.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    d.unwrap().to_string()
}

/// A customer's subscriptions, for the paging helpers.
fn subs_of(customer: Uuid) -> String {
    paths::of_customer(customer, "subscriptions")
}

/// A subtree's subscriptions, for the paging helpers.
fn subtree_subs(org: Uuid) -> String {
    paths::of_organization(org, "subscriptions")
}

/// A valid create body: `quantity` seats of `sku` renewing on `renews_on`.
pub(crate) fn body(sku: &str, quantity: i64, renews_on: &str) -> Value {
    json!({
        "sku": sku,
        "description": format!("{sku} licences"),
        "quantity": quantity,
        "unit_price": {"amount_minor": 1730, "currency": "NZD"},
        "billing_cycle": "monthly",
        "renews_on": renews_on,
    })
}

/// `body` with `extra` fields merged in.
pub(crate) fn with(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    base
}

/// Creates as the provider's admin and returns the id (asserting 201).
pub(crate) async fn subscribe(app: &TestApp, customer: Uuid, body: Value) -> Uuid {
    let r = app.admin().subscriptions().create(customer, body).await;
    assert_eq!(r.status, 201, "create subscription: {}", r.text);
    r.id()
}

/// A subscription of `quantity` seats with `assigned` of them assigned.
pub(crate) async fn seats(app: &TestApp, customer: Uuid, sku: &str, quantity: i64, assigned: i64, renews: i64) -> Uuid {
    subscribe(
        app,
        customer,
        with(body(sku, quantity, &day(renews)), json!({"assigned": assigned})),
    )
    .await
}

/// POST /v1/subscriptions/{id}/{verb} as `token`.
pub(crate) async fn act(app: &TestApp, token: &str, id: Uuid, verb: &str) -> Reply {
    app.as_(token).subscriptions().act(id, verb).await
}

/// Applies a status change as the provider's admin (asserting 200).
pub(crate) async fn acted(app: &TestApp, id: Uuid, verb: &str) {
    let r = act(app, &app.admin_token, id, verb).await;
    assert_eq!(r.status, 200, "{verb}: {}", r.text);
}

/// Reads the subscription's current ETag and PATCHes it (asserting 200).
pub(crate) async fn patched(app: &TestApp, id: Uuid, change: Value) -> Value {
    let r = app.admin().subscriptions().get(id).await;
    let tag = r.header("etag").expect("ETag");
    let r = app.admin().subscriptions().update(id, change, Some(&tag)).await;
    assert_eq!(r.status, 200, "patch: {}", r.text);
    r.body
}

async fn read(app: &TestApp, id: Uuid) -> Value {
    let r = app.admin().subscriptions().get(id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

/// The ids of a list page, in order.
pub(crate) fn ids(r: &Reply) -> Vec<Uuid> {
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {}", r.text))
        .iter()
        .map(|i| Uuid::try_parse(i["id"].as_str().unwrap()).unwrap())
        .collect()
}

/// Follows `next_cursor` from `path` (which already has a `?`), `limit` per page;
/// returns the ids in order and asserts page sizes.
pub(crate) async fn all_pages(app: &TestApp, token: &str, path: &str, limit: usize) -> Vec<Uuid> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let url = match &cursor {
            Some(c) => format!("{path}&limit={limit}&cursor={c}"),
            None => format!("{path}&limit={limit}"),
        };
        let r = app.as_(token).get(&url).await;
        let page = ids(&r);
        assert!(page.len() <= limit, "{url}: {} items", page.len());
        out.extend(page.iter().copied());
        match r.body["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(page.len(), limit, "only a full page has a next page");
                cursor = Some(c.to_string());
            }
            None => return out,
        }
    }
    panic!("more than 100 pages");
}

/// (quantity, assigned) of each history entry, and the entries' times.
async fn history(app: &TestApp, token: &str, id: Uuid) -> (Vec<(i64, i64)>, Vec<DateTime<Utc>>) {
    let r = app.as_(token).subscriptions().history(id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let items = r.body["items"].as_array().unwrap();
    let seats = items
        .iter()
        .map(|i| (i["quantity"].as_i64().unwrap(), i["assigned"].as_i64().unwrap()))
        .collect();
    let times = items
        .iter()
        .map(|i| {
            DateTime::parse_from_rfc3339(i["changed_at"].as_str().unwrap())
                .unwrap()
                .with_timezone(&Utc)
        })
        .collect();
    (seats, times)
}

/// The ids listed at `path` for the provider's admin.
async fn listed(app: &TestApp, path: String) -> Vec<Uuid> {
    ids(&app.admin().get(&path).await)
}

fn sorted(mut v: Vec<Uuid>) -> Vec<Uuid> {
    v.sort();
    v
}

both_backends!(create_answers_201_with_location_etag_and_defaults, |app| async move {
    let t = app.tree().await;
    let r = app
        .admin()
        .subscriptions()
        .create(
            t.customer_a,
            json!({
                "sku": "O365_BUSINESS_PREMIUM",
                "description": "Microsoft 365 Business Premium",
                "quantity": 19,
                "unit_price": {"amount_minor": 3300, "currency": "nzd"},
                "billing_cycle": "annual",
                "renews_on": "2027-01-15",
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.id();
    assert_eq!(r.header("location"), Some(paths::subscription(id)));
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    let b = &r.body;
    assert_eq!(b["customer_id"], t.customer_a.to_string());
    assert_eq!(b["sku"], "O365_BUSINESS_PREMIUM");
    assert_eq!(b["description"], "Microsoft 365 Business Premium");
    assert_eq!(b["quantity"], 19);
    assert_eq!(b["assigned"], 0, "assigned defaults to 0");
    assert_eq!(b["auto_renew"], true, "auto_renew defaults to true");
    assert_eq!(b["unit_price"], json!({"amount_minor": 3300, "currency": "NZD"}));
    assert_eq!(b["billing_cycle"], "annual");
    assert_eq!(b["renews_on"], "2027-01-15");
    assert_eq!(b["status"], "active");
    assert_eq!(b["version"], 1);

    let got = app.admin().subscriptions().get(id).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.body, r.body, "GET shows what was created");
    assert_eq!(got.header("etag").as_deref(), Some("\"1\""));

    // Explicit values are kept.
    let r = app
        .admin()
        .subscriptions()
        .create(
            t.customer_a,
            with(
                body("M365_E3", 5, "2027-03-01"),
                json!({"assigned": 5, "auto_renew": false}),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["assigned"], 5);
    assert_eq!(r.body["auto_renew"], false);
    assert_eq!(r.body["billing_cycle"], "monthly");
    let listed = app.admin().subscriptions().list(t.customer_a, "").await;
    assert_eq!(ids(&listed), vec![id, r.id()]);
});

both_backends!(create_validates_every_field, |app| async move {
    let t = app.tree().await;
    let valid = body("M365_E3", 5, "2027-01-15");
    for (change, field) in [
        (json!({"assigned": 6}), "assigned"),
        (json!({"assigned": -1}), "assigned"),
        (json!({"quantity": -1}), "quantity"),
        (json!({"quantity": 1_000_001}), "quantity"),
        (
            json!({"unit_price": {"amount_minor": -1, "currency": "NZD"}}),
            "unit_price.amount_minor",
        ),
        (
            json!({"unit_price": {"amount_minor": 17.3, "currency": "NZD"}}),
            "unit_price.amount_minor",
        ),
        (
            json!({"unit_price": {"amount_minor": 1730, "currency": "XXX"}}),
            "unit_price.currency",
        ),
        (
            json!({"unit_price": {"amount_minor": 1730, "currency": "NZ"}}),
            "unit_price.currency",
        ),
        (json!({"billing_cycle": "weekly"}), "billing_cycle"),
        (json!({"renews_on": "2027-02-30"}), "renews_on"),
        (json!({"renews_on": "15/01/2027"}), "renews_on"),
        (json!({"sku": "with space"}), "sku"),
        (json!({"sku": ""}), "sku"),
        (json!({"description": "  "}), "description"),
        (json!({"status": "cancelled"}), "status"),
    ] {
        let r = app
            .admin()
            .subscriptions()
            .create(t.customer_a, with(valid.clone(), change.clone()))
            .await;
        assert_eq!(r.status, 422, "{change}: {}", r.text);
        assert_eq!(r.code(), Some("validation_failed"), "{change}");
        assert_eq!(r.error_field(), Some(field), "{change}: {}", r.text);
    }
    let r = app
        .admin()
        .subscriptions()
        .create(t.customer_a, json!({"sku": "M365_E3"}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    // Several bad fields are reported together.
    let r = app
        .admin()
        .subscriptions()
        .create(
            t.customer_a,
            with(
                valid.clone(),
                json!({"assigned": 9, "unit_price": {"amount_minor": 1, "currency": "ABC"}}),
            ),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let fields: HashSet<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, HashSet::from(["assigned", "unit_price.currency"]));
    assert_eq!(
        r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == "assigned")
            .unwrap()["code"],
        "exceeds_quantity"
    );
    let listed = app.admin().subscriptions().list(t.customer_a, "").await;
    assert!(ids(&listed).is_empty(), "nothing was created");
    // The edges are fine: all seats assigned, zero seats, a free SKU.
    subscribe(&app, t.customer_a, with(valid.clone(), json!({"assigned": 5}))).await;
    subscribe(
        &app,
        t.customer_a,
        with(
            valid,
            json!({"quantity": 0, "unit_price": {"amount_minor": 0, "currency": "EUR"}}),
        ),
    )
    .await;
});

both_backends!(
    seat_changes_need_a_current_if_match_and_keep_assigned_within_quantity,
    |app| async move {
        let t = app.tree().await;
        let id = seats(&app, t.customer_a, "M365_E3", 10, 5, 30).await;
        let r = app
            .admin()
            .subscriptions()
            .update(id, json!({"quantity": 12}), Some("\"1\""))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
        assert_eq!(
            (r.body["quantity"].as_i64(), r.body["assigned"].as_i64()),
            (Some(12), Some(5))
        );
        assert_eq!(r.body["version"], 2);

        // Stale: 412, nothing changed.
        let r = app
            .admin()
            .subscriptions()
            .update(id, json!({"quantity": 20}), Some("\"1\""))
            .await;
        assert_eq!(r.status, 412, "{}", r.text);
        assert_eq!(r.code(), Some("stale_version"));
        let now = read(&app, id).await;
        assert_eq!((now["quantity"].as_i64(), now["version"].as_i64()), (Some(12), Some(2)));

        // Assigned above quantity, directly or by lowering quantity: 422, nothing changed.
        for change in [
            json!({"assigned": 13}),
            json!({"quantity": 4}),
            json!({"quantity": 8, "assigned": 9}),
        ] {
            let r = app
                .admin()
                .subscriptions()
                .update(id, change.clone(), Some("\"2\""))
                .await;
            assert_eq!(r.status, 422, "{change}: {}", r.text);
            assert_eq!(r.error_field(), Some("assigned"), "{change}: {}", r.text);
            assert_eq!(r.body["errors"][0]["code"], "exceeds_quantity");
        }
        for (change, field) in [
            (json!({"quantity": -1}), "quantity"),
            (json!({"assigned": -1}), "assigned"),
            (json!({"status": "cancelled"}), "status"),
            (json!({"renews_on": "2030-01-01"}), "renews_on"),
        ] {
            let r = app
                .admin()
                .subscriptions()
                .update(id, change.clone(), Some("\"2\""))
                .await;
            assert_eq!(r.status, 422, "{change}: {}", r.text);
            assert_eq!(r.error_field(), Some(field), "{change}: {}", r.text);
        }
        let now = read(&app, id).await;
        assert_eq!(
            (
                now["quantity"].as_i64(),
                now["assigned"].as_i64(),
                now["version"].as_i64(),
                now["status"].as_str()
            ),
            (Some(12), Some(5), Some(2), Some("active"))
        );

        // Both at once, within bounds.
        let r = app
            .admin()
            .subscriptions()
            .update(id, json!({"quantity": 4, "assigned": 4}), Some("\"2\""))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            (r.body["quantity"].as_i64(), r.body["assigned"].as_i64()),
            (Some(4), Some(4))
        );
        let (entries, _) = history(&app, &app.admin_token, id).await;
        assert_eq!(entries, vec![(10, 5), (12, 5), (4, 4)], "refused changes left no trace");

        // Two changes racing on one version: one wins, the other is stale.
        let (a, b) = join2(
            app.admin()
                .subscriptions()
                .update(id, json!({"quantity": 30}), Some("\"3\"")),
            app.admin()
                .subscriptions()
                .update(id, json!({"quantity": 40}), Some("\"3\"")),
        )
        .await;
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 412], "{} / {}", a.text, b.text);
        let winner = if a.status == 200 { &a } else { &b };
        let now = read(&app, id).await;
        assert_eq!(now["quantity"], winner.body["quantity"]);
        assert_eq!(now["version"], 4);
        let (entries, _) = history(&app, &app.admin_token, id).await;
        assert_eq!(entries.len(), 4, "one entry for the one change that happened");
    }
);

both_backends!(
    every_seat_change_is_kept_in_the_history_with_its_time,
    |app| async move {
        let t = app.tree().await;
        let started = Utc::now() - chrono::Duration::seconds(2);
        let id = seats(&app, t.customer_a, "M365_E3", 10, 2, 30).await;
        let (entries, _) = history(&app, &app.admin_token, id).await;
        assert_eq!(entries, vec![(10, 2)], "the purchase starts the history");

        patched(&app, id, json!({"quantity": 15})).await;
        patched(&app, id, json!({"assigned": 7})).await;
        let (entries, _) = history(&app, &app.admin_token, id).await;
        assert_eq!(entries, vec![(10, 2), (15, 2), (15, 7)]);

        // Auto-renewal, or the same seats again, are not seat changes.
        let b = patched(&app, id, json!({"auto_renew": false})).await;
        assert_eq!(b["auto_renew"], false);
        assert_eq!(b["version"], 4);
        patched(&app, id, json!({"quantity": 15, "assigned": 7})).await;
        // Suspension keeps the seats.
        acted(&app, id, "suspend").await;
        acted(&app, id, "reactivate").await;
        let (entries, _) = history(&app, &app.admin_token, id).await;
        assert_eq!(entries, vec![(10, 2), (15, 2), (15, 7)]);
        assert_eq!(read(&app, id).await["auto_renew"], false);

        // Cancelling releases the seats.
        acted(&app, id, "cancel").await;
        let finished = Utc::now() + chrono::Duration::seconds(2);
        let (entries, times) = history(&app, &app.admin_token, id).await;
        assert_eq!(entries, vec![(10, 2), (15, 2), (15, 7), (0, 0)]);
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first: {times:?}");
        assert!(
            times.iter().all(|t| *t >= started && *t <= finished),
            "times of the changes: {times:?}"
        );
        // Other subscriptions have their own history.
        let other = seats(&app, t.customer_a, "M365_E5", 3, 3, 30).await;
        let (entries, _) = history(&app, &app.admin_token, other).await;
        assert_eq!(entries, vec![(3, 3)]);
        let r = app.admin().subscriptions().history(Uuid::now_v7()).await;
        assert_eq!(r.status, 404, "{}", r.text);
    }
);

both_backends!(suspend_reactivate_and_cancel_follow_the_lifecycle, |app| async move {
    let t = app.tree().await;
    let id = seats(&app, t.customer_a, "M365_E3", 10, 5, 30).await;
    let conflict = |r: &Reply, code: &str| {
        assert_eq!(r.status, 409, "{}", r.text);
        assert_eq!(r.code(), Some(code), "{}", r.text);
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
    };
    let admin = app.admin_token.clone();
    conflict(&act(&app, &admin, id, "reactivate").await, "invalid_status_transition");
    let r = act(&app, &admin, id, "suspend").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "suspended");
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    conflict(&act(&app, &admin, id, "suspend").await, "invalid_status_transition");
    // A suspended subscription still holds its seats, which may change.
    let b = patched(&app, id, json!({"quantity": 11})).await;
    assert_eq!(
        (b["quantity"].as_i64(), b["status"].as_str()),
        (Some(11), Some("suspended"))
    );
    let r = act(&app, &admin, id, "reactivate").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "active");

    let r = act(&app, &admin, id, "cancel").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "cancelled");
    // Cancelled is final.
    for verb in ["cancel", "reactivate", "suspend"] {
        conflict(&act(&app, &admin, id, verb).await, "invalid_status_transition");
    }
    let tag = app.as_(&admin).subscriptions().get(id).await.header("etag").unwrap();
    for change in [
        json!({"quantity": 3}),
        json!({"assigned": 0}),
        json!({"quantity": 20, "assigned": 1}),
    ] {
        let r = app
            .as_(&admin)
            .subscriptions()
            .update(id, change.clone(), Some(&tag))
            .await;
        conflict(&r, "subscription_ended");
    }
    let now = read(&app, id).await;
    assert_eq!(
        (
            now["status"].as_str(),
            now["quantity"].as_i64(),
            now["assigned"].as_i64()
        ),
        (Some("cancelled"), Some(11), Some(5))
    );

    // A suspended subscription can be cancelled straight away.
    let other = seats(&app, t.customer_a, "M365_E5", 2, 0, 30).await;
    acted(&app, other, "suspend").await;
    acted(&app, other, "cancel").await;
    assert_eq!(read(&app, other).await["status"], "cancelled");
    let r = act(&app, &admin, Uuid::now_v7(), "cancel").await;
    assert_eq!(r.status, 404, "{}", r.text);
});

both_backends!(a_customers_list_filters_by_status_sku_and_renewal, |app| async move {
    let t = app.tree().await;
    let s1 = seats(&app, t.customer_a, "SKU_A", 1, 0, 10).await;
    let s2 = seats(&app, t.customer_a, "SKU_B", 2, 0, 40).await;
    let s3 = seats(&app, t.customer_a, "SKU_A", 3, 0, 100).await;
    let s4 = seats(&app, t.customer_a, "SKU_B", 4, 0, 5).await;
    acted(&app, s3, "suspend").await;
    acted(&app, s4, "cancel").await;
    let elsewhere = seats(&app, t.customer_a2, "SKU_A", 5, 0, 10).await;

    let customer_a = t.customer_a;
    let list = |query: String| listed(&app, format!("{}{query}", subs_of(customer_a)));
    assert_eq!(list(String::new()).await, vec![s1, s2, s3, s4], "oldest first");
    assert_eq!(list("?status=active".into()).await, vec![s1, s2]);
    assert_eq!(list("?status=suspended".into()).await, vec![s3]);
    assert_eq!(list("?status=cancelled".into()).await, vec![s4]);
    assert_eq!(list("?sku=SKU_A".into()).await, vec![s1, s3]);
    assert_eq!(list("?sku=SKU_C".into()).await, Vec::<Uuid>::new());
    assert_eq!(
        list(format!("?renews_before={}", day(40))).await,
        vec![s1, s4],
        "strictly before the date"
    );
    assert_eq!(
        list(format!("?sku=SKU_A&status=active&renews_before={}", day(11))).await,
        vec![s1]
    );
    assert_eq!(list(format!("?renews_before={}", day(5))).await, Vec::<Uuid>::new());

    let pages = all_pages(
        &app,
        &app.admin_token,
        &format!("{}?sku=SKU_A", subs_of(t.customer_a)),
        1,
    )
    .await;
    assert_eq!(pages, vec![s1, s3]);
    let pages = all_pages(&app, &app.admin_token, &format!("{}?", subs_of(t.customer_a)), 3).await;
    assert_eq!(pages, vec![s1, s2, s3, s4]);
    assert!(!pages.contains(&elsewhere));

    for (query, field) in [
        ("status=gone", "status"),
        ("renews_before=2027-13-01", "renews_before"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("cursor=garbage", "cursor"),
    ] {
        let r = app
            .admin()
            .subscriptions()
            .list(t.customer_a, &format!("?{query}"))
            .await;
        assert_eq!(r.status, 422, "{query}: {}", r.text);
        assert_eq!(r.error_field(), Some(field), "{query}: {}", r.text);
    }
});

both_backends!(
    a_subtree_list_spans_customers_and_resellers_with_filters_and_pages,
    |app| async move {
        let t = app.tree().await;
        let direct = app
            .create(&app.admin_token, t.dist, "customer", "Direct Customer")
            .await;
        let a1 = seats(&app, t.customer_a, "SKU_A", 1, 0, 10).await;
        let a2 = seats(&app, t.customer_a, "SKU_B", 2, 0, 20).await;
        let a3 = seats(&app, t.customer_a, "SKU_A", 3, 0, 60).await;
        let d1 = seats(&app, t.customer_a2, "SKU_A", 4, 0, 5).await;
        let d2 = seats(&app, t.customer_a2, "SKU_C", 5, 0, 90).await;
        let b1 = seats(&app, t.customer_b, "SKU_A", 6, 0, 15).await;
        let b2 = seats(&app, t.customer_b, "SKU_B", 7, 0, 25).await;
        let b3 = seats(&app, t.customer_b, "SKU_C", 8, 0, 35).await;
        let c1 = seats(&app, direct, "SKU_A", 9, 0, 1).await;
        acted(&app, a3, "suspend").await;
        acted(&app, d2, "cancel").await;
        let every = vec![a1, a2, a3, d1, d2, b1, b2, b3, c1];

        let list = |org: Uuid, query: String| listed(&app, format!("{}{query}", subtree_subs(org)));
        assert_eq!(sorted(list(t.dist, String::new()).await), sorted(every.clone()));
        assert_eq!(sorted(list(app.root, String::new()).await), sorted(every.clone()));
        assert_eq!(
            sorted(list(t.reseller_a, String::new()).await),
            sorted(vec![a1, a2, a3, d1, d2])
        );
        assert_eq!(sorted(list(t.sub_a, String::new()).await), sorted(vec![d1, d2]));
        assert_eq!(
            sorted(list(t.reseller_b, String::new()).await),
            sorted(vec![b1, b2, b3])
        );
        assert_eq!(
            sorted(list(t.customer_a, String::new()).await),
            sorted(vec![a1, a2, a3])
        );

        // Filters, alone and together.
        assert_eq!(
            sorted(list(t.dist, "?status=active".into()).await),
            sorted(vec![a1, a2, d1, b1, b2, b3, c1])
        );
        assert_eq!(list(t.dist, "?status=suspended".into()).await, vec![a3]);
        assert_eq!(list(t.dist, "?status=cancelled".into()).await, vec![d2]);
        assert_eq!(
            sorted(list(t.dist, "?sku=SKU_A".into()).await),
            sorted(vec![a1, a3, d1, b1, c1])
        );
        assert_eq!(
            sorted(list(t.dist, format!("?renews_before={}", day(20))).await),
            sorted(vec![a1, d1, b1, c1])
        );
        assert_eq!(
            sorted(
                list(
                    t.reseller_a,
                    format!("?sku=SKU_A&status=active&renews_before={}", day(20))
                )
                .await
            ),
            sorted(vec![a1, d1])
        );

        // Pages of 3: every subscription once, in the order of the whole list.
        for query in ["?", "?sku=SKU_A", "?status=active"] {
            let path = format!("{}{query}", subtree_subs(t.dist));
            let whole = ids(&app.admin().get(&path).await);
            let paged = all_pages(&app, &app.admin_token, &path, 3).await;
            assert_eq!(paged, whole, "{query}: no gaps, no duplicates, a stable order");
            let unique: HashSet<Uuid> = paged.iter().copied().collect();
            assert_eq!(unique.len(), paged.len(), "{query}: duplicates");
        }
        let paged = all_pages(&app, &app.admin_token, &format!("{}?", subtree_subs(t.dist)), 3).await;
        assert_eq!(paged.len(), 9);

        // A reseller's admin lists its own subtree, and nothing above or beside.
        let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
        let r = app.as_(&admin_a).subscriptions().in_subtree(t.reseller_a, "").await;
        assert_eq!(sorted(ids(&r)), sorted(vec![a1, a2, a3, d1, d2]));
        for org in [t.dist, t.reseller_b, direct, app.root] {
            let r = app.as_(&admin_a).subscriptions().in_subtree(org, "").await;
            assert_eq!(r.status, 404, "{org}: {}", r.text);
        }

        // Subscriptions follow their customer when it moves.
        let r = app
            .admin()
            .organizations()
            .move_to(t.customer_a2, json!({"parent_id": t.reseller_b}))
            .await;
        assert_eq!(r.status, 200, "move: {}", r.text);
        assert_eq!(
            sorted(list(t.reseller_b, String::new()).await),
            sorted(vec![b1, b2, b3, d1, d2])
        );
        assert_eq!(
            sorted(list(t.reseller_a, String::new()).await),
            sorted(vec![a1, a2, a3])
        );
        assert!(list(t.sub_a, String::new()).await.is_empty());
        let paged = all_pages(&app, &app.admin_token, &format!("{}?", subtree_subs(t.dist)), 3).await;
        assert_eq!(sorted(paged), sorted(every));
    }
);

both_backends!(
    viewers_read_siblings_see_nothing_and_only_customers_subscribe,
    |app| async move {
        let t = app.tree().await;
        let id = seats(&app, t.customer_a2, "M365_E3", 10, 5, 30).await;

        // A viewer reads everything but changes nothing.
        let (_, viewer) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
        let r = app.as_(&viewer).subscriptions().get(id).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
        assert_eq!(
            ids(&app.as_(&viewer).subscriptions().list(t.customer_a2, "").await),
            vec![id]
        );
        let r = app.as_(&viewer).subscriptions().in_subtree(t.reseller_a, "").await;
        assert_eq!(ids(&r), vec![id]);
        assert_eq!(history(&app, &viewer, id).await.0, vec![(10, 5)]);
        let r = app
            .as_(&viewer)
            .subscriptions()
            .create(t.customer_a2, body("M365_E5", 1, &day(30)))
            .await;
        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(r.code(), Some("forbidden"));
        let r = app
            .as_(&viewer)
            .subscriptions()
            .update(id, json!({"quantity": 1}), Some("\"1\""))
            .await;
        assert_eq!(r.status, 403, "{}", r.text);
        for verb in ["suspend", "cancel"] {
            let r = act(&app, &viewer, id, verb).await;
            assert_eq!(r.status, 403, "{verb}: {}", r.text);
        }
        let now = read(&app, id).await;
        assert_eq!(
            (
                now["quantity"].as_i64(),
                now["status"].as_str(),
                now["version"].as_i64()
            ),
            (Some(10), Some("active"), Some(1))
        );
        assert_eq!(
            ids(&app.as_(&viewer).subscriptions().list(t.customer_a2, "").await),
            vec![id]
        );

        // A sibling reseller's admin: 404, exactly like a random id.
        let (_, admin_b) = app.operator(t.reseller_b, "admin@reseller-b.example", &[Role::Admin]);
        let random = Uuid::now_v7();
        let pairs: Vec<(Reply, Reply)> = vec![
            (
                app.as_(&admin_b).subscriptions().get(id).await,
                app.as_(&admin_b).subscriptions().get(random).await,
            ),
            (
                app.as_(&admin_b).subscriptions().history(id).await,
                app.as_(&admin_b).subscriptions().history(random).await,
            ),
            (
                app.as_(&admin_b)
                    .subscriptions()
                    .update(id, json!({"quantity": 1}), Some("\"1\""))
                    .await,
                app.as_(&admin_b)
                    .subscriptions()
                    .update(random, json!({"quantity": 1}), Some("\"1\""))
                    .await,
            ),
            (
                act(&app, &admin_b, id, "cancel").await,
                act(&app, &admin_b, random, "cancel").await,
            ),
            (
                app.as_(&admin_b).subscriptions().list(t.customer_a2, "").await,
                app.as_(&admin_b).subscriptions().list(random, "").await,
            ),
            (
                app.as_(&admin_b)
                    .subscriptions()
                    .create(t.customer_a2, body("M365_E5", 1, &day(30)))
                    .await,
                app.as_(&admin_b)
                    .subscriptions()
                    .create(random, body("M365_E5", 1, &day(30)))
                    .await,
            ),
        ];
        for (hidden, absent) in pairs {
            assert_eq!(hidden.status, 404, "{}", hidden.text);
            assert_eq!(hidden.text, absent.text, "no existence leak");
        }
        let now = read(&app, id).await;
        assert_eq!(
            (now["status"].as_str(), now["version"].as_i64()),
            (Some("active"), Some(1))
        );
        assert_eq!(
            ids(&app.admin().subscriptions().list(t.customer_a2, "").await),
            vec![id]
        );

        // Organisations that are not customers have no subscriptions.
        for org in [t.reseller_a, t.sub_a, t.dist, app.root] {
            let r = app
                .admin()
                .subscriptions()
                .create(org, body("M365_E5", 1, &day(30)))
                .await;
            assert_eq!(r.status, 404, "create on {org}: {}", r.text);
            assert_eq!(r.code(), Some("not_found"));
            let r = app.admin().subscriptions().list(org, "").await;
            assert_eq!(r.status, 404, "list on {org}: {}", r.text);
        }
        let r = app.admin().subscriptions().in_subtree(app.root, "").await;
        assert_eq!(ids(&r), vec![id], "nothing was created anywhere");

        // The reseller's own admin may.
        let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
        let r = app
            .as_(&admin_a)
            .subscriptions()
            .create(t.customer_a2, body("M365_E5", 1, &day(30)))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
);

both_backends!(
    a_renewal_date_is_refused_or_filtered_in_its_true_order,
    |app| async move {
        let t = app.tree().await;
        // Far-off years are either refused, naming the field, or kept and then
        // filtered by date like any other (never by their text).
        for (date, before_2027) in [("+10000-01-01", false), ("-0001-01-01", true), ("0000-01-01", true)] {
            let r = app
                .admin()
                .subscriptions()
                .create(t.customer_a, body("SKU_X", 1, date))
                .await;
            if r.status == 422 {
                assert_eq!(r.error_field(), Some("renews_on"), "{date}: {}", r.text);
                continue;
            }
            assert_eq!(r.status, 201, "{date}: {}", r.text);
            let id = r.id();
            let listed = ids(&app
                .admin()
                .subscriptions()
                .list(t.customer_a, "?renews_before=2027-01-01")
                .await);
            assert_eq!(
                listed.contains(&id),
                before_2027,
                "a subscription renewing on {date} {} renew before 2027-01-01",
                if before_2027 { "does" } else { "does not" }
            );
            acted(&app, id, "cancel").await;
        }
    }
);
