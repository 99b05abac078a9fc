//! Listing organisations through HTTP: direct children and whole subtrees, their
//! filters (kind, status, name search), and cursor pagination (complete, without
//! duplicates, in a stable order; bad parameters name themselves in a 422).

use std::collections::{HashMap, HashSet};

use http_tests::{both_backends, paths, Reply, TestApp};
use reqwest::Method;
use uuid::Uuid;

/// GET `path` with query parameters, properly encoded, as the provider admin.
async fn list(app: &TestApp, path: &str, query: &[(&str, &str)]) -> Reply {
    let admin = app.admin();
    admin.send(admin.request(Method::GET, path).query(query)).await
}

async fn names(app: &TestApp, path: &str, query: &[(&str, &str)]) -> Vec<String> {
    let r = list(app, path, query).await;
    assert_eq!(r.status, 200, "{path} {query:?}: {}", r.text);
    r.names()
}

fn ids(r: &Reply) -> Vec<Uuid> {
    r.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| Uuid::try_parse(i["id"].as_str().unwrap()).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

fn children(id: Uuid) -> String {
    paths::of_organization(id, "children")
}

fn descendants(id: Uuid) -> String {
    paths::of_organization(id, "descendants")
}

fn activate(app: &TestApp, id: Uuid) {
    change_status(app, id, domain::StatusChange::Activate);
}

fn change_status(app: &TestApp, id: Uuid, change: domain::StatusChange) {
    let root_path = app.store.organization(app.root).unwrap().unwrap().path;
    app.store
        .change_organization_status(
            &root_path,
            id,
            change,
            &persistence::AuditEntry::by(persistence::Actor::System),
        )
        .expect("status change");
}

/// Follows `next_cursor` from the first page to the last; returns every id in
/// order and the number of pages.
async fn walk(app: &TestApp, path: &str, limit: usize) -> (Vec<Uuid>, usize) {
    let limit_s = limit.to_string();
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut query = vec![("limit", limit_s.as_str())];
        if let Some(c) = cursor.as_deref() {
            query.push(("cursor", c));
        }
        let r = list(app, path, &query).await;
        assert_eq!(r.status, 200, "page {pages}: {}", r.text);
        pages += 1;
        let page = ids(&r);
        assert!(page.len() <= limit, "page {pages} has {} items", page.len());
        all.extend(page.iter().copied());
        match r.body["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(page.len(), limit, "only the last page may be short");
                cursor = Some(c.to_string());
            }
            None => {
                assert!(r.body["next_cursor"].is_null(), "{}", r.text);
                break;
            }
        }
        assert!(pages <= 100, "pagination does not end");
    }
    (all, pages)
}

both_backends!(
    children_are_direct_only_and_filter_by_kind_and_status,
    |app| async move {
        let t = app.tree().await;
        let dist_customer = app.create(&app.admin_token, t.dist, "customer", "Dist Customer").await;
        assert_eq!(
            names(&app, &children(t.dist), &[]).await,
            vec!["Reseller A", "Reseller B", "Dist Customer"],
            "oldest first"
        );
        assert_eq!(
            names(&app, &children(t.dist), &[("kind", "customer")]).await,
            vec!["Dist Customer"]
        );
        assert_eq!(
            names(&app, &children(t.dist), &[("kind", "partner")]).await,
            vec!["Reseller A", "Reseller B"]
        );
        assert!(names(&app, &children(t.dist), &[("kind", "distributor")])
            .await
            .is_empty());
        // Direct children only: Customer A2 sits below Sub A.
        assert_eq!(
            names(&app, &children(t.reseller_a), &[]).await,
            vec!["Sub A", "Customer A"]
        );
        assert_eq!(
            names(&app, &children(t.reseller_a), &[("kind", "customer")]).await,
            vec!["Customer A"]
        );

        activate(&app, t.reseller_b);
        activate(&app, dist_customer);
        assert_eq!(
            names(&app, &children(t.dist), &[("status", "active")]).await,
            vec!["Reseller B", "Dist Customer"]
        );
        assert_eq!(
            names(&app, &children(t.dist), &[("status", "pending")]).await,
            vec!["Reseller A"]
        );
        assert_eq!(
            names(&app, &children(t.dist), &[("status", "active"), ("kind", "partner")]).await,
            vec!["Reseller B"]
        );
        assert!(names(&app, &children(t.dist), &[("status", "suspended")])
            .await
            .is_empty());
        // A customer has no children; the list is empty, not an error.
        assert!(names(&app, &children(t.customer_a), &[]).await.is_empty());
        // Every item carries its partner path.
        let r = list(&app, &children(t.dist), &[("kind", "customer")]).await;
        assert_eq!(r.body["items"][0]["partner_path"].as_array().unwrap().len(), 3);
        assert!(r.body["next_cursor"].is_null());
    }
);

