//! The service catalogue and launches over HTTP: the provider's admins keep the
//! catalogue; the customer's direct partner and a partner two levels up launch
//! its instance, a sibling gets the 404 of a random id and a viewer 403; the
//! token verifies against the JWKS with the service as audience, is refused as
//! a bearer token, and every launch is audited.

use chrono::{DateTime, Utc};
use domain::Role;
use http_tests::{both_backends, paths, Reply, TestApp};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};
use uuid::Uuid;

fn launch_path(instance: Uuid) -> String {
    format!("/v1/service-instances/{instance}/launch")
}

async fn launch(app: &TestApp, token: &str, instance: Uuid) -> Reply {
    app.as_(token).act(&launch_path(instance)).await
}

/// The tree, a `call-manager` service, and an instance of it for `customer_a2`
/// (under `sub_a`, under `reseller_a`, under `dist`).
async fn provisioned(app: &TestApp) -> (http_tests::Tree, Uuid) {
    let t = app.tree().await;
    app.catalogue(&[("call-manager", &["eu-west", "us-east"][..])]).await;
    let r = app
        .admin()
        .customers()
        .add_service_instance(t.customer_a2, json!({"service": "call-manager", "region": "eu-west"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    (t, r.id())
}

/// The token in a launch URL, checked against the JWKS as the service would.
async fn verified(app: &TestApp, url: &str, audience: &str) -> Value {
    let token = url
        .strip_prefix("https://call-manager.example/launch#token=")
        .unwrap_or_else(|| panic!("launch_url#token=…: {url}"));
    let jwks = app.anonymous().platform().jwks().await;
    let jwk: Jwk = serde_json::from_value(jwks.body["keys"][0].clone()).expect("a JWK");
    let header = decode_header(token).expect("a JWT header");
    assert_eq!(header.alg, Algorithm::EdDSA);
    assert_eq!(header.kid, jwk.common.key_id);
    let key = DecodingKey::from_jwk(&jwk).expect("the published key");
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[app.config.issuer()]);
    validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    decode::<Value>(token, &key, &validation)
        .expect("a valid launch token")
        .claims
}

both_backends!(the_catalogue_is_kept_by_the_providers_admins, |app| async move {
    let t = app.tree().await;
    let body = json!({"key": "call-manager", "name": "Call Manager", "launch_url": "https://cm.example/launch", "regions": ["us-east", "eu-west"]});
    let (_, dist_admin) = app.operator(t.dist, "admin@dist.example", &[Role::Admin]);
    let r = app.as_(&dist_admin).post("/v1/services", body.clone()).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app.admin().post("/v1/services", body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("location").as_deref(), Some("/v1/services/call-manager"));
    assert_eq!(r.body["regions"], json!(["eu-west", "us-east"]));
    let r = app.admin().post("/v1/services", body).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.error_field(), Some("key"));
    let r = app
        .admin()
        .post(
            "/v1/services",
            json!({"key": "Bad Key", "name": "x", "launch_url": "http://x.example", "regions": []}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let fields: Vec<&str> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["key", "launch_url", "regions"]);

    // Everyone in the channel reads it; only the provider's admins change it.
    let r = app.as_(&dist_admin).get("/v1/services").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["items"][0]["key"], "call-manager");
    let r = app
        .as_(&dist_admin)
        .patch("/v1/services/call-manager", json!({"name": "CM"}), None)
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app
        .admin()
        .patch(
            "/v1/services/call-manager",
            json!({"regions": ["ap-south"]}),
            Some("\"1\""),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["regions"], json!(["ap-south"]));
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    let r = app
        .admin()
        .patch("/v1/services/call-manager", json!({"name": "Stale"}), Some("\"1\""))
        .await;
    assert_eq!(r.status, 412, "{}", r.text);
    let r = app.admin().get("/v1/services/fax").await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app.admin().get("/v1/services/call-manager").await;
    assert_eq!(r.body["name"], "Call Manager");
});

both_backends!(
    the_direct_partner_and_a_partner_two_levels_up_launch,
    |app| async move {
        let (t, instance) = provisioned(&app).await;
        let (direct, direct_token) = app.operator(t.sub_a, "admin@sub-a.example", &[Role::Admin]);
        let (_, above_token) = app.operator(t.dist, "admin@dist.example", &[Role::Admin]);

        let r = launch(&app, &direct_token, instance).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
        let url = r.body["url"].as_str().expect("url").to_string();
        let claims = verified(&app, &url, "call-manager").await;
        assert_eq!(claims["typ"], "launch");
        assert_eq!(claims["aud"], "call-manager");
        assert_eq!(claims["sub"], instance.to_string());
        assert_eq!(claims["tid"], t.customer_a2.to_string());
        assert_eq!(claims["region"], "eu-west");
        assert_eq!(claims["act"]["sub"], direct.to_string());
        let iat = claims["iat"].as_i64().unwrap();
        let exp = claims["exp"].as_i64().unwrap();
        assert_eq!(exp - iat, 60, "a 60-second token");
        let expires_at: DateTime<Utc> = r.body["expires_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(expires_at.timestamp(), exp);
        let first_jti = claims["jti"].as_str().unwrap().to_string();

        // Not for another service, nor for this API.
        let token = url.split_once("#token=").unwrap().1.to_string();
        let jwks = app.anonymous().platform().jwks().await;
        let jwk: Jwk = serde_json::from_value(jwks.body["keys"][0].clone()).unwrap();
        let mut other = Validation::new(Algorithm::EdDSA);
        other.set_audience(&["backup"]);
        assert!(decode::<Value>(&token, &DecodingKey::from_jwk(&jwk).unwrap(), &other).is_err());
        for r in [
            app.as_(&token).get(paths::ME).await,
            launch(&app, &token, instance).await,
        ] {
            assert_eq!(r.status, 401, "{}", r.text);
            assert_eq!(r.code(), Some("invalid_token"));
        }

        // A partner two levels up (the distributor above the reseller above sub_a).
        let r = launch(&app, &above_token, instance).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let claims = verified(&app, r.body["url"].as_str().unwrap(), "call-manager").await;
        assert_ne!(claims["jti"].as_str(), Some(first_jti.as_str()), "a unique jti");

        // Both launches audited on the customer, naming the operator and the jti, never the token.
        let r = app
            .admin()
            .audit()
            .events(t.customer_a2, "?action=service_instance.launched")
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let events = r.body["items"].as_array().unwrap();
        assert_eq!(events.len(), 2, "{}", r.text);
        assert_eq!(events[0]["actor_id"], direct.to_string());
        assert_eq!(events[0]["target_id"], instance.to_string());
        assert_eq!(events[0]["details"]["jti"], first_jti);
        assert!(!r.text.contains(&token), "the token is never stored");
    }
);

both_backends!(a_sibling_gets_404_and_a_viewer_403, |app| async move {
    let (t, instance) = provisioned(&app).await;
    let (_, sibling) = app.operator(t.reseller_b, "admin@reseller-b.example", &[Role::Admin]);
    let hidden = launch(&app, &sibling, instance).await;
    let absent = launch(&app, &sibling, Uuid::now_v7()).await;
    assert_eq!(hidden.status, 404, "{}", hidden.text);
    assert_eq!(hidden.text, absent.text, "indistinguishable from a random id");

    let (_, viewer) = app.operator(t.sub_a, "viewer@sub-a.example", &[Role::Viewer]);
    let r = launch(&app, &viewer, instance).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.code(), Some("forbidden"));

    // An archived customer is not launched into.
    let r = app.admin().organizations().archive(t.customer_a2).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = launch(&app, &app.admin_token, instance).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.code(), Some("customer_inactive"));

    let r = app
        .admin()
        .audit()
        .events(t.customer_a2, "?action=service_instance.launched")
        .await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(0), "nothing launched");
});
