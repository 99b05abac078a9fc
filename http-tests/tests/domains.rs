//! Primary domains over HTTP: `GET/HEAD /v1/domains/{domain}` is public and tells
//! free, taken, reserved and invalid apart (HEAD: 200 not available, 404 free); a
//! domain once used is never free again, even after its customer is archived;
//! customers are refused reserved or invalid domains (422) and duplicates (409),
//! also when twenty creates race for one domain; tenant ids are unique; the
//! public check is rate limited per client address (429 with `Retry-After`).

use std::net::IpAddr;
use std::time::Instant;

use http_tests::{both_backends, join2, join_all, paths, Reply, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

/// A domain no test has used: `<prefix><8 hex>.onmicrosoft.com`.
fn fresh(prefix: &str) -> String {
    format!("{prefix}{}.onmicrosoft.com", &Uuid::new_v4().simple().to_string()[..8])
}

fn customer_body(parent: Uuid, name: &str, domain: &str) -> Value {
    json!({"parent_id": parent, "kind": "customer", "name": name, "primary_domain": domain})
}

async fn create_customer(app: &TestApp, parent: Uuid, name: &str, domain: &str) -> Reply {
    app.admin()
        .organizations()
        .create(customer_body(parent, name, domain))
        .await
}

/// Asserts the GET answer for `domain`: echoed as `shown`, with `reason` (null when free).
async fn assert_answer(app: &TestApp, domain: &str, shown: &str, reason: Option<&str>) {
    let r = app.anonymous().customers().domain(domain).await;
    assert_eq!(r.status, 200, "GET {domain}: {}", r.text);
    assert_eq!(
        r.body,
        json!({"domain": shown, "available": reason.is_none(), "reason": reason}),
        "GET {domain}"
    );
}

/// Asserts the HEAD answer: 200 when not available, 404 when free, never a body.
async fn assert_head(app: &TestApp, domain: &str, free: bool) {
    let r = app.anonymous().customers().head_domain(domain).await;
    assert_eq!(r.status, if free { 404 } else { 200 }, "HEAD {domain}");
    assert!(r.text.is_empty(), "HEAD has no body: {}", r.text);
}

/// The customers below the root that hold `domain`, as (name, status).
async fn holders(app: &TestApp, domain: &str) -> Vec<(String, String)> {
    let r = app
        .admin()
        .organizations()
        .descendants(app.root, "?kind=customer&status=archived&limit=500")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut items = r.body["items"].as_array().unwrap().clone();
    let r = app
        .admin()
        .organizations()
        .descendants(app.root, "?kind=customer&limit=500")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    items.extend(r.body["items"].as_array().unwrap().iter().cloned());
    items
        .iter()
        .filter(|i| i["primary_domain"] == domain)
        .map(|i| {
            (
                i["name"].as_str().unwrap().to_string(),
                i["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

both_backends!(
    availability_tells_free_taken_reserved_and_invalid_apart_without_a_token,
    |app| async move {
        let t = app.tree().await;
        let free = fresh("fabrikam");
        assert_answer(&app, &free, &free, None).await;
        assert_head(&app, &free, true).await;

        // Taken: whatever the case it is asked in, and echoed lowercased.
        let suffix = &Uuid::new_v4().simple().to_string()[..8];
        let r = create_customer(
            &app,
            t.reseller_a,
            "Contoso",
            &format!("Contoso{suffix}.onmicrosoft.com"),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let taken = format!("contoso{suffix}.onmicrosoft.com");
        assert_eq!(r.body["primary_domain"], taken.as_str());
        assert_answer(&app, &taken, &taken, Some("taken")).await;
        assert_answer(&app, &taken.to_uppercase(), &taken, Some("taken")).await;
        assert_head(&app, &taken, false).await;

        // Reserved prefixes are never handed out.
        assert_answer(
            &app,
            "microsoft.onmicrosoft.com",
            "microsoft.onmicrosoft.com",
            Some("reserved"),
        )
        .await;
        assert_answer(&app, "Admin.onmicrosoft.com", "admin.onmicrosoft.com", Some("reserved")).await;
        assert_head(&app, "microsoft.onmicrosoft.com", false).await;

        // Invalid: not Latin letters and digits, or not `.onmicrosoft.com` at all.
        for bad in ["bad-name.onmicrosoft.com", "contoso.com"] {
            assert_answer(&app, bad, bad, Some("invalid")).await;
            assert_head(&app, bad, false).await;
        }
    }
);

both_backends!(a_domain_stays_taken_after_its_customer_is_archived, |app| async move {
    let t = app.tree().await;
    let domain = fresh("northwind");
    assert_answer(&app, &domain, &domain, None).await;
    let r = create_customer(&app, t.reseller_a, "Northwind", &domain).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.id();
    let r = app.admin().organizations().archive(id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "archived");

    assert_answer(&app, &domain, &domain, Some("taken")).await;
    assert_head(&app, &domain, false).await;
    for (parent, asked) in [(t.reseller_b, domain.clone()), (t.sub_a, domain.to_uppercase())] {
        let r = create_customer(&app, parent, "Northwind Again", &asked).await;
        assert_eq!(r.status, 409, "{asked}: {}", r.text);
        assert_eq!(r.code(), Some("duplicate"));
        assert_eq!(r.error_field(), Some("primary_domain"));
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
    }
    assert_eq!(
        holders(&app, &domain).await,
        vec![("Northwind".to_string(), "archived".to_string())],
        "only the archived customer holds the domain"
    );
});

both_backends!(
    customers_are_refused_reserved_invalid_and_missing_domains,
    |app| async move {
        let t = app.tree().await;
        for (domain, code) in [
            (Some("microsoft.onmicrosoft.com"), "reserved_domain"),
            (Some("Partner.onmicrosoft.com"), "reserved_domain"),
            (Some("bad-name.onmicrosoft.com"), "invalid_domain"),
            (Some("contoso.com"), "invalid_domain"),
            (None, "required"),
        ] {
            let mut body = json!({"parent_id": t.reseller_a, "kind": "customer", "name": "Refused"});
            if let Some(d) = domain {
                body["primary_domain"] = json!(d);
            }
            let r = app.admin().organizations().create(body).await;
            assert_eq!(r.status, 422, "{domain:?}: {}", r.text);
            assert_eq!(r.code(), Some("validation_failed"));
            assert_eq!(r.error_field(), Some("primary_domain"), "{domain:?}: {}", r.text);
            assert_eq!(r.body["errors"][0]["code"], code, "{domain:?}: {}", r.text);
        }
        let r = app.admin().organizations().children(t.reseller_a, "").await;
        let mut names = r.names();
        names.sort();
        assert_eq!(names, vec!["Customer A", "Sub A"], "nothing was created");
        // A refused reserved domain is still reserved, not taken.
        assert_answer(
            &app,
            "microsoft.onmicrosoft.com",
            "microsoft.onmicrosoft.com",
            Some("reserved"),
        )
        .await;
    }
);

both_backends!(
    twenty_racing_creates_with_one_domain_give_one_201_and_nineteen_409s,
    |app| async move {
        let t = app.tree().await;
        let domain = fresh("race");
        let parents = [t.reseller_a, t.sub_a, t.reseller_b, t.dist];
        let replies = join_all((0..20).map(|i| {
            app.admin().organizations().create(customer_body(
                parents[i % parents.len()],
                &format!("Racer {i}"),
                &domain,
            ))
        }))
        .await;
        let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
        let winners: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
        assert_eq!(winners.len(), 1, "exactly one create wins: {statuses:?}");
        for r in replies.iter().filter(|r| r.status != 201) {
            assert_eq!(r.status, 409, "{statuses:?}: {}", r.text);
            assert_eq!(r.code(), Some("duplicate"), "{}", r.text);
            assert_eq!(r.error_field(), Some("primary_domain"), "{}", r.text);
        }
        let winner = winners[0].body["name"].as_str().unwrap().to_string();
        assert_eq!(
            holders(&app, &domain).await,
            vec![(winner, "pending".to_string())],
            "one customer holds the domain"
        );
        assert_answer(&app, &domain, &domain, Some("taken")).await;
    }
);

both_backends!(a_tenant_id_belongs_to_one_customer_only, |app| async move {
    let t = app.tree().await;
    let tenant = Uuid::new_v4();
    let mut body = customer_body(t.reseller_a, "Tenant Owner", &fresh("owner"));
    body["tenant_id"] = json!(tenant);
    let r = app.admin().organizations().create(body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["tenant_id"], tenant.to_string());

    // The same GUID again, in any case and under any parent: 409, and nothing is kept.
    let second_domain = fresh("second");
    let mut body = customer_body(t.reseller_b, "Tenant Copy", &second_domain);
    body["tenant_id"] = json!(tenant.to_string().to_uppercase());
    let r = app.admin().organizations().create(body).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.code(), Some("duplicate"));
    assert_eq!(r.error_field(), Some("tenant_id"));
    assert_answer(&app, &second_domain, &second_domain, None).await;

    // Not a GUID: 422 naming the field.
    let mut body = customer_body(t.reseller_b, "Bad Tenant", &second_domain);
    body["tenant_id"] = json!("not-a-guid");
    let r = app.admin().organizations().create(body).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("tenant_id"));

    // Giving an existing customer the taken GUID: 409 too, and it keeps none.
    let other = app
        .create(&app.admin_token, t.reseller_b, "customer", "Other Tenant")
        .await;
    let r = app
        .admin()
        .organizations()
        .update(other, json!({"tenant_id": tenant}), Some("\"1\""))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.error_field(), Some("tenant_id"));
    let r = app.admin().organizations().get(other).await;
    assert_eq!(r.body["tenant_id"], Value::Null);

    // Two creates racing for one new GUID: one wins.
    let raced = Uuid::new_v4();
    let racer = |name: &str| {
        let mut body = customer_body(t.sub_a, name, &fresh("racer"));
        body["tenant_id"] = json!(raced);
        app.admin().organizations().create(body)
    };
    let (a, b) = join2(racer("Racer One"), racer("Racer Two")).await;
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{} / {}", a.text, b.text);
    let loser = if a.status == 409 { &a } else { &b };
    assert_eq!(loser.error_field(), Some("tenant_id"));
});

both_backends!(
    the_public_check_is_rate_limited_per_client_address,
    flags = ["--public-rate-limit-per-minute", "60"],
    |app| async move {
        let domain = fresh("ratelimit");
        let started = Instant::now();
        let mut served: u64 = 0;
        let limited = loop {
            let r = app.anonymous().customers().domain(&domain).await;
            if r.status == 429 {
                break r;
            }
            assert_eq!(r.status, 200, "{}", r.text);
            served += 1;
            assert!(served <= 200, "200 requests and never limited");
        };
        let elapsed = started.elapsed().as_secs();
        // The default quota is 60 a minute (a burst of 60, then one a second).
        assert!(served >= 60, "limited after only {served} requests");
        assert!(
            served <= 61 + elapsed,
            "{served} requests served in {elapsed} s: above 60 a minute"
        );
        assert_eq!(limited.code(), Some("rate_limited"), "{}", limited.text);
        assert_eq!(
            limited.header("content-type").as_deref(),
            Some("application/problem+json")
        );
        let retry: u64 = limited
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .expect("Retry-After in seconds");
        assert!((1..=60).contains(&retry), "Retry-After {retry}");
        let r = app.anonymous().customers().head_domain(&domain).await;
        assert_eq!(r.status, 429, "HEAD is limited too");
        assert!(r.header("retry-after").is_some());

        // Token-authenticated endpoints are not affected...
        let r = app.admin().organizations().get(app.root).await;
        assert_eq!(r.status, 200, "{}", r.text);
        // ... and another client address has its own quota.
        let other = reqwest::Client::builder()
            .local_address(IpAddr::from([127, 0, 0, 2]))
            .build()
            .unwrap();
        let r = app.send(other.get(app.url(&paths::domain(&domain)))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["available"], true);
    }
);