both_backends!(descendants_filter_by_kind_status_and_name, |app| async move {
    let t = app.tree().await;
    let root = descendants(app.root);
    assert_eq!(
        names(&app, &root, &[]).await,
        vec![
            "Northwind Distribution",
            "Reseller A",
            "Sub A",
            "Customer A2",
            "Customer A",
            "Reseller B",
            "Customer B"
        ],
        "tree order: each organisation directly before its own subtree"
    );
    assert_eq!(
        names(&app, &root, &[("kind", "customer")]).await,
        vec!["Customer A2", "Customer A", "Customer B"]
    );
    assert_eq!(
        names(&app, &root, &[("kind", "partner")]).await,
        vec!["Reseller A", "Sub A", "Reseller B"]
    );
    assert_eq!(
        names(&app, &root, &[("kind", "distributor")]).await,
        vec!["Northwind Distribution"]
    );
    assert!(
        names(&app, &root, &[("kind", "provider")]).await.is_empty(),
        "the list excludes its own root"
    );
    // The subtree of one reseller only.
    assert_eq!(
        names(&app, &descendants(t.reseller_a), &[]).await,
        vec!["Sub A", "Customer A2", "Customer A"]
    );

    activate(&app, t.sub_a);
    activate(&app, t.customer_b);
    assert_eq!(
        names(&app, &root, &[("status", "active")]).await,
        vec!["Sub A", "Customer B"]
    );
    assert_eq!(
        names(&app, &root, &[("status", "active"), ("kind", "customer")]).await,
        vec!["Customer B"]
    );
    assert_eq!(
        names(&app, &root, &[("status", "pending"), ("kind", "partner")]).await,
        vec!["Reseller A", "Reseller B"]
    );

    // Name search: case-insensitive substring.
    assert_eq!(
        names(&app, &root, &[("q", "RESELLER")]).await,
        vec!["Reseller A", "Reseller B"]
    );
    assert_eq!(names(&app, &root, &[("q", "reseller b")]).await, vec!["Reseller B"]);
    assert_eq!(
        names(&app, &root, &[("q", "wind")]).await,
        vec!["Northwind Distribution"]
    );
    assert_eq!(
        names(&app, &root, &[("q", "customer a")]).await,
        vec!["Customer A2", "Customer A"]
    );
    assert_eq!(
        names(&app, &root, &[("q", "A"), ("kind", "customer")]).await,
        vec!["Customer A2", "Customer A"]
    );
    assert_eq!(
        names(&app, &root, &[("q", "b"), ("status", "active")]).await,
        vec!["Sub A", "Customer B"]
    );
    assert!(names(&app, &root, &[("q", "nobody")]).await.is_empty());
    // Search stays inside the subtree asked for.
    assert_eq!(
        names(&app, &descendants(t.reseller_b), &[("q", "customer")]).await,
        vec!["Customer B"]
    );
    // Non-ASCII names fold case too.
    app.create(&app.admin_token, t.dist, "partner", "École Numérique").await;
    assert_eq!(names(&app, &root, &[("q", "ÉCOLE")]).await, vec!["École Numérique"]);
});

both_backends!(like_wildcards_in_q_are_literal, |app| async move {
    let dist = app.create(&app.admin_token, app.root, "distributor", "Wildcards").await;
    for name in [
        "100% Cloud",
        "100 Percent Cloud",
        "A_B Networks",
        "AxB Networks",
        "Back\\slash IT",
        "Plain IT",
    ] {
        app.create(&app.admin_token, dist, "partner", name).await;
    }
    let path = descendants(dist);
    assert_eq!(names(&app, &path, &[("q", "%")]).await, vec!["100% Cloud"]);
    assert_eq!(names(&app, &path, &[("q", "100%")]).await, vec!["100% Cloud"]);
    assert_eq!(names(&app, &path, &[("q", "_")]).await, vec!["A_B Networks"]);
    assert_eq!(names(&app, &path, &[("q", "a_b")]).await, vec!["A_B Networks"]);
    assert_eq!(names(&app, &path, &[("q", "\\")]).await, vec!["Back\\slash IT"]);
    assert!(names(&app, &path, &[("q", "%%")]).await.is_empty());
    assert!(names(&app, &path, &[("q", "x_b_")]).await.is_empty());
    // The wildcards still work as text inside ordinary searches.
    assert_eq!(
        names(&app, &path, &[("q", "networks")]).await,
        vec!["A_B Networks", "AxB Networks"]
    );
});

