//! Correctness under extreme input, through HTTP on both backends: amounts
//! that cannot be billed are refused at input; JSON bodies with repeated keys,
//! another charset, exponents or `-0` are refused the same way on every
//! operation; display names must show something and read in order; a URI over
//! the limit is 414 problem+json; a repeated query parameter is named as one;
//! text filters longer than the spec's `maxLength` and an `If-Match` that is
//! not an entity tag are refused as the spec says (an empty one is no condition);
//! a revoked API client cannot be changed and a rotation ends the tokens issued
//! before it; per-address limits believe forwarding headers only from
//! `TRUSTED_PROXIES`.

use std::time::Duration;

use http_tests::{both_backends, TestApp};
use reqwest::Method;
use serde_json::json;

use crate::api_clients::{access_token, create_client};
use crate::subscriptions::body;

/// Sends `raw` as the body of `POST /v1/organizations` with `content_type`.
async fn post_raw(app: &TestApp, raw: &str, content_type: &str) -> http_tests::Reply {
    let req = app
        .admin()
        .request(Method::POST, "/v1/organizations")
        .header("content-type", content_type)
        .body(raw.to_string());
    app.admin().send(req).await
}

both_backends!(amounts_that_cannot_be_billed_are_refused_at_input, |app| async move {
    let customer = app.tree().await.customer_a;
    let subs = |b| app.admin().subscriptions().create(customer, b);
    // Was 201, and billing then produced an invoice of 9223372036854775807.
    for amount in [i64::MAX, 100_000_000_001] {
        let mut b = body("BIG_PRICE", 1, "2027-01-15");
        b["unit_price"]["amount_minor"] = json!(amount);
        let r = subs(b).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.error_field(), Some("unit_price.amount_minor"), "{}", r.text);
    }
    let mut b = body("MAX_PRICE", 1_000_000, "2027-01-15");
    b["unit_price"]["amount_minor"] = json!(100_000_000_000_i64);
    assert_eq!(subs(b).await.status, 201, "the documented maxima are accepted");
    let r = subs(body("TOO_MANY", 1_000_001, "2027-01-15")).await;
    assert_eq!((r.status, r.error_field()), (422, Some("quantity")), "{}", r.text);
});

both_backends!(json_bodies_are_refused_the_same_way_everywhere, |app| async move {
    let valid = format!(
        r#"{{"parent_id": "{}", "kind": "partner", "name": "Odd JSON"}}"#,
        app.root
    );
    let repeated = format!(
        r#"{{"parent_id": "{}", "kind": "partner", "name": "One", "name": "Two"}}"#,
        app.root
    );
    let r = post_raw(&app, &repeated, "application/json").await;
    assert_eq!((r.status, r.code()), (400, Some("malformed_request")), "{}", r.text);
    assert!(
        r.body["detail"].as_str().unwrap_or_default().contains("name"),
        "{}",
        r.text
    );

    for content_type in ["application/json; charset=latin1", "application/json; charset=utf-16"] {
        let r = post_raw(&app, &valid, content_type).await;
        assert_eq!(
            (r.status, r.code()),
            (415, Some("unsupported_media_type")),
            "{content_type}: {}",
            r.text
        );
    }
    let r = post_raw(&app, &valid, "application/json; charset=UTF-8").await;
    assert_eq!(r.status, 201, "UTF-8 named explicitly is fine: {}", r.text);

    // Exponents and negative zero where an integer is expected: 422 naming the field,
    // whether the field is read leniently (quantity) or not.
    let tree = app.tree().await;
    for (raw, field) in [("1e2", "quantity"), ("-0", "quantity"), ("1E+1", "quantity")] {
        let text = body("EXP", 1, "2027-01-15")
            .to_string()
            .replace(r#""quantity":1"#, &format!(r#""quantity":{raw}"#));
        let req = app
            .admin()
            .request(
                Method::POST,
                &format!("/v1/customers/{}/subscriptions", tree.customer_a),
            )
            .header("content-type", "application/json")
            .body(text);
        let r = app.admin().send(req).await;
        assert_eq!((r.status, r.error_field()), (422, Some(field)), "{raw}: {}", r.text);
    }
    let r = app
        .admin()
        .patch(
            &format!("/v1/organizations/{}", tree.reseller_a),
            json!({"name": "\u{200B}\u{200D}"}),
            None,
        )
        .await;
    assert_eq!((r.status, r.error_field()), (422, Some("name")), "{}", r.text);
});

both_backends!(names_must_show_something_and_read_in_order, |app| async move {
    for name in [
        "\u{200B}\u{2060}",
        "\u{3164}",
        "Contoso\u{202E}gpj.exe",
        "\u{2066}Fabrikam\u{2069}",
    ] {
        let r = app
            .admin()
            .organizations()
            .create(json!({"parent_id": app.root, "kind": "partner", "name": name}))
            .await;
        assert_eq!((r.status, r.error_field()), (422, Some("name")), "{name:?}: {}", r.text);
    }
    let r = app
        .admin()
        .organizations()
        .create(json!({"parent_id": app.root, "kind": "partner", "name": "شركة كونتوسو"}))
        .await;
    assert_eq!(r.status, 201, "right-to-left names stay valid: {}", r.text);
});

both_backends!(long_uris_and_repeated_parameters_are_named, |app| async move {
    let long = format!("/v1/organizations/{}/descendants?q={}", app.root, "x".repeat(9000));
    let r = app.admin().get(&long).await;
    assert_eq!((r.status, r.code()), (414, Some("uri_too_long")), "{}", r.text);
    assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));

    let r = app
        .admin()
        .get(&format!("/v1/organizations/{}/children?limit=1&limit=2", app.root))
        .await;
    assert_eq!((r.status, r.error_field()), (422, Some("limit")), "{}", r.text);
});

