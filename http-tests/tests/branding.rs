//! Branding over HTTP: a brand inherited three levels down and overridden in
//! the middle; the provider's brand and the built-in default; the public brand
//! by portal domain; a taken portal domain is 409; bad fields are 422 naming
//! them; customers have no brand; viewers read but do not change; logos that
//! lie about their type, are too large, are SVG or are absurdly tall are
//! refused with nothing stored; a stored logo has a strong ETag and 304s;
//! every change is audited.

use domain::Role;
use http_tests::{both_backends, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

fn branding(org: Uuid) -> String {
    format!("/v1/organizations/{org}/branding")
}

fn logo(org: Uuid) -> String {
    format!("/v1/organizations/{org}/branding/logo")
}

async fn put_brand(app: &TestApp, token: &str, org: Uuid, body: Value) -> Reply {
    let caller = app.as_(token);
    caller
        .send(caller.request(Method::PUT, &branding(org)).json(&body))
        .await
}

/// Sets a brand as the provider's admin (asserting 200).
async fn branded(app: &TestApp, org: Uuid, name: &str) {
    let r = put_brand(app, &app.admin_token, org, json!({"display_name": name})).await;
    assert_eq!(r.status, 200, "{name}: {}", r.text);
}

async fn effective(app: &TestApp, token: &str, org: Uuid) -> Value {
    let r = app.as_(token).get(&format!("{}/effective", branding(org))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

async fn put_logo(app: &TestApp, org: Uuid, content_type: &str, bytes: Vec<u8>) -> Reply {
    let admin = app.admin();
    admin
        .send(
            admin
                .request(Method::PUT, &logo(org))
                .header("Content-Type", content_type)
                .body(bytes),
        )
        .await
}

async fn get_logo(app: &TestApp, org: Uuid, if_none_match: Option<&str>) -> Reply {
    let admin = app.admin();
    let mut req = admin.request(Method::GET, &logo(org));
    if let Some(tag) = if_none_match {
        req = req.header("If-None-Match", tag);
    }
    admin.send(req).await
}

/// A PNG of `w`×`h`: the signature, its header chunk and the end chunk (the
/// API reads the header; it never decodes pixels).
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    b.extend_from_slice(b"IHDR");
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    b.extend_from_slice(&[0, 0, 0, 0]);
    b.extend_from_slice(b"IEND");
    b.extend_from_slice(&[0xAE, 0x42, 0x60, 0x82]);
    b
}

/// The brand's audit events of `org`, oldest first.
async fn brand_events(app: &TestApp, org: Uuid) -> Vec<String> {
    let r = app.admin().audit().events(org, "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target_type"] == "brand" && e["target_id"] == org.to_string())
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

both_backends!(
    a_brand_is_inherited_down_the_tree_and_overridden_in_the_middle,
    |app| async move {
        let t = app.tree().await;
        branded(&app, t.dist, "Northwind Cloud").await;

        // Three levels below the distributor: its brand, named as inherited.
        let (_, viewer) = app.operator(t.sub_a, "viewer@sub-a.example", &[Role::Viewer]);
        let b = effective(&app, &viewer, t.customer_a2).await;
        assert_eq!(b["display_name"], "Northwind Cloud");
        assert_eq!(b["source"], "inherited");
        assert_eq!(b["inherited_from"], t.dist.to_string());
        let b = effective(&app, &app.admin_token, t.dist).await;
        assert_eq!(
            (b["source"].as_str(), &b["inherited_from"]),
            (Some("own"), &Value::Null)
        );

        // Overridden in the middle: everything below the reseller shows its brand,
        // its sibling still the distributor's.
        branded(&app, t.reseller_a, "Reseller A Cloud").await;
        for org in [t.reseller_a, t.sub_a, t.customer_a2, t.customer_a] {
            let b = effective(&app, &app.admin_token, org).await;
            assert_eq!(b["display_name"], "Reseller A Cloud", "{org}");
        }
        let b = effective(&app, &viewer, t.customer_a2).await;
        assert_eq!(b["inherited_from"], t.reseller_a.to_string());
        let b = effective(&app, &app.admin_token, t.customer_b).await;
        assert_eq!(b["display_name"], "Northwind Cloud");
        assert_eq!(b["inherited_from"], t.dist.to_string());

        // Removing the middle brand uncovers the one above.
        let r = app.admin().delete(&branding(t.reseller_a)).await;
        assert_eq!(r.status, 204, "{}", r.text);
        let b = effective(&app, &viewer, t.customer_a2).await;
        assert_eq!(b["display_name"], "Northwind Cloud");
        let r = app.admin().get(&branding(t.reseller_a)).await;
        assert_eq!(r.status, 404, "{}", r.text);
        assert_eq!(
            brand_events(&app, t.reseller_a).await,
            ["brand.updated", "brand.deleted"],
            "audited"
        );
    }
);

both_backends!(the_providers_brand_else_the_built_in_default, |app| async move {
    let t = app.tree().await;
    let b = effective(&app, &app.admin_token, t.customer_b).await;
    assert_eq!(b["source"], "default");
    assert_eq!(b["inherited_from"], Value::Null);
    assert_eq!(b["display_name"], "Partner Portal");
    assert_eq!(b["logo_url"], Value::Null);

    branded(&app, app.root, "Contoso Cloud Channel").await;
    for org in [t.customer_b, t.reseller_b, t.dist] {
        let b = effective(&app, &app.admin_token, org).await;
        assert_eq!(b["display_name"], "Contoso Cloud Channel");
        assert_eq!(b["source"], "inherited");
        assert_eq!(b["inherited_from"], app.root.to_string());
    }
    assert_eq!(effective(&app, &app.admin_token, app.root).await["source"], "own");
});

both_backends!(the_public_brand_by_portal_domain, |app| async move {
    let t = app.tree().await;
    let r = put_brand(
        &app,
        &app.admin_token,
        t.reseller_a,
        json!({
            "display_name": "Fabrikam Cloud",
            "primary_color": "#1f4e79",
            "accent_color": "#F2A900",
            "support_email": "Help@Fabrikam.example",
            "support_url": "https://help.fabrikam.example/",
            "portal_domain": "Portal.Fabrikam.example",
        }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(r.body["portal_domain"], "portal.fabrikam.example");
    assert_eq!(r.body["primary_color"], "#1F4E79");

    let r = app.anonymous().get("/v1/brands/portal.fabrikam.example").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({
            "display_name": "Fabrikam Cloud",
            "primary_color": "#1F4E79",
            "accent_color": "#F2A900",
            "support_email": "help@fabrikam.example",
            "support_url": "https://help.fabrikam.example/",
            "portal_domain": "portal.fabrikam.example",
            "logo_url": null,
        }),
        "no ids, nothing but the brand"
    );
    assert!(r.header("cache-control").is_some_and(|c| c.starts_with("public")));
    let r = app.anonymous().get("/v1/brands/PORTAL.fabrikam.example").await;
    assert_eq!(r.status, 200, "host names are case-insensitive: {}", r.text);
    for unknown in ["portal.unknown.example", "not a host"] {
        let r = app.anonymous().get(&format!("/v1/brands/{unknown}")).await;
        assert_eq!(r.status, 404, "{unknown}: {}", r.text);
        assert_eq!(r.code(), Some("not_found"));
    }
});

both_backends!(a_portal_domain_is_unique_across_the_tree, |app| async move {
    let t = app.tree().await;
    let body = json!({"display_name": "A", "portal_domain": "portal.shared.example"});
    let r = put_brand(&app, &app.admin_token, t.reseller_a, body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, admin_b) = app.operator(t.reseller_b, "admin@reseller-b.example", &[Role::Admin]);
    let body = json!({"display_name": "B", "portal_domain": "portal.shared.example"});
    let r = put_brand(&app, &admin_b, t.reseller_b, body).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.code(), Some("duplicate"));
    assert_eq!(r.error_field(), Some("portal_domain"));
    assert_eq!(app.as_(&admin_b).get(&branding(t.reseller_b)).await.status, 404);
    // Another domain is fine.
    let body = json!({"display_name": "B", "portal_domain": "portal.b.example"});
    assert_eq!(put_brand(&app, &admin_b, t.reseller_b, body).await.status, 200);
});

both_backends!(bad_brands_customers_and_viewers_are_refused, |app| async move {
    let t = app.tree().await;
    let r = put_brand(
        &app,
        &app.admin_token,
        t.reseller_a,
        json!({
            "display_name": "A",
            "primary_color": "blue",
            "support_url": "http://help.example",
            "portal_domain": "localhost",
        }),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["primary_color", "support_url", "portal_domain"]);

    let r = put_brand(&app, &app.admin_token, t.customer_a, json!({"display_name": "C"})).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.code(), Some("customer_has_no_brand"));

    let (_, viewer) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
    let r = put_brand(&app, &viewer, t.reseller_a, json!({"display_name": "V"})).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.code(), Some("forbidden"));
    assert_eq!(
        app.admin().get(&branding(t.reseller_a)).await.status,
        404,
        "nothing stored"
    );

    // A stale If-Match changes nothing.
    branded(&app, t.reseller_a, "First").await;
    let caller = app.admin();
    let r = caller
        .send(
            caller
                .request(Method::PUT, &branding(t.reseller_a))
                .header("If-Match", "\"7\"")
                .json(&json!({"display_name": "Second"})),
        )
        .await;
    assert_eq!(r.status, 412, "{}", r.text);
    let r = app.as_(&viewer).get(&branding(t.reseller_a)).await;
    assert_eq!(r.body["display_name"], "First");
});