both_backends!(
    archived_organisations_are_left_out_of_subtrees_unless_asked_for,
    |app| async move {
        let t = app.tree().await;
        change_status(&app, t.customer_b, domain::StatusChange::Archive);
        change_status(&app, t.customer_a2, domain::StatusChange::Archive);
        let root = descendants(app.root);
        let all = names(&app, &root, &[]).await;
        assert!(!all.contains(&"Customer B".to_string()), "{all:?}");
        assert!(!all.contains(&"Customer A2".to_string()), "{all:?}");
        assert_eq!(all.len(), 5, "{all:?}");
        assert!(names(&app, &descendants(t.reseller_b), &[]).await.is_empty());
        assert!(names(&app, &root, &[("q", "customer b")]).await.is_empty());
        assert_eq!(names(&app, &root, &[("kind", "customer")]).await, vec!["Customer A"]);
        // Asked for, they are there.
        assert_eq!(
            names(&app, &root, &[("status", "archived")]).await,
            vec!["Customer A2", "Customer B"]
        );
        assert_eq!(
            names(&app, &root, &[("status", "archived"), ("q", "a2")]).await,
            vec!["Customer A2"]
        );
        assert_eq!(
            names(&app, &descendants(t.reseller_b), &[("status", "archived")]).await,
            vec!["Customer B"]
        );
        // Children lists every status unless filtered; archived records stay readable.
        assert_eq!(names(&app, &children(t.reseller_b), &[]).await, vec!["Customer B"]);
        assert!(names(&app, &children(t.reseller_b), &[("status", "pending")])
            .await
            .is_empty());
        let r = app.admin().organizations().get(t.customer_b).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["status"], "archived");
    }
);

both_backends!(
    descendant_pages_cover_the_subtree_once_in_tree_order,
    |app| async move {
        let t = &app.admin_token;
        // (id, parent) of every organisation created, in creation order.
        let mut made: Vec<(Uuid, Uuid)> = Vec::new();
        let d1 = app.create(t, app.root, "distributor", "D1").await;
        made.push((d1, app.root));
        let r1 = app.create(t, app.root, "partner", "R1").await;
        made.push((r1, app.root));
        let d2 = app.create(t, app.root, "distributor", "D2").await;
        made.push((d2, app.root));
        // Interleave levels so that creation order differs from tree order.
        let mut partners = Vec::new();
        for i in 0..4 {
            let parent = if i % 2 == 0 { d1 } else { d2 };
            let p = app.create(t, parent, "partner", &format!("P{i}")).await;
            made.push((p, parent));
            partners.push(p);
            let c = app.create(t, r1, "customer", &format!("RC{i}")).await;
            made.push((c, r1));
        }
        for (i, &p) in partners.iter().enumerate() {
            let sub = app.create(t, p, "partner", &format!("S{i}")).await;
            made.push((sub, p));
            let c = app.create(t, sub, "customer", &format!("SC{i}")).await;
            made.push((c, sub));
            let c = app.create(t, p, "customer", &format!("PC{i}")).await;
            made.push((c, p));
        }
        let r2 = app.create(t, app.root, "partner", "R2").await;
        made.push((r2, app.root));
        let c = app.create(t, d1, "customer", "DC").await;
        made.push((c, d1));
        assert_eq!(made.len(), 25);

        // The expected tree order: depth-first, each node before its subtree, siblings oldest (lowest id) first.
        let mut kids: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for &(id, parent) in &made {
            kids.entry(parent).or_default().push(id);
        }
        let mut expected = Vec::new();
        let mut stack = vec![app.root];
        while let Some(n) = stack.pop() {
            if n != app.root {
                expected.push(n);
            }
            let mut ks = kids.get(&n).cloned().unwrap_or_default();
            ks.sort();
            stack.extend(ks.into_iter().rev());
        }

        let path = descendants(app.root);
        let (paged, pages) = walk(&app, &path, 7).await;
        assert_eq!(pages, 4, "25 items in pages of 7");
        let unique: HashSet<Uuid> = paged.iter().copied().collect();
        assert_eq!(unique.len(), paged.len(), "no duplicates across pages");
        let all: HashSet<Uuid> = made.iter().map(|(id, _)| *id).collect();
        assert_eq!(unique, all, "no gaps: the pages together are the whole subtree");
        assert_eq!(paged, expected, "tree order");
        // The same order as one big page, and the same again on a second walk.
        let one = list(&app, &path, &[("limit", "500")]).await;
        assert_eq!(ids(&one), paged);
        assert!(one.body["next_cursor"].is_null());
        assert_eq!(walk(&app, &path, 7).await.0, paged, "stable");
        // Other page sizes agree, including 1 and an exact fit.
        assert_eq!(walk(&app, &path, 1).await.0, paged);
        assert_eq!(walk(&app, &path, 5).await, (paged.clone(), 5));
        // Filters page too.
        let (customers, _) = walk(&app, &format!("{path}?kind=customer"), 3).await;
        let expected_customers: Vec<Uuid> = {
            let r = list(&app, &path, &[("kind", "customer"), ("limit", "500")]).await;
            ids(&r)
        };
        assert_eq!(customers.len(), 13);
        assert_eq!(customers, expected_customers);
    }
);