both_backends!(what_the_schema_refuses_the_server_refuses, |app| async move {
    let t = app.tree().await;
    let long = "x".repeat(101);
    for (path, field) in [
        (
            format!("/v1/customers/{}/subscriptions?sku={long}", t.customer_a),
            "sku",
        ),
        (
            format!("/v1/organizations/{}/subscriptions?sku={long}", t.reseller_a),
            "sku",
        ),
        (
            format!("/v1/organizations/{}/audit-events?action={long}", t.reseller_a),
            "action",
        ),
        (
            format!("/v1/organizations/{}/audit-events.csv?action={long}", t.reseller_a),
            "action",
        ),
    ] {
        let r = app.admin().get(&path).await;
        assert_eq!((r.status, r.error_field()), (422, Some(field)), "{path}: {}", r.text);
    }
    let at_most = format!("/v1/customers/{}/subscriptions?sku={}", t.customer_a, "x".repeat(100));
    assert_eq!(app.admin().get(&at_most).await.status, 200);

    let org = format!("/v1/organizations/{}", t.reseller_a);
    let name = |n: &str| json!({ "name": n });
    for bad in ["null", "7", "W/7", "\"7"] {
        let r = app.admin().patch(&org, name("Reseller X"), Some(bad)).await;
        assert_eq!(
            (r.status, r.code()),
            (400, Some("malformed_request")),
            "If-Match {bad}: {}",
            r.text
        );
    }
    let r = app.admin().patch(&org, name("Reseller X"), Some("\"other\"")).await;
    assert_eq!((r.status, r.code()), (412, Some("stale_version")), "{}", r.text);
    let r = app.admin().patch(&org, name("Reseller Y"), Some("")).await;
    assert_eq!(r.status, 200, "an empty If-Match is no condition: {}", r.text);
    assert_eq!(r.body["name"], "Reseller Y");
});

both_backends!(
    revoked_clients_stay_revoked_and_rotation_ends_old_tokens,
    |app| async move {
        let tree = app.tree().await;
        let client = create_client(&app, &app.admin_token, tree.reseller_a, "PSA", &["viewer"]).await;
        let old = access_token(&app, &client.client_id(), &client.secret).await;
        assert_eq!(app.as_(&old).platform().me().await.status, 200);
        // `iat` has whole seconds: let the second of the old token pass.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let rotated = app.admin().api_clients().rotate_secret(client.id).await;
        assert_eq!(rotated.status, 200, "{}", rotated.text);
        let r = app.as_(&old).platform().me().await;
        assert_eq!((r.status, r.code()), (401, Some("invalid_token")), "{}", r.text);
        let secret = rotated.body["client_secret"].as_str().expect("new secret");
        let fresh = access_token(&app, &client.client_id(), secret).await;
        assert_eq!(
            app.as_(&fresh).platform().me().await.status,
            200,
            "a token after the rotation works"
        );

        assert_eq!(app.admin().api_clients().revoke(client.id).await.status, 200);
        let path = format!("/v1/api-clients/{}", client.id);
        let r = app.admin().patch(&path, json!({"name": "Renamed"}), None).await;
        assert_eq!((r.status, r.code()), (409, Some("client_revoked")), "{}", r.text);
        assert_eq!(app.admin().api_clients().get(client.id).await.body["name"], "PSA");
    }
);

/// How many public requests from behind `forwarded_for` are served before a 429.
async fn served_before_limit(app: &TestApp, forwarded_for: &str) -> u32 {
    let mut served = 0;
    loop {
        let req = app
            .anonymous()
            .request(Method::GET, "/v1/domains/ratelimit-proxy.onmicrosoft.com")
            .header("x-forwarded-for", forwarded_for);
        let r = app.anonymous().send(req).await;
        if r.status == 429 {
            return served;
        }
        assert_eq!(r.status, 200, "{}", r.text);
        served += 1;
        assert!(served <= 10, "never limited");
    }
}

both_backends!(
    forwarded_clients_behind_trusted_proxies_have_their_own_limits,
    flags = [
        "--trusted-proxies",
        "127.0.0.0/8",
        "--public-rate-limit-per-minute",
        "2"
    ],
    |app| async move {
        // The proxy (127.0.0.1) is trusted: each forwarded client has its quota.
        assert_eq!(served_before_limit(&app, "203.0.113.1").await, 2);
        assert_eq!(served_before_limit(&app, "203.0.113.2").await, 2);
        // A client cannot pick a fresh address by writing one on the left.
        assert_eq!(served_before_limit(&app, "198.51.100.7, 203.0.113.2").await, 0);
    }
);

both_backends!(
    forwarding_headers_from_untrusted_peers_are_ignored,
    flags = ["--public-rate-limit-per-minute", "2"],
    |app| async move {
        assert_eq!(served_before_limit(&app, "203.0.113.1").await, 2);
        assert_eq!(served_before_limit(&app, "203.0.113.2").await, 0);
    }
);
