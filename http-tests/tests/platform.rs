//! Operations endpoints: health, readiness, the OpenAPI document and Swagger UI,
//! the JWKS of the tokens the server signs, and 404s for unknown paths.

use http_tests::{both_backends, paths};
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

both_backends!(health_and_readiness_answer, |app| async move {
    let r = app.anonymous().platform().healthz().await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "ok");
    let r = app.anonymous().platform().readyz().await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body, json!({"status": "ok"}));
    assert!(r
        .header("content-type")
        .unwrap_or_default()
        .starts_with("application/json"));
});

both_backends!(openapi_document_describes_every_operation, |app| async move {
    let r = app.anonymous().platform().openapi().await;
    assert_eq!(r.status, 200, "{}", r.text);
    let spec: Value = serde_json::from_str(&r.text).expect("the document is JSON");
    assert!(
        spec["openapi"].as_str().unwrap_or_default().starts_with("3.1"),
        "{}",
        spec["openapi"]
    );
    let paths = spec["paths"].as_object().expect("paths");
    for path in [
        "/v1/organizations/{id}/descendants",
        "/v1/me",
        "/v1/organizations",
        "/healthz",
        "/readyz",
    ] {
        assert!(paths.contains_key(path), "{path} is missing from the spec");
    }
    let scheme = &spec["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http", "{scheme}");
    assert_eq!(
        scheme["scheme"].as_str().map(str::to_lowercase).as_deref(),
        Some("bearer"),
        "{scheme}"
    );

    let mut operation_ids = Vec::new();
    let mut operations = 0;
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            operations += 1;
            let at = format!("{} {path}", method.to_uppercase());
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(
                id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && id.chars().all(|c| c.is_ascii_alphanumeric()),
                "{at}: operationId {id:?} is not fit for an SDK method name"
            );
            operation_ids.push(id.to_string());
            for field in ["summary", "description"] {
                assert!(
                    op[field].as_str().is_some_and(|s| !s.trim().is_empty()),
                    "{at}: no {field}"
                );
            }
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{at}: no tag");
            let responses = op["responses"].as_object().expect("responses");
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{at}: no success response"
            );
            let security = op["security"].as_array().cloned().unwrap_or_default();
            // Public: `security: []`, so generated clients send no token there.
            let public = op["security"] == serde_json::json!([]);
            if path.starts_with("/v1/") && public {
                assert!(PUBLIC_V1.contains(&at.as_str()), "{at} is public but not meant to be");
            } else if path.starts_with("/v1/") {
                assert!(
                    security.iter().any(|s| s.get("bearer").is_some()),
                    "{at}: no bearer security requirement: {}",
                    op["security"]
                );
                assert!(responses.contains_key("401"), "{at}: no 401 response");
                let problem = &responses["401"]["content"]["application/problem+json"]["schema"]["$ref"];
                assert_eq!(problem, "#/components/schemas/Problem", "{at}: 401 is not a problem");
            }
        }
    }
    assert!(operations >= 12, "only {operations} operations");
    let count = operation_ids.len();
    operation_ids.sort();
    operation_ids.dedup();
    assert_eq!(operation_ids.len(), count, "operationIds must be unique");
});

/// The `/v1` operations that need no token (PRODUCT.md: "the public").
const PUBLIC_V1: &[&str] = &[
    "GET /v1/domains/{domain}",
    "HEAD /v1/domains/{domain}",
    "GET /v1/activations/{token}",
    "POST /v1/activations/{token}",
    "POST /v1/programmes/{org_id}/applications",
    "GET /v1/brands/{portal_domain}",
    "GET /v1/brands/{portal_domain}/logo",
    "POST /v1/sessions",
    "POST /v1/customer-sessions",
    "POST /v1/password-resets",
    "POST /v1/password-resets/{token}",
];

both_backends!(swagger_ui_is_served_and_the_bare_path_redirects, |app| async move {
    let r = app.anonymous().platform().swagger_ui().await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.header("content-type").unwrap_or_default().starts_with("text/html"),
        "{:?}",
        r.headers
    );
    assert!(r.text.to_lowercase().contains("<html"), "{}", r.text);
    assert!(r.text.contains("swagger"), "not Swagger UI: {}", r.text);

    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = app.send(no_redirects.get(app.url("/swagger-ui"))).await;
    assert!(
        (300..400).contains(&r.status),
        "/swagger-ui answered {}: {}",
        r.status,
        r.text
    );
    assert_eq!(r.header("location").as_deref(), Some("/swagger-ui/"));
    // Followed (the default client follows redirects), it ends at the UI.
    let r = app.anonymous().get("/swagger-ui").await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap_or_default().starts_with("text/html"));
});

both_backends!(jwks_publishes_the_key_our_tokens_verify_with, |app| async move {
    let r = app.anonymous().platform().jwks().await;
    assert_eq!(r.status, 200, "{}", r.text);
    let keys = r.body["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 1, "{}", r.text);
    let key = &keys[0];
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert!(
        key.get("d").is_none(),
        "the JWKS must not publish the private key: {key}"
    );
    let kid = key["kid"].as_str().expect("kid");
    let x = key["x"].as_str().expect("x");

    let issuer = app.config.issuer();
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&["partner-portal-api"]);
    validation.set_issuer(&[issuer.as_str()]);
    let decoding = DecodingKey::from_ed_components(x).expect("ed25519 x");
    for token in [app.admin_token.clone(), app.token_for(app.root)] {
        let header = decode_header(&token).expect("header");
        assert_eq!(header.kid.as_deref(), Some(kid), "the token's kid is not in the JWKS");
        assert_eq!(header.alg, Algorithm::EdDSA);
        let data = decode::<Value>(&token, &decoding, &validation).expect("the token verifies with the published key");
        assert_eq!(data.claims["iss"], issuer.as_str());
        assert_eq!(data.claims["typ"], "access");
    }
    // A token that is not ours does not verify with it.
    let (head, _) = app.admin_token.rsplit_once('.').expect("jwt");
    let forged = format!("{head}.{}", "A".repeat(86));
    assert!(decode::<Value>(&forged, &decoding, &validation).is_err());
});

both_backends!(unknown_paths_are_404_problems, |app| async move {
    for path in [
        "/nope",
        "/v1/nope",
        "/v1/organizations/x/y/z",
        "/v2/organizations",
        "/.well-known/other",
    ] {
        let r = app.anonymous().get(path).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{path}: {}",
            r.text
        );
        assert_eq!(r.body["status"], 404, "{path}");
        assert_eq!(r.code(), Some("not_found"), "{path}");
        // With a token too: the answer does not depend on who asks.
        let r = app.admin().get(path).await;
        assert_eq!(r.status, 404, "{path} with a token: {}", r.text);
        assert_eq!(r.body["status"], 404, "{path}");
    }
});

both_backends!(a_known_path_with_another_method_is_a_405_problem, |app| async move {
    let r = app.admin().delete(&paths::organization(app.root)).await;
    assert_eq!(r.status, 405, "{}", r.text);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{}",
        r.text
    );
    assert_eq!(r.body["status"], 405);
    let allow = r.header("allow").unwrap_or_default();
    for method in ["GET", "PATCH"] {
        assert!(allow.contains(method), "Allow: {allow}");
    }
    // And nothing was removed.
    assert_eq!(app.admin().organizations().get(app.root).await.status, 200);
});