both_backends!(children_pages_cover_every_child_once_oldest_first, |app| async move {
    let hub = app.create(&app.admin_token, app.root, "distributor", "Hub").await;
    let mut made = Vec::new();
    for i in 0..17 {
        let kind = if i % 3 == 0 { "customer" } else { "partner" };
        made.push(app.create(&app.admin_token, hub, kind, &format!("Child{i}")).await);
    }
    let mut expected = made.clone();
    expected.sort();
    let (paged, pages) = walk(&app, &children(hub), 4).await;
    assert_eq!(pages, 5);
    assert_eq!(paged.iter().copied().collect::<HashSet<_>>().len(), 17, "no duplicates");
    assert_eq!(paged, expected, "every child once, oldest first");
    assert_eq!(paged, made, "ids are time-ordered: creation order");
    let (partners, _) = walk(&app, &format!("{}?kind=partner", children(hub)), 4).await;
    assert_eq!(partners.len(), 11);
    assert!(partners.windows(2).all(|w| w[0] < w[1]));
});

both_backends!(
    out_of_range_or_malformed_limits_are_422_naming_limit,
    |app| async move {
        for path in [children(app.root), descendants(app.root)] {
            for bad in ["0", "501", "abc", "-1", "1.5", "99999999999999999999", ""] {
                let r = list(&app, &path, &[("limit", bad)]).await;
                assert_eq!(r.status, 422, "{path} limit={bad}: {}", r.text);
                assert_eq!(r.error_field(), Some("limit"), "{path} limit={bad}: {}", r.text);
                assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
            }
            for ok in ["1", "500"] {
                let r = list(&app, &path, &[("limit", ok)]).await;
                assert_eq!(r.status, 200, "{path} limit={ok}: {}", r.text);
            }
        }
    }
);

both_backends!(foreign_or_garbage_cursors_are_422_naming_cursor, |app| async move {
    let t = app.tree().await;
    let r = list(&app, &children(t.dist), &[("limit", "1")]).await;
    let children_cursor = r.body["next_cursor"].as_str().expect("a children cursor").to_string();
    let r = list(&app, &descendants(t.dist), &[("limit", "1")]).await;
    let descendants_cursor = r.body["next_cursor"]
        .as_str()
        .expect("a descendants cursor")
        .to_string();
    // Each works where it came from.
    assert_eq!(
        list(&app, &children(t.dist), &[("cursor", &children_cursor)])
            .await
            .names(),
        vec!["Reseller B"]
    );
    assert_eq!(
        list(&app, &descendants(t.dist), &[("cursor", &descendants_cursor)])
            .await
            .names()
            .len(),
        5,
        "the rest of the subtree"
    );
    let cases = [
        (children(t.dist), "garbage!!".to_string()),
        (children(t.dist), "Z2FyYmFnZQ".to_string()), // base64 of "garbage"
        (descendants(t.dist), "garbage!!".to_string()),
        (descendants(t.dist), "Z2FyYmFnZQ".to_string()),
        (descendants(t.dist), children_cursor.clone()),
        (children(t.dist), descendants_cursor.clone()),
    ];
    for (path, cursor) in cases {
        let r = list(&app, &path, &[("cursor", cursor.as_str())]).await;
        assert_eq!(r.status, 422, "{path} cursor={cursor}: {}", r.text);
        assert_eq!(r.error_field(), Some("cursor"), "{}", r.text);
    }
});

both_backends!(unknown_filter_values_are_422_naming_the_filter, |app| async move {
    for path in [children(app.root), descendants(app.root)] {
        for (param, bad) in [
            ("kind", "bogus"),
            ("kind", "Customer"),
            ("status", "bogus"),
            ("status", ""),
        ] {
            let r = list(&app, &path, &[(param, bad)]).await;
            assert_eq!(r.status, 422, "{path} {param}={bad}: {}", r.text);
            assert_eq!(r.error_field(), Some(param), "{}", r.text);
        }
    }
    // An over-long search term is refused, not run.
    let long = "x".repeat(201);
    let r = list(&app, &descendants(app.root), &[("q", long.as_str())]).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("q"));
    let r = list(&app, &descendants(app.root), &[("q", "a\0b")]).await;
    assert_eq!(r.status, 422, "{}", r.text);
});