both_backends!(
    logos_that_lie_or_are_too_big_are_refused_and_nothing_is_stored,
    |app| async move {
        let t = app.tree().await;
        branded(&app, t.reseller_a, "Fabrikam Cloud").await;
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
        let mut big = png(100, 100);
        big.resize(300 * 1024, 0);
        for (content_type, bytes, status, problem) in [
            ("image/jpeg", png(64, 64), 422, "type_mismatch"),
            ("image/png", big, 413, "payload_too_large"),
            ("image/svg+xml", svg.clone(), 415, "unsupported_media_type"),
            ("image/png", svg, 422, "type_mismatch"),
            ("image/png", png(1, 100_000), 422, "dimensions"),
        ] {
            let r = put_logo(&app, t.reseller_a, content_type, bytes).await;
            assert_eq!(r.status, status, "{content_type} {problem}: {}", r.text);
            match status {
                422 => {
                    assert_eq!(r.error_field(), Some("logo"), "{}", r.text);
                    assert_eq!(r.body["errors"][0]["code"], problem);
                }
                _ => assert_eq!(r.code(), Some(problem)),
            }
            assert_eq!(get_logo(&app, t.reseller_a, None).await.status, 404, "nothing stored");
        }
        let r = app.admin().get(&branding(t.reseller_a)).await;
        assert_eq!(r.body["logo_url"], Value::Null);
    }
);

