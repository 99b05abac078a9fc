//! Service instances over HTTP: list, provision (201, Location), remove (204);
//! unique per (customer, service, region), also under a race, while the same
//! service in another region or for another customer is fine; removing frees the
//! triple again; slugs are validated field by field; only customers have
//! instances; viewers read but do not change; a sibling reseller sees nothing;
//! an instance names a catalogue service and one of its regions.

use domain::Role;
use http_tests::{both_backends, join2, Reply, TestApp};
use serde_json::json;
use uuid::Uuid;

async fn provision(app: &TestApp, token: &str, customer: Uuid, service: &str, region: &str) -> Reply {
    app.as_(token)
        .customers()
        .add_service_instance(customer, json!({"service": service, "region": region}))
        .await
}

/// Provisions as the provider's admin and returns the new id (asserting 201).
async fn provisioned(app: &TestApp, customer: Uuid, service: &str, region: &str) -> Uuid {
    let r = provision(app, &app.admin_token, customer, service, region).await;
    assert_eq!(r.status, 201, "{service}/{region}: {}", r.text);
    r.id()
}

async fn remove(app: &TestApp, token: &str, id: Uuid) -> Reply {
    app.as_(token).customers().delete_service_instance(id).await
}

/// The customer's live instances as (service, region), in the listed order.
async fn listed(app: &TestApp, token: &str, customer: Uuid) -> Vec<(String, String)> {
    let r = app.as_(token).customers().service_instances(customer).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["next_cursor"], serde_json::Value::Null);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["service"].as_str().unwrap().to_string(),
                i["region"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The catalogue every test here provisions from.
async fn catalogue(app: &TestApp) {
    let longest = "a".repeat(63);
    app.catalogue(&[
        ("call-manager", &["eu-west", "us-east", "ap-southeast"][..]),
        ("backup", &["eu-west"][..]),
        (longest.as_str(), &["eu-west"][..]),
    ])
    .await;
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(s, r)| (s.to_string(), r.to_string())).collect()
}

both_backends!(
    provision_list_and_remove_with_one_live_instance_per_triple,
    |app| async move {
        let t = app.tree().await;
        catalogue(&app).await;
        assert!(listed(&app, &app.admin_token, t.customer_a).await.is_empty());

        let r = provision(&app, &app.admin_token, t.customer_a, "call-manager", "eu-west").await;
        assert_eq!(r.status, 201, "{}", r.text);
        let first = r.id();
        assert_eq!(
            r.header("location").as_deref(),
            Some(format!("/v1/service-instances/{first}").as_str())
        );
        assert_eq!(r.body["customer_id"], t.customer_a.to_string());
        assert_eq!(r.body["service"], "call-manager");
        assert_eq!(r.body["region"], "eu-west");
        assert!(r.body["created_at"].as_str().is_some());

        // The same triple again: 409 naming `service`; the list is unchanged.
        let r = provision(&app, &app.admin_token, t.customer_a, "call-manager", "eu-west").await;
        assert_eq!(r.status, 409, "{}", r.text);
        assert_eq!(r.code(), Some("duplicate"));
        assert_eq!(r.error_field(), Some("service"));
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));

        // Another region, another service, another customer: all fine.
        provisioned(&app, t.customer_a, "call-manager", "us-east").await;
        provisioned(&app, t.customer_a, "backup", "eu-west").await;
        provisioned(&app, t.customer_b, "call-manager", "eu-west").await;
        assert_eq!(
            listed(&app, &app.admin_token, t.customer_a).await,
            pairs(&[
                ("call-manager", "eu-west"),
                ("call-manager", "us-east"),
                ("backup", "eu-west")
            ]),
            "oldest first"
        );
        assert_eq!(
            listed(&app, &app.admin_token, t.customer_b).await,
            pairs(&[("call-manager", "eu-west")])
        );

        // Remove, then remove again (404), then provision the triple anew.
        let r = remove(&app, &app.admin_token, first).await;
        assert_eq!(r.status, 204, "{}", r.text);
        assert_eq!(
            listed(&app, &app.admin_token, t.customer_a).await,
            pairs(&[("call-manager", "us-east"), ("backup", "eu-west")])
        );
        let r = remove(&app, &app.admin_token, first).await;
        assert_eq!(r.status, 404, "{}", r.text);
        assert_eq!(r.code(), Some("not_found"));
        let again = provisioned(&app, t.customer_a, "call-manager", "eu-west").await;
        assert_ne!(again, first, "a new instance, not the removed one");
        assert_eq!(
            listed(&app, &app.admin_token, t.customer_a).await,
            pairs(&[
                ("call-manager", "us-east"),
                ("backup", "eu-west"),
                ("call-manager", "eu-west")
            ])
        );
        // The other customer's instance was never touched.
        assert_eq!(listed(&app, &app.admin_token, t.customer_b).await.len(), 1);
    }
);

both_backends!(
    two_racing_provisions_of_one_triple_give_one_201_and_one_409,
    |app| async move {
        let t = app.tree().await;
        catalogue(&app).await;
        let (a, b) = join2(
            provision(&app, &app.admin_token, t.customer_a2, "call-manager", "ap-southeast"),
            provision(&app, &app.admin_token, t.customer_a2, "call-manager", "ap-southeast"),
        )
        .await;
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "{} / {}", a.text, b.text);
        let loser = if a.status == 409 { &a } else { &b };
        assert_eq!(loser.error_field(), Some("service"));
        assert_eq!(
            listed(&app, &app.admin_token, t.customer_a2).await,
            pairs(&[("call-manager", "ap-southeast")])
        );
    }
);

