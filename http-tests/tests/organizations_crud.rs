//! Creating, reading and updating organisations through HTTP: the kind/parent
//! rule, customer fields, uniqueness of domains and tenant ids (409), optimistic
//! concurrency (ETag / If-Match, 412), no mass assignment, idempotent creates and
//! one audit event per change.

use http_tests::{both_backends, join_all, Reply, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/// A customer create body under `parent` with `domain`.
fn customer(parent: Uuid, name: &str, domain: &str) -> Value {
    json!({"parent_id": parent, "kind": "customer", "name": name, "primary_domain": domain})
}

/// A distributor and a partner under it, both created by the provider admin.
async fn reseller(app: &TestApp) -> (Uuid, Uuid) {
    let dist = app
        .create(&app.admin_token, app.root, "distributor", "Northwind Distribution")
        .await;
    let partner = app.create(&app.admin_token, dist, "partner", "Fabrikam Reseller").await;
    (dist, partner)
}

async fn post_with_key(app: &TestApp, key: &str, body: &Value) -> Reply {
    app.admin().organizations().create_with_key(body, key).await
}

/// Every `field` of a problem's `errors`, in order.
fn error_fields(r: &Reply) -> Vec<String> {
    r.body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Names of the whole subtree below `id`, as the provider admin sees it (all statuses but archived).
async fn subtree_names(app: &TestApp, id: Uuid) -> Vec<String> {
    let r = app.admin().organizations().descendants(id, "?limit=500").await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.names()
}

async fn archive(app: &TestApp, id: Uuid) {
    let r = app.admin().organizations().archive(id).await;
    assert_eq!(r.status, 200, "archive: {}", r.text);
}

both_backends!(
    create_answers_201_with_location_etag_and_a_pending_organisation,
    |app| async move {
        let (_, partner) = reseller(&app).await;
        let body = json!({
            "parent_id": partner,
            "kind": "customer",
            "name": "  Alpine Ski House ",
            "primary_domain": "AlpineSki42.onmicrosoft.com",
            "tenant_id": TENANT,
            "contact_email": "IT@AlpineSkiHouse.com",
            "country": "nz",
        });
        let r = app.admin().organizations().create(body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.id();
        assert_eq!(r.header("location"), Some(format!("/v1/organizations/{id}")));
        assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
        assert_eq!(r.body["parent_id"], json!(partner));
        assert_eq!(r.body["kind"], "customer");
        assert_eq!(r.body["name"], "Alpine Ski House", "the name is trimmed");
        assert_eq!(r.body["status"], "pending");
        assert_eq!(r.body["primary_domain"], "alpineski42.onmicrosoft.com");
        assert_eq!(r.body["tenant_id"], TENANT);
        assert_eq!(r.body["contact_email"], "it@alpineskihouse.com");
        assert_eq!(r.body["country"], "NZ");
        assert_eq!(r.body["version"], 1);
        for ts in ["created_at", "updated_at"] {
            let raw = r.body[ts]
                .as_str()
                .unwrap_or_else(|| panic!("{ts} missing: {}", r.text));
            chrono::DateTime::parse_from_rfc3339(raw).unwrap_or_else(|e| panic!("{ts} `{raw}`: {e}"));
        }
        let path = r.body["partner_path"].as_array().unwrap();
        assert_eq!(path.len(), 4, "root, distributor, partner, customer: {}", r.text);
        assert_eq!(path[0]["id"], json!(app.root));
        assert_eq!(path[3]["id"], json!(id));
        assert_eq!(path[3]["kind"], "customer");

        // The Location really names it.
        let location = r.header("location").unwrap();
        let got = app.admin().get(&location).await;
        assert_eq!(got.status, 200, "{}", got.text);
        assert_eq!(got.body, r.body);

        // A partner has no customer fields.
        let r = app
            .admin()
            .organizations()
            .create(json!({"parent_id": partner, "kind": "partner", "name": "Sub"}))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["status"], "pending");
        assert_eq!(r.body["kind"], "partner");
        for field in ["primary_domain", "tenant_id", "contact_email", "country"] {
            assert_eq!(r.body[field], Value::Null, "{field}");
        }
    }
);

both_backends!(the_parent_must_be_allowed_for_the_kind, |app| async move {
    let (dist, partner) = reseller(&app).await;
    let cases = [
        customer(app.root, "Root Customer", "rootcustomer.onmicrosoft.com"),
        json!({"parent_id": dist, "kind": "distributor", "name": "Nested Distributor"}),
        json!({"parent_id": partner, "kind": "distributor", "name": "Distributor Under Partner"}),
    ];
    for body in cases {
        let r = app.admin().organizations().create(body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        assert_eq!(r.code(), Some("validation_failed"));
        assert_eq!(r.error_field(), Some("parent_id"), "{}", r.text);
        assert_eq!(r.body["errors"][0]["code"], "parent_kind_not_allowed");
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
    }
    // Nothing under a customer either.
    let cust = app.create(&app.admin_token, partner, "customer", "Leaf").await;
    let r = app
        .admin()
        .organizations()
        .create(json!({"parent_id": cust, "kind": "partner", "name": "Under Leaf"}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("parent_id"));
    // There is one provider: the root.
    let r = app
        .admin()
        .organizations()
        .create(json!({"parent_id": app.root, "kind": "provider", "name": "Second Root"}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(error_fields(&r).contains(&"kind".to_string()), "{}", r.text);
    // None of the refused creates left anything behind.
    let mut names = subtree_names(&app, app.root).await;
    names.sort();
    assert_eq!(names, vec!["Fabrikam Reseller", "Leaf", "Northwind Distribution"]);
});

both_backends!(a_customer_needs_a_valid_primary_domain, |app| async move {
    let (_, partner) = reseller(&app).await;
    let r = app
        .admin()
        .organizations()
        .create(json!({"parent_id": partner, "kind": "customer", "name": "No Domain"}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("primary_domain"));
    assert_eq!(r.body["errors"][0]["code"], "required");
    let too_long = format!("{}.onmicrosoft.com", "a".repeat(28));
    for bad in [
        "a-b.onmicrosoft.com",
        "contoso.com",
        ".onmicrosoft.com",
        "a.b.onmicrosoft.com",
        "côntoso.onmicrosoft.com",
        "contoso.onmicrosoft.com.evil.com",
        too_long.as_str(),
    ] {
        let r = app
            .admin()
            .organizations()
            .create(customer(partner, "Bad Domain", bad))
            .await;
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
        assert_eq!(r.error_field(), Some("primary_domain"), "{bad}: {}", r.text);
        assert_eq!(r.body["errors"][0]["code"], "invalid_domain", "{bad}");
    }
    assert!(subtree_names(&app, partner).await.is_empty(), "no customer was created");
    // The longest allowed prefix is fine.
    let ok = format!("{}.onmicrosoft.com", "a".repeat(27));
    let r = app
        .admin()
        .organizations()
        .create(customer(partner, "Long Prefix", &ok))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
});

both_backends!(customer_contact_country_and_tenant_id_are_validated, |app| async move {
    let (_, partner) = reseller(&app).await;
    let with = |field: &str, value: &str| {
        let mut body = customer(partner, "Contoso", "contoso.onmicrosoft.com");
        body[field] = json!(value);
        body
    };
    let cases = [
        ("contact_email", "someone@gmail.com", "consumer_email"),
        ("contact_email", "someone@hotmail.co.uk", "consumer_email"),
        ("contact_email", "not-an-email", "invalid_email"),
        ("country", "XX", "invalid_country"),
        ("country", "NZL", "invalid_country"),
        ("tenant_id", "not-a-guid", "invalid_tenant_id"),
    ];
    for (field, value, code) in cases {
        let r = app.admin().organizations().create(with(field, value)).await;
        assert_eq!(r.status, 422, "{field}={value}: {}", r.text);
        assert_eq!(r.error_field(), Some(field), "{field}={value}: {}", r.text);
        assert_eq!(r.body["errors"][0]["code"], code, "{field}={value}");
    }
    // Nothing was created, so the domain is still free.
    assert!(subtree_names(&app, partner).await.is_empty());
    let r = app
        .admin()
        .organizations()
        .create(with("contact_email", "it@contoso.com"))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
});

both_backends!(several_bad_fields_are_all_reported_at_once, |app| async move {
    let (_, partner) = reseller(&app).await;
    let body = json!({
        "parent_id": partner,
        "kind": "customer",
        "name": "   ",
        "primary_domain": "con-toso.onmicrosoft.com",
        "tenant_id": "nope",
        "contact_email": "it@gmail.com",
        "country": "ZZ",
    });
    let r = app.admin().organizations().create(body).await;
    assert_eq!(r.status, 422, "{}", r.text);
    let mut fields = error_fields(&r);
    fields.sort();
    assert_eq!(
        fields,
        vec!["contact_email", "country", "name", "primary_domain", "tenant_id"],
        "{}",
        r.text
    );
    assert!(subtree_names(&app, partner).await.is_empty());
});

both_backends!(customer_only_fields_on_a_partner_are_refused, |app| async move {
    let (dist, _) = reseller(&app).await;
    for (field, value) in [
        ("primary_domain", "partnerco.onmicrosoft.com"),
        ("tenant_id", TENANT),
        ("contact_email", "it@partnerco.com"),
        ("country", "NZ"),
    ] {
        let mut body = json!({"parent_id": dist, "kind": "partner", "name": "Partner Co"});
        body[field] = json!(value);
        let r = app.admin().organizations().create(body).await;
        assert_eq!(r.status, 422, "{field}: {}", r.text);
        assert_eq!(r.error_field(), Some(field), "{}", r.text);
        assert_eq!(r.body["errors"][0]["code"], "customer_only");
    }
    assert_eq!(subtree_names(&app, dist).await, vec!["Fabrikam Reseller"]);
});

both_backends!(a_taken_primary_domain_is_409_whatever_its_case, |app| async move {
    let (dist, partner) = reseller(&app).await;
    let r = app
        .admin()
        .organizations()
        .create(customer(partner, "Contoso", "contoso.onmicrosoft.com"))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    for (parent, domain) in [
        (partner, "contoso.onmicrosoft.com"),
        (partner, "Contoso.onmicrosoft.com"),
        (dist, "CONTOSO.ONMICROSOFT.COM"),
    ] {
        let r = app
            .admin()
            .organizations()
            .create(customer(parent, "Contoso Again", domain))
            .await;
        assert_eq!(r.status, 409, "{domain}: {}", r.text);
        assert_eq!(r.code(), Some("duplicate"));
        assert_eq!(r.error_field(), Some("primary_domain"), "{}", r.text);
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
    }
    assert_eq!(subtree_names(&app, dist).await, vec!["Fabrikam Reseller", "Contoso"]);
});

both_backends!(a_domain_stays_taken_after_its_customer_is_archived, |app| async move {
    let (_, partner) = reseller(&app).await;
    let r = app
        .admin()
        .organizations()
        .create(customer(partner, "Old Contoso", "contoso.onmicrosoft.com"))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    archive(&app, r.id()).await;
    let r = app
        .admin()
        .organizations()
        .create(customer(partner, "New Contoso", "contoso.onmicrosoft.com"))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.error_field(), Some("primary_domain"));
    assert!(
        subtree_names(&app, partner).await.is_empty(),
        "New Contoso was not created"
    );
});

both_backends!(a_taken_tenant_id_is_409, |app| async move {
    let (_, partner) = reseller(&app).await;
    let mut first = customer(partner, "Contoso", "contoso.onmicrosoft.com");
    first["tenant_id"] = json!(TENANT);
    let r = app.admin().organizations().create(first).await;
    assert_eq!(r.status, 201, "{}", r.text);
    // The same GUID, also when written in upper case.
    for tenant in [TENANT.to_string(), TENANT.to_uppercase()] {
        let mut second = customer(partner, "Fabrikam", "fabrikam.onmicrosoft.com");
        second["tenant_id"] = json!(tenant);
        let r = app.admin().organizations().create(second).await;
        assert_eq!(r.status, 409, "{tenant}: {}", r.text);
        assert_eq!(r.code(), Some("duplicate"));
        assert_eq!(r.error_field(), Some("tenant_id"), "{}", r.text);
    }
    assert_eq!(subtree_names(&app, partner).await, vec!["Contoso"]);
    // PATCHing another customer to the taken tenant id is refused the same way.
    let other = app.create(&app.admin_token, partner, "customer", "Other").await;
    let r = app
        .admin()
        .organizations()
        .update(other, json!({"tenant_id": TENANT}), None)
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.error_field(), Some("tenant_id"));
    let r = app.admin().organizations().get(other).await;
    assert_eq!(r.body["tenant_id"], Value::Null);
    assert_eq!(r.body["version"], 1);
});

both_backends!(read_returns_the_partner_path_and_the_etag, |app| async move {
    let (dist, partner) = reseller(&app).await;
    let id = app.create(&app.admin_token, partner, "customer", "Contoso").await;
    let r = app.admin().organizations().get(id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(r.body["id"], json!(id));
    let ids: Vec<&Value> = r.body["partner_path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["id"])
        .collect();
    assert_eq!(ids, vec![&json!(app.root), &json!(dist), &json!(partner), &json!(id)]);
    let kinds: Vec<&str> = r.body["partner_path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["provider", "distributor", "partner", "customer"]);
    let names: Vec<&str> = r.body["partner_path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(&names[1..], &["Northwind Distribution", "Fabrikam Reseller", "Contoso"]);
    // An unknown id is a 404 problem.
    let r = app.admin().organizations().get(Uuid::now_v7()).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.code(), Some("not_found"));
});

both_backends!(
    patch_with_the_current_if_match_applies_and_a_stale_one_is_412,
    |app| async move {
        let (_, partner) = reseller(&app).await;
        let id = app.create(&app.admin_token, partner, "customer", "Contoso").await;
        let etag = app.admin().organizations().get(id).await.header("etag").expect("etag");

        let r = app
            .admin()
            .organizations()
            .update(id, json!({"name": "Contoso Ltd", "country": "au"}), Some(&etag))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["name"], "Contoso Ltd");
        assert_eq!(r.body["country"], "AU");
        assert_eq!(r.body["version"], 2);
        let new_etag = r.header("etag").expect("etag");
        assert_eq!(new_etag, "\"2\"");
        assert_ne!(new_etag, etag);

        // The old ETag is stale now: 412, and nothing is written.
        let r = app
            .admin()
            .organizations()
            .update(id, json!({"name": "Lost Update", "country": "NZ"}), Some(&etag))
            .await;
        assert_eq!(r.status, 412, "{}", r.text);
        assert_eq!(r.code(), Some("stale_version"));
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
        let r = app.admin().organizations().get(id).await;
        assert_eq!(r.body["name"], "Contoso Ltd");
        assert_eq!(r.body["country"], "AU");
        assert_eq!(r.body["version"], 2);
        assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
        // A tag that was never a version of ours cannot match either.
        let r = app
            .admin()
            .organizations()
            .update(id, json!({"name": "Nope"}), Some("\"banana\""))
            .await;
        assert_eq!(r.status, 412, "{}", r.text);

        // The new ETag works, and the audit log has create + two updates.
        let r = app
            .admin()
            .organizations()
            .update(id, json!({"name": "Contoso Group"}), Some(&new_etag))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["version"], 3);
        assert_eq!(app.store.audit_event_count(id).unwrap(), 3);
    }
);

both_backends!(
    concurrent_patches_with_the_same_if_match_let_exactly_one_through,
    |app| async move {
        let (_, partner) = reseller(&app).await;
        let id = app.create(&app.admin_token, partner, "customer", "Contoso").await;
        for round in 0..5 {
            let version = app.admin().organizations().get(id).await.body["version"]
                .as_i64()
                .unwrap();
            let etag = format!("\"{version}\"");
            let replies = join_all((0..8).map(|i| {
                let etag = etag.clone();
                let app = &app;
                async move {
                    app.admin()
                        .organizations()
                        .update(id, json!({"name": format!("Writer {i}")}), Some(&etag))
                        .await
                }
            }))
            .await;
            let ok: Vec<&Reply> = replies.iter().filter(|r| r.status == 200).collect();
            assert_eq!(
                ok.len(),
                1,
                "round {round}: one writer wins, the others get 412: {:?}",
                statuses(&replies)
            );
            assert!(
                replies.iter().all(|r| r.status == 200 || r.status == 412),
                "{:?}",
                statuses(&replies)
            );
            let now = app.admin().organizations().get(id).await;
            assert_eq!(now.body["version"], version + 1, "round {round}");
            assert_eq!(
                now.body["name"], ok[0].body["name"],
                "round {round}: the winner's write is the one kept"
            );
        }
    }
);

both_backends!(racing_creates_of_one_domain_let_exactly_one_through, |app| async move {
    let (_, partner) = reseller(&app).await;
    let replies = join_all((0..6).map(|i| {
        let body = customer(partner, &format!("Racer {i}"), "racer.onmicrosoft.com");
        let app = &app;
        async move { app.admin().organizations().create(body).await }
    }))
    .await;
    let mut got = statuses(&replies);
    got.sort();
    assert_eq!(
        got,
        vec![201, 409, 409, 409, 409, 409],
        "{:?}",
        replies.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    for r in replies.iter().filter(|r| r.status == 409) {
        assert_eq!(r.error_field(), Some("primary_domain"), "{}", r.text);
    }
    assert_eq!(subtree_names(&app, partner).await.len(), 1);
});

both_backends!(racing_retries_with_one_idempotency_key_create_once, |app| async move {
    let (_, partner) = reseller(&app).await;
    let body = json!({"parent_id": partner, "kind": "partner", "name": "Retried"});
    let replies = join_all((0..6).map(|_| post_with_key(&app, "retry-me", &body))).await;
    let created: Vec<Uuid> = replies.iter().filter(|r| r.status == 201).map(Reply::id).collect();
    assert!(!created.is_empty(), "{:?}", statuses(&replies));
    assert!(
        created.iter().all(|id| *id == created[0]),
        "every 201 names the same organisation"
    );
    for r in replies.iter().filter(|r| r.status != 201) {
        assert_eq!(r.status, 409, "a twin in flight is told to retry: {}", r.text);
        assert_eq!(r.code(), Some("idempotency_key_in_use"));
    }
    assert_eq!(subtree_names(&app, partner).await, vec!["Retried"], "one organisation");
    assert_eq!(app.store.audit_event_count(created[0]).unwrap(), 1);
});

fn statuses(replies: &[Reply]) -> Vec<u16> {
    replies.iter().map(|r| r.status).collect()
}

both_backends!(
    patch_null_clears_an_optional_field_and_absent_fields_stay,
    |app| async move {
        let (_, partner) = reseller(&app).await;
        let mut body = customer(partner, "Contoso", "contoso.onmicrosoft.com");
        body["contact_email"] = json!("it@contoso.com");
        body["country"] = json!("NZ");
        body["tenant_id"] = json!(TENANT);
        let id = app.admin().organizations().create(body).await.id();
        let r = app
            .admin()
            .organizations()
            .update(id, json!({"contact_email": null}), Some("\"1\""))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["contact_email"], Value::Null);
        assert_eq!(r.body["country"], "NZ");
        assert_eq!(r.body["tenant_id"], TENANT);
        assert_eq!(r.body["name"], "Contoso");
        let r = app.admin().organizations().get(id).await;
        assert_eq!(r.body["contact_email"], Value::Null, "the clear was stored");
        assert_eq!(r.body["country"], "NZ");
        assert_eq!(r.body["primary_domain"], "contoso.onmicrosoft.com");
        // Updates validate like creates.
        for (field, value, code) in [
            ("contact_email", json!("boss@gmail.com"), "consumer_email"),
            ("country", json!("XX"), "invalid_country"),
            ("tenant_id", json!("nope"), "invalid_tenant_id"),
            ("name", json!(""), "required"),
        ] {
            let r = app
                .admin()
                .organizations()
                .update(id, json!({ field: value }), None)
                .await;
            assert_eq!(r.status, 422, "{field}: {}", r.text);
            assert_eq!(r.error_field(), Some(field));
            assert_eq!(r.body["errors"][0]["code"], code);
        }
        assert_eq!(
            app.admin().organizations().get(id).await.body["version"],
            2,
            "refused patches wrote nothing"
        );
    }
);

both_backends!(
    patch_refuses_fields_that_change_only_through_their_own_operations,
    |app| async move {
        let (dist, partner) = reseller(&app).await;
        let id = app.create(&app.admin_token, partner, "customer", "Contoso").await;
        for (field, value) in [
            ("parent_id", json!(dist)),
            ("status", json!("active")),
            ("kind", json!("partner")),
            ("version", json!(42)),
            ("primary_domain", json!("other.onmicrosoft.com")),
            ("id", json!(Uuid::now_v7())),
        ] {
            let r = app
                .admin()
                .organizations()
                .update(id, json!({"name": "Hijacked", field: value}), None)
                .await;
            assert_eq!(r.status, 422, "{field}: {}", r.text);
            assert_eq!(r.error_field(), Some(field), "{}", r.text);
            assert_eq!(r.body["errors"][0]["code"], "unknown_field");
        }
        let r = app.admin().organizations().get(id).await;
        assert_eq!(r.body["name"], "Contoso");
        assert_eq!(r.body["parent_id"], json!(partner));
        assert_eq!(r.body["status"], "pending");
        assert_eq!(r.body["kind"], "customer");
        assert_eq!(r.body["version"], 1);
        assert_eq!(app.store.audit_event_count(id).unwrap(), 1, "only the create");
    }
);

both_backends!(create_refuses_unknown_fields_naming_them, |app| async move {
    let (_, partner) = reseller(&app).await;
    for (field, value) in [
        ("status", json!("active")),
        ("id", json!(Uuid::now_v7())),
        ("version", json!(7)),
    ] {
        let mut body = json!({"parent_id": partner, "kind": "partner", "name": "Sneaky"});
        body[field] = value;
        let r = app.admin().organizations().create(body).await;
        assert_eq!(r.status, 422, "{field}: {}", r.text);
        assert_eq!(r.error_field(), Some(field), "{}", r.text);
        assert_eq!(r.body["errors"][0]["code"], "unknown_field");
    }
    assert!(subtree_names(&app, partner).await.is_empty(), "nothing was created");
});

both_backends!(patch_tenant_id_on_a_partner_is_422, |app| async move {
    let (_, partner) = reseller(&app).await;
    let r = app
        .admin()
        .organizations()
        .update(partner, json!({"tenant_id": TENANT}), None)
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("tenant_id"));
    assert_eq!(r.body["errors"][0]["code"], "customer_only");
    let r = app.admin().organizations().get(partner).await;
    assert_eq!(r.body["tenant_id"], Value::Null);
    assert_eq!(r.body["version"], 1);
    // A partner's name changes fine.
    let r = app
        .admin()
        .organizations()
        .update(partner, json!({"name": "Fabrikam Partners"}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["name"], "Fabrikam Partners");
});

both_backends!(
    patch_customer_only_field_on_a_partner_names_that_field,
    |app| async move {
        let (_, partner) = reseller(&app).await;
        for field in ["contact_email", "country"] {
            let value = if field == "country" { "NZ" } else { "it@fabrikam.com" };
            let r = app
                .admin()
                .organizations()
                .update(partner, json!({ field: value }), None)
                .await;
            assert_eq!(r.status, 422, "{field}: {}", r.text);
            assert_eq!(
                r.error_field(),
                Some(field),
                "the problem must name the field that was sent: {}",
                r.text
            );
        }
        assert_eq!(app.admin().organizations().get(partner).await.body["version"], 1);
    }
);

both_backends!(same_idempotency_key_and_body_creates_once, |app| async move {
    let (_, partner) = reseller(&app).await;
    let body = customer(partner, "Contoso", "contoso.onmicrosoft.com");
    let first = post_with_key(&app, "create-contoso-1", &body).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let second = post_with_key(&app, "create-contoso-1", &body).await;
    assert_eq!(
        second.status, 201,
        "a retry is answered like the original: {}",
        second.text
    );
    assert_eq!(second.id(), first.id());
    assert_eq!(second.header("location"), first.header("location"));
    assert_eq!(second.body["primary_domain"], "contoso.onmicrosoft.com");
    assert_eq!(subtree_names(&app, partner).await, vec!["Contoso"], "one organisation");
    assert_eq!(app.store.audit_event_count(first.id()).unwrap(), 1, "one audit event");

    // The same key with another body is refused and creates nothing.
    let other = customer(partner, "Fabrikam", "fabrikam.onmicrosoft.com");
    let r = post_with_key(&app, "create-contoso-1", &other).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("Idempotency-Key"));
    assert_eq!(subtree_names(&app, partner).await, vec!["Contoso"]);
    // A fresh key creates a fresh organisation.
    let r = post_with_key(&app, "create-fabrikam-1", &other).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_ne!(r.id(), first.id());
    // Without a key, a repeat is a new request: the domain is taken.
    let r = app.admin().organizations().create(body).await;
    assert_eq!(r.status, 409, "{}", r.text);
});

both_backends!(
    every_create_writes_one_audit_event_and_a_refused_one_writes_nothing,
    |app| async move {
        let (dist, partner) = reseller(&app).await;
        let cust = app.create(&app.admin_token, partner, "customer", "Contoso").await;
        for id in [dist, partner, cust] {
            assert_eq!(app.store.audit_event_count(id).unwrap(), 1, "{id}");
        }
        let partner_events = app.store.audit_event_count(partner).unwrap();
        let taken = app.admin().organizations().get(cust).await.body["primary_domain"].clone();
        let refused = [
            (422, customer(partner, "Refused One", "re-fused.onmicrosoft.com")),
            (
                409,
                json!({"parent_id": partner, "kind": "customer", "name": "Refused Two", "primary_domain": taken}),
            ),
            (422, customer(app.root, "Refused Three", "r3.onmicrosoft.com")),
            (
                404,
                json!({"parent_id": Uuid::now_v7(), "kind": "partner", "name": "Refused Four"}),
            ),
        ];
        for (status, body) in refused {
            let r = app.admin().organizations().create(body).await;
            assert_eq!(r.status, status, "{}", r.text);
        }
        let r = app.admin().organizations().descendants(app.root, "?q=refused").await;
        assert_eq!(r.status, 200);
        assert!(r.names().is_empty(), "refused creates left {:?}", r.names());
        let mut names = subtree_names(&app, app.root).await;
        names.sort();
        assert_eq!(names, vec!["Contoso", "Fabrikam Reseller", "Northwind Distribution"]);
        assert_eq!(
            app.store.audit_event_count(partner).unwrap(),
            partner_events,
            "the parent gained no events"
        );
        // The 404 for an unknown parent names the field.
        let r = app
            .admin()
            .organizations()
            .create(json!({"parent_id": Uuid::now_v7(), "kind": "partner", "name": "X"}))
            .await;
        assert_eq!(r.error_field(), Some("parent_id"));
    }
);