both_backends!(a_logo_is_served_with_a_strong_etag_and_304s, |app| async move {
    let t = app.tree().await;
    branded(&app, t.reseller_a, "Fabrikam Cloud").await;
    let first = png(200, 80);
    let r = put_logo(&app, t.reseller_a, "image/png", first.clone()).await;
    assert_eq!(r.status, 204, "{}", r.text);

    let admin = app.admin();
    let res = admin.request(Method::GET, &logo(t.reseller_a)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(header("content-type").as_deref(), Some("image/png"));
    let etag = header("etag").expect("an ETag");
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "strong: {etag}");
    assert!(header("cache-control").is_some());
    assert_eq!(res.bytes().await.unwrap().to_vec(), first, "the bytes as uploaded");

    let r = get_logo(&app, t.reseller_a, Some(&etag)).await;
    assert_eq!(r.status, 304, "{}", r.text);
    assert_eq!(r.header("etag").as_deref(), Some(etag.as_str()));
    assert!(r.text.is_empty());

    // Inherited: the brand in force names its logo, served below.
    let b = effective(&app, &app.admin_token, t.customer_a).await;
    let url = b["logo_url"].as_str().expect("logo_url").to_string();
    let r = app.admin().get(&url).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("etag").as_deref(), Some(etag.as_str()));

    // A new logo, a new tag: the old one no longer 304s.
    let r = put_logo(&app, t.reseller_a, "image/png", png(300, 90)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = get_logo(&app, t.reseller_a, Some(&etag)).await;
    assert_eq!(r.status, 200);
    assert_ne!(r.header("etag").as_deref(), Some(etag.as_str()));

    // Removed: gone, and audited each time.
    assert_eq!(app.admin().delete(&logo(t.reseller_a)).await.status, 204);
    assert_eq!(get_logo(&app, t.reseller_a, None).await.status, 404);
    assert_eq!(
        brand_events(&app, t.reseller_a).await,
        [
            "brand.updated",
            "brand.logo_updated",
            "brand.logo_updated",
            "brand.logo_deleted"
        ]
    );
});