both_backends!(service_and_region_must_be_slugs, |app| async move {
    let t = app.tree().await;
    catalogue(&app).await;
    for (service, region, field) in [
        ("Call Manager", "eu-west", "service"),
        ("-call", "eu-west", "service"),
        ("", "eu-west", "service"),
        ("call_manager", "eu-west", "service"),
        ("call-manager", "EU-WEST", "region"),
        ("call-manager", "-x", "region"),
        ("call-manager", "eu west", "region"),
    ] {
        let r = provision(&app, &app.admin_token, t.customer_a, service, region).await;
        assert_eq!(r.status, 422, "{service}/{region}: {}", r.text);
        assert_eq!(r.code(), Some("validation_failed"));
        assert_eq!(r.error_field(), Some(field), "{service}/{region}: {}", r.text);
    }
    let r = provision(&app, &app.admin_token, t.customer_a, &"a".repeat(64), "eu-west").await;
    assert_eq!(r.status, 422, "64 characters: {}", r.text);
    assert_eq!(r.error_field(), Some("service"));
    // Both bad: both named.
    let r = provision(&app, &app.admin_token, t.customer_a, "Bad One", "Bad Two").await;
    assert_eq!(r.status, 422, "{}", r.text);
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["service", "region"]);
    // Missing or unknown fields.
    let r = app
        .admin()
        .customers()
        .add_service_instance(t.customer_a, json!({"service": "x"}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("region"));
    let r = app
        .admin()
        .customers()
        .add_service_instance(
            t.customer_a,
            json!({"service": "x", "region": "y", "customer_id": t.customer_b}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("customer_id"));
    // The longest slug is fine.
    provisioned(&app, t.customer_a, &"a".repeat(63), "eu-west").await;
    assert_eq!(listed(&app, &app.admin_token, t.customer_a).await.len(), 1);
});

both_backends!(only_customers_have_service_instances, |app| async move {
    let t = app.tree().await;
    catalogue(&app).await;
    for id in [t.reseller_a, t.dist, app.root, Uuid::now_v7()] {
        let r = app.admin().customers().service_instances(id).await;
        assert_eq!(r.status, 404, "list on {id}: {}", r.text);
        let r = provision(&app, &app.admin_token, id, "call-manager", "eu-west").await;
        assert_eq!(r.status, 404, "provision on {id}: {}", r.text);
        assert_eq!(r.code(), Some("not_found"));
    }
    let r = remove(&app, &app.admin_token, Uuid::now_v7()).await;
    assert_eq!(r.status, 404, "{}", r.text);
});

both_backends!(viewers_read_but_do_not_provision_or_remove, |app| async move {
    let t = app.tree().await;
    catalogue(&app).await;
    let id = provisioned(&app, t.customer_a2, "call-manager", "eu-west").await;
    let (_, viewer) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
    assert_eq!(
        listed(&app, &viewer, t.customer_a2).await,
        pairs(&[("call-manager", "eu-west")])
    );
    let r = provision(&app, &viewer, t.customer_a2, "backup", "eu-west").await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.code(), Some("forbidden"));
    let r = remove(&app, &viewer, id).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.code(), Some("forbidden"));
    assert_eq!(
        listed(&app, &app.admin_token, t.customer_a2).await,
        pairs(&[("call-manager", "eu-west")]),
        "nothing changed"
    );
    // An admin of the same reseller may.
    let (_, admin) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let r = provision(&app, &admin, t.customer_a2, "backup", "eu-west").await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = remove(&app, &admin, id).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        listed(&app, &viewer, t.customer_a2).await,
        pairs(&[("backup", "eu-west")])
    );
});

both_backends!(a_sibling_reseller_sees_nothing_like_a_random_id, |app| async move {
    let t = app.tree().await;
    catalogue(&app).await;
    let id = provisioned(&app, t.customer_a, "call-manager", "eu-west").await;
    let (_, admin_b) = app.operator(t.reseller_b, "admin@reseller-b.example", &[Role::Admin]);
    let random = Uuid::now_v7();

    let hidden = app.as_(&admin_b).customers().service_instances(t.customer_a).await;
    let absent = app.as_(&admin_b).customers().service_instances(random).await;
    assert_eq!(hidden.status, 404, "{}", hidden.text);
    assert_eq!(hidden.text, absent.text);

    let hidden = provision(&app, &admin_b, t.customer_a, "backup", "eu-west").await;
    let absent = provision(&app, &admin_b, random, "backup", "eu-west").await;
    assert_eq!(hidden.status, 404, "{}", hidden.text);
    assert_eq!(hidden.text, absent.text);

    let hidden = remove(&app, &admin_b, id).await;
    let absent = remove(&app, &admin_b, random).await;
    assert_eq!(hidden.status, 404, "{}", hidden.text);
    assert_eq!(hidden.text, absent.text);

    assert_eq!(
        listed(&app, &app.admin_token, t.customer_a).await,
        pairs(&[("call-manager", "eu-west")]),
        "nothing changed"
    );
    // Its own customer is fine.
    let r = provision(&app, &admin_b, t.customer_b, "backup", "eu-west").await;
    assert_eq!(r.status, 201, "{}", r.text);
});

both_backends!(
    an_instance_names_a_catalogue_service_and_one_of_its_regions,
    |app| async move {
        let t = app.tree().await;
        catalogue(&app).await;
        let r = provision(&app, &app.admin_token, t.customer_a, "fax-gateway", "eu-west").await;
        assert_eq!(r.status, 404, "{}", r.text);
        assert_eq!(r.code(), Some("reference_not_found"));
        assert_eq!(r.error_field(), Some("service"));
        let r = provision(&app, &app.admin_token, t.customer_a, "backup", "us-east").await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.error_field(), Some("region"));
        assert_eq!(r.body["errors"][0]["code"], "not_offered");
        assert!(listed(&app, &app.admin_token, t.customer_a).await.is_empty());
    }
);
