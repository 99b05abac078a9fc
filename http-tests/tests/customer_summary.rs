//! The customer summary over HTTP: `GET /v1/organizations/{id}/customers` lists
//! the customers (never partners) below an organisation, each with its seats
//! purchased and assigned over live (active and suspended) subscriptions, its
//! earliest renewal and its distinct SKUs, sorted; cancelled subscriptions do not
//! count; customers without subscriptions show zeros. Scope, roles and pages.

use std::collections::{BTreeMap, HashSet};

use domain::Role;
use http_tests::{both_backends, paths, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::subscriptions::{acted, day, patched, seats};

/// What the summary shows for one customer.
#[derive(Debug, PartialEq, Eq)]
struct Summary {
    purchased: i64,
    assigned: i64,
    next_renewal: Option<String>,
    skus: Vec<String>,
}

fn summary(purchased: i64, assigned: i64, next_renewal: Option<String>, skus: &[&str]) -> Summary {
    Summary {
        purchased,
        assigned,
        next_renewal,
        skus: skus.iter().map(|s| s.to_string()).collect(),
    }
}

fn read_summary(item: &Value) -> Summary {
    Summary {
        purchased: item["seats_purchased"].as_i64().unwrap(),
        assigned: item["seats_assigned"].as_i64().unwrap(),
        next_renewal: item["next_renewal"].as_str().map(str::to_owned),
        skus: item["skus"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect(),
    }
}

/// One page at `path` as `token`: the items by name.
async fn by_name(app: &TestApp, token: &str, org: Uuid, query: &str) -> BTreeMap<String, Summary> {
    let r = app.as_(token).customers().list(org, query).await;
    assert_eq!(
        r.status,
        200,
        "{}{query}: {}",
        paths::of_organization(org, "customers"),
        r.text
    );
    let items = r.body["items"].as_array().unwrap();
    for i in items {
        assert_eq!(i["kind"], "customer", "only customers: {i}");
    }
    let map: BTreeMap<String, Summary> = items
        .iter()
        .map(|i| (i["name"].as_str().unwrap().to_string(), read_summary(i)))
        .collect();
    assert_eq!(map.len(), items.len(), "no duplicates");
    map
}

both_backends!(
    seats_renewal_and_skus_sum_live_subscriptions_per_customer,
    |app| async move {
        let t = app.tree().await;
        let b_sku = seats(&app, t.customer_a, "SKU_B", 10, 4, 50).await;
        let a_early = seats(&app, t.customer_a, "SKU_A", 5, 5, 20).await;
        let a_suspended = seats(&app, t.customer_a, "SKU_A", 3, 1, 80).await;
        let c_cancelled = seats(&app, t.customer_a, "SKU_C", 100, 50, 5).await;
        acted(&app, a_suspended, "suspend").await;
        acted(&app, c_cancelled, "cancel").await;
        let d = seats(&app, t.customer_b, "SKU_D", 7, 3, 12).await;

        let r = app.admin().customers().list(t.dist, "").await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["next_cursor"], Value::Null);
        let a = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == "Customer A")
            .unwrap();
        // Each item is the customer itself, with its summary.
        assert_eq!(a["id"], t.customer_a.to_string());
        assert_eq!(a["parent_id"], t.reseller_a.to_string());
        assert!(a["primary_domain"].as_str().unwrap().ends_with(".onmicrosoft.com"));
        assert!(a["partner_path"].as_array().unwrap().len() >= 2);

        let expected = BTreeMap::from([
            (
                "Customer A".to_string(),
                // 10 + 5 + 3 purchased (the cancelled 100 not), 4 + 5 + 1 assigned;
                // the cancelled one renews earliest but does not count.
                summary(18, 10, Some(day(20)), &["SKU_A", "SKU_B"]),
            ),
            ("Customer A2".to_string(), summary(0, 0, None, &[])),
            ("Customer B".to_string(), summary(7, 3, Some(day(12)), &["SKU_D"])),
        ]);
        assert_eq!(by_name(&app, &app.admin_token, t.dist, "").await, expected);
        assert_eq!(by_name(&app, &app.admin_token, app.root, "").await, expected);

        // The summary follows changes.
        patched(&app, b_sku, json!({"quantity": 12, "assigned": 6})).await;
        acted(&app, a_early, "cancel").await;
        acted(&app, d, "cancel").await;
        let now = by_name(&app, &app.admin_token, t.dist, "").await;
        assert_eq!(now["Customer A"], summary(15, 7, Some(day(50)), &["SKU_A", "SKU_B"]));
        assert_eq!(now["Customer B"], summary(0, 0, None, &[]));
        acted(&app, a_suspended, "cancel").await;
        let now = by_name(&app, &app.admin_token, t.dist, "").await;
        assert_eq!(now["Customer A"], summary(12, 6, Some(day(50)), &["SKU_B"]));
    }
);

