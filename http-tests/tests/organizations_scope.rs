//! Rule 1 (scope) and rule 2 (roles) through HTTP: a caller sees its home and
//! everything below, never above or beside; out of scope is 404 exactly like a
//! record that does not exist; in scope without the role is 403.

use domain::Role;
use http_tests::{both_backends, paths, TestApp};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

/// Every organisation endpoint for `id`, as (method, path, body).
fn endpoints(id: Uuid, other: Uuid) -> Vec<(&'static str, String, Option<serde_json::Value>)> {
    vec![
        ("GET", paths::organization(id), None),
        ("PATCH", paths::organization(id), Some(json!({"name": "Renamed"}))),
        ("GET", paths::of_organization(id, "children"), None),
        ("GET", paths::of_organization(id, "descendants"), None),
        (
            "POST",
            paths::of_organization(id, "move"),
            Some(json!({"parent_id": other})),
        ),
        ("POST", paths::of_organization(id, "suspend"), None),
        ("POST", paths::of_organization(id, "reactivate"), None),
        ("POST", paths::of_organization(id, "archive"), None),
    ]
}

async fn call(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> http_tests::Reply {
    let caller = app.as_(token);
    let method = Method::from_bytes(method.as_bytes()).expect("method");
    let req = caller.request(method, path);
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    caller.send(req).await
}

both_backends!(viewer_lists_only_its_own_subtree, |app| async move {
    let t = app.tree().await;
    let (_, viewer) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
    let r = app.as_(&viewer).organizations().descendants(t.reseller_a, "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut names = r.names();
    names.sort();
    assert_eq!(names, vec!["Customer A", "Customer A2", "Sub A"]);
    // Its partner paths start at its own home, never above it.
    for item in r.body["items"].as_array().unwrap() {
        assert_eq!(item["partner_path"][0]["name"], "Reseller A");
    }
    // Above and beside are invisible.
    for id in [app.root, t.dist, t.reseller_b, t.customer_b] {
        let r = app.as_(&viewer).organizations().descendants(id, "").await;
        assert_eq!(r.status, 404, "{id}");
    }
});

both_backends!(
    siblings_customer_is_404_on_every_endpoint_like_a_random_id,
    |app| async move {
        let t = app.tree().await;
        let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
        let random = Uuid::now_v7();
        for ((method, path, body), (_, random_path, random_body)) in endpoints(t.customer_b, t.sub_a)
            .into_iter()
            .zip(endpoints(random, t.sub_a))
        {
            let hidden = call(&app, &admin_a, method, &path, body).await;
            let absent = call(&app, &admin_a, method, &random_path, random_body).await;
            assert_eq!(hidden.status, 404, "{method} {path}: {}", hidden.text);
            assert_eq!(hidden.text, absent.text, "{method}: the body must not reveal existence");
            assert_eq!(
                hidden.header("content-type").as_deref(),
                Some("application/problem+json")
            );
        }
        // Nothing changed on the hidden customer.
        let r = app.admin().organizations().get(t.customer_b).await;
        assert_eq!(r.body["name"], "Customer B");
        assert_eq!(r.body["status"], "pending");
    }
);

both_backends!(viewer_create_is_403_but_invisible_parent_is_404, |app| async move {
    let t = app.tree().await;
    let (_, viewer) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
    let body = |parent: Uuid| json!({"parent_id": parent, "kind": "partner", "name": "New"});
    let r = app.as_(&viewer).organizations().create(body(t.reseller_a)).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.code(), Some("forbidden"));
    let r = app.as_(&viewer).organizations().create(body(t.reseller_b)).await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.error_field(), Some("parent_id"));
    // Viewers change nothing in scope either.
    for (method, path, body) in endpoints(t.sub_a, t.reseller_a)
        .into_iter()
        .filter(|(m, _, _)| *m != "GET")
    {
        let r = call(&app, &viewer, method, &path, body).await;
        assert_eq!(r.status, 403, "{method} {path}: {}", r.text);
    }
    let r = app.as_(&viewer).organizations().children(t.reseller_a, "").await;
    assert_eq!(r.names().len(), 2, "nothing was created");
});

both_backends!(admin_of_a_reseller_acts_within_its_subtree, |app| async move {
    let t = app.tree().await;
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let id = app.create(&admin_a, t.sub_a, "customer", "Deep Customer").await;
    let r = app.as_(&admin_a).organizations().get(id).await;
    assert_eq!(r.status, 200);
    let path: Vec<&str> = r.body["partner_path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(path, vec!["Reseller A", "Sub A", "Deep Customer"]);
    // The provider's admin sees the full path from the root.
    let r = app.admin().organizations().get(id).await;
    assert_eq!(r.body["partner_path"].as_array().unwrap().len(), 5);
});
