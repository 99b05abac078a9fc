//! Rule 3 (pages by kind): a partner's callers list customers and their own child
//! partners; a distributor's list partners and customers; the provider's list
//! everything. Asking `children` or `descendants` for a kind your organisation's
//! kind does not list is 403 `page_not_available`.

use domain::Role;
use http_tests::{both_backends, Reply, TestApp};
use uuid::Uuid;

async fn list(app: &TestApp, token: &str, org: Uuid, which: &str, kind: &str) -> Reply {
    let query = format!("?kind={kind}&limit=500");
    let organizations = app.as_(token).organizations();
    if which == "children" {
        organizations.children(org, &query).await
    } else {
        organizations.descendants(org, &query).await
    }
}

/// The sorted names of a 200 list.
async fn names(app: &TestApp, token: &str, org: Uuid, which: &str, kind: &str) -> Vec<String> {
    let r = list(app, token, org, which, kind).await;
    assert_eq!(r.status, 200, "{which}?kind={kind}: {}", r.text);
    let mut n = r.names();
    n.sort();
    n
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn assert_not_available(r: &Reply, what: &str) {
    assert_eq!(r.status, 403, "{what}: {}", r.text);
    assert_eq!(r.code(), Some("page_not_available"), "{what}: {}", r.text);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{what}"
    );
    assert!(r.body["items"].is_null(), "{what}: no list in a refusal");
}

/// The harness tree plus a customer directly under the distributor and a partner
/// directly under the provider, so every list below has something in it.
async fn setup(app: &TestApp) -> (http_tests::Tree, Uuid, Uuid) {
    let t = app.tree().await;
    let dist_customer = app.create(&app.admin_token, t.dist, "customer", "Dist Customer").await;
    let direct_partner = app
        .create(&app.admin_token, app.root, "partner", "Direct Partner")
        .await;
    (t, dist_customer, direct_partner)
}

both_backends!(
    a_partners_callers_list_customers_and_partners_not_distributors,
    |app| async move {
        let (t, _, _) = setup(&app).await;
        let (_, viewer) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
        let (_, admin) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
        for token in [&viewer, &admin] {
            assert_eq!(
                names(&app, token, t.reseller_a, "descendants", "customer").await,
                strings(&["Customer A", "Customer A2"])
            );
            assert_eq!(
                names(&app, token, t.reseller_a, "descendants", "partner").await,
                strings(&["Sub A"])
            );
            assert_eq!(
                names(&app, token, t.reseller_a, "children", "customer").await,
                strings(&["Customer A"])
            );
            assert_eq!(
                names(&app, token, t.reseller_a, "children", "partner").await,
                strings(&["Sub A"])
            );
            assert_eq!(
                names(&app, token, t.sub_a, "children", "customer").await,
                strings(&["Customer A2"])
            );
            for which in ["descendants", "children"] {
                for org in [t.reseller_a, t.sub_a] {
                    let r = list(&app, token, org, which, "distributor").await;
                    assert_not_available(&r, &format!("partner caller, {which}?kind=distributor"));
                }
            }
        }
        // Without a kind filter the partner's own page works and holds no distributor.
        let r = app.as_(&viewer).organizations().descendants(t.reseller_a, "").await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.names().len(), 3);
        // The refusal is the same for an organisation out of scope and for a random id: no leak.
        let hidden = list(&app, &viewer, t.reseller_b, "children", "distributor").await;
        let absent = list(&app, &viewer, Uuid::now_v7(), "children", "distributor").await;
        assert_eq!(hidden.status, absent.status);
        assert_eq!(hidden.text, absent.text);
        // A kind the partner may list, out of scope, is still a plain 404.
        let r = list(&app, &viewer, t.reseller_b, "children", "customer").await;
        assert_eq!(r.status, 404, "{}", r.text);
    }
);

both_backends!(
    a_distributors_callers_list_partners_and_customers_not_distributors,
    |app| async move {
        let (t, _, _) = setup(&app).await;
        let (_, viewer) = app.operator(t.dist, "viewer@northwind.example", &[Role::Viewer]);
        let (_, admin) = app.operator(t.dist, "admin@northwind.example", &[Role::Admin]);
        for token in [&viewer, &admin] {
            assert_eq!(
                names(&app, token, t.dist, "descendants", "partner").await,
                strings(&["Reseller A", "Reseller B", "Sub A"])
            );
            assert_eq!(
                names(&app, token, t.dist, "descendants", "customer").await,
                strings(&["Customer A", "Customer A2", "Customer B", "Dist Customer"])
            );
            assert_eq!(
                names(&app, token, t.dist, "children", "partner").await,
                strings(&["Reseller A", "Reseller B"])
            );
            assert_eq!(
                names(&app, token, t.dist, "children", "customer").await,
                strings(&["Dist Customer"])
            );
            // Also lower down its subtree.
            assert_eq!(
                names(&app, token, t.reseller_b, "children", "customer").await,
                strings(&["Customer B"])
            );
            for which in ["descendants", "children"] {
                for org in [t.dist, t.reseller_a] {
                    let r = list(&app, token, org, which, "distributor").await;
                    assert_not_available(&r, &format!("distributor caller, {which}?kind=distributor"));
                }
            }
        }
    }
);

both_backends!(the_providers_callers_list_every_kind, |app| async move {
    let (t, _, _) = setup(&app).await;
    let (_, viewer) = app.operator(app.root, "viewer@contoso-cloud.example", &[Role::Viewer]);
    for token in [&viewer, &app.admin_token] {
        assert_eq!(
            names(&app, token, app.root, "descendants", "distributor").await,
            strings(&["Northwind Distribution"])
        );
        assert_eq!(
            names(&app, token, app.root, "descendants", "partner").await,
            strings(&["Direct Partner", "Reseller A", "Reseller B", "Sub A"])
        );
        assert_eq!(
            names(&app, token, app.root, "descendants", "customer").await,
            strings(&["Customer A", "Customer A2", "Customer B", "Dist Customer"])
        );
        assert_eq!(
            names(&app, token, app.root, "children", "distributor").await,
            strings(&["Northwind Distribution"])
        );
        assert_eq!(
            names(&app, token, app.root, "children", "partner").await,
            strings(&["Direct Partner"])
        );
        assert_eq!(
            names(&app, token, app.root, "children", "customer").await,
            Vec::<String>::new()
        );
        assert_eq!(
            names(&app, token, t.dist, "children", "customer").await,
            strings(&["Dist Customer"])
        );
        // The distributor kind is listable anywhere in the provider's scope.
        assert_eq!(
            names(&app, token, t.dist, "descendants", "distributor").await,
            Vec::<String>::new()
        );
    }
});