both_backends!(the_summary_is_scoped_filtered_and_paged, |app| async move {
    let t = app.tree().await;
    seats(&app, t.customer_a, "SKU_A", 2, 1, 10).await;
    seats(&app, t.customer_b, "SKU_B", 9, 9, 10).await;

    // A reseller's people see their own customers only.
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let (_, viewer_a) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
    for token in [&admin_a, &viewer_a] {
        let mine = by_name(&app, token, t.reseller_a, "").await;
        assert_eq!(
            mine.keys().cloned().collect::<Vec<_>>(),
            vec!["Customer A", "Customer A2"]
        );
        assert_eq!(mine["Customer A"], summary(2, 1, Some(day(10)), &["SKU_A"]));
        let deeper = by_name(&app, token, t.sub_a, "").await;
        assert_eq!(deeper.keys().cloned().collect::<Vec<_>>(), vec!["Customer A2"]);
        for org in [t.dist, t.reseller_b, t.customer_b, app.root, Uuid::now_v7()] {
            let r = app.as_(token).customers().list(org, "").await;
            assert_eq!(r.status, 404, "{org}: {}", r.text);
        }
    }

    // Pages: eight customers below reseller A, three a page, each with its own seats.
    let mut expected: BTreeMap<String, i64> =
        BTreeMap::from([("Customer A".to_string(), 2), ("Customer A2".to_string(), 0)]);
    for i in 1..=6i64 {
        let parent = if i % 2 == 0 { t.sub_a } else { t.reseller_a };
        let name = format!("Paged {i}");
        let id = app.create(&app.admin_token, parent, "customer", &name).await;
        seats(&app, id, &format!("SKU_{i}"), i * 10, i, 30 + i).await;
        expected.insert(name, i * 10);
    }
    let mut seen: Vec<String> = Vec::new();
    let mut got: BTreeMap<String, i64> = BTreeMap::new();
    let mut sizes = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("?limit=3&cursor={c}"),
            None => "?limit=3".to_string(),
        };
        let r = app.as_(&admin_a).customers().list(t.reseller_a, &query).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let items = r.body["items"].as_array().unwrap();
        sizes.push(items.len());
        for i in items {
            let name = i["name"].as_str().unwrap().to_string();
            seen.push(name.clone());
            got.insert(name, i["seats_purchased"].as_i64().unwrap());
        }
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(sizes, vec![3, 3, 2]);
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        seen.len(),
        "duplicates: {seen:?}"
    );
    assert_eq!(got, expected, "every customer once, with its own seats");

    // Archived customers are listed only when asked for.
    let r = app.admin().organizations().archive(t.customer_a).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let live = by_name(&app, &admin_a, t.reseller_a, "").await;
    assert_eq!(live.len(), 7);
    assert!(!live.contains_key("Customer A"));
    let archived = by_name(&app, &admin_a, t.reseller_a, "?status=archived").await;
    assert_eq!(
        archived.into_iter().collect::<Vec<_>>(),
        vec![("Customer A".to_string(), summary(2, 1, Some(day(10)), &["SKU_A"]))]
    );
    let found = by_name(&app, &admin_a, t.reseller_a, "?q=paged%203").await;
    assert_eq!(found.keys().cloned().collect::<Vec<_>>(), vec!["Paged 3"]);

    for query in ["limit=0", "limit=501", "cursor=garbage", "status=gone"] {
        let r = app
            .as_(&admin_a)
            .customers()
            .list(t.reseller_a, &format!("?{query}"))
            .await;
        assert_eq!(r.status, 422, "{query}: {}", r.text);
    }
});
