//! `POST /oauth/token`, the OAuth2 client-credentials grant (RFC 6749 §4.4):
//! credentials in HTTP Basic (parts form-urlencoded, §2.3.1) or in the form body,
//! never both; a bearer token in §5.1's shape that acts as the client on the API;
//! refusals in §5.2's JSON form (`invalid_request`, `invalid_client`,
//! `unsupported_grant_type`), never problem+json.

use std::collections::BTreeSet;

use domain::StatusChange;
use http_tests::{both_backends, paths, Reply, TestApp};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::api_clients::{
    access_token, assert_oauth_error, b64, basic, create_client, form, grant_basic, role_set, set, token_request,
};

/// Every byte percent-encoded, which RFC 6749 §2.3.1 allows in Basic credentials.
fn percent_all(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

fn body_credentials(id: &str, secret: &str) -> String {
    form(&[
        ("grant_type", "client_credentials"),
        ("client_id", id),
        ("client_secret", secret),
    ])
}

/// A successful grant in RFC 6749 §5.1's shape, for a client with `roles`.
#[track_caller]
fn assert_granted(r: &Reply, roles: &[&str]) -> String {
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.header("content-type")
            .unwrap_or_default()
            .starts_with("application/json"),
        "{:?}",
        r.headers
    );
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(r.header("pragma").as_deref(), Some("no-cache"));
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 3600);
    let scope: BTreeSet<String> = r.body["scope"]
        .as_str()
        .unwrap_or_else(|| panic!("no scope: {}", r.text))
        .split(' ')
        .map(str::to_owned)
        .collect();
    assert_eq!(scope, set(roles));
    let token = r.body["access_token"].as_str().unwrap_or_else(|| panic!("{}", r.text));
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
    token.to_string()
}

/// `/v1/me` with the token answers as the API client.
async fn assert_acts_as(app: &TestApp, token: &str, client: Uuid, home: Uuid, roles: &[&str]) {
    let me = app.as_(token).platform().me().await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["id"], client.to_string());
    assert_eq!(me.body["principal_type"], "api_client");
    assert!(me.body["email"].is_null(), "{}", me.text);
    assert_eq!(me.body["home_organization_id"], home.to_string());
    assert_eq!(role_set(&me.body["roles"]), set(roles));
}

both_backends!(basic_credentials_get_a_bearer_token, |app| async move {
    let t = app.tree().await;
    let c = create_client(
        &app,
        &app.admin_token,
        t.reseller_a,
        "ConnectWise",
        &["viewer", "billing"],
    )
    .await;
    let r = grant_basic(&app, &c.client_id(), &c.secret).await;
    let token = assert_granted(&r, &["viewer", "billing"]);
    assert!(!r.text.contains(&c.secret), "{}", r.text);
    assert_acts_as(&app, &token, c.id, t.reseller_a, &["viewer", "billing"]).await;
    let me = app.as_(&token).platform().me().await;
    assert_eq!(me.body["home_organization_kind"], "partner");
    // A `Basic` scheme in any case, and a `scope` asked for, change nothing.
    let lower = basic(&c.client_id(), &c.secret).replacen("Basic", "basic", 1);
    let r = token_request(&app, "grant_type=client_credentials&scope=admin", Some(&lower)).await;
    let token = assert_granted(&r, &["viewer", "billing"]);
    assert_acts_as(&app, &token, c.id, t.reseller_a, &["viewer", "billing"]).await;
});

both_backends!(body_credentials_get_a_bearer_token, |app| async move {
    let t = app.tree().await;
    let c = create_client(&app, &app.admin_token, t.sub_a, "Autotask", &["admin"]).await;
    let r = token_request(&app, &body_credentials(&c.client_id(), &c.secret), None).await;
    let token = assert_granted(&r, &["admin"]);
    assert!(!r.text.contains(&c.secret), "{}", r.text);
    assert_acts_as(&app, &token, c.id, t.sub_a, &["admin"]).await;
    // A charset parameter and an unknown parameter are fine (RFC 6749 §3.2).
    let oauth = app.anonymous().oauth();
    let req = oauth
        .request()
        .header("content-type", "application/x-www-form-urlencoded; charset=UTF-8")
        .body(format!(
            "{}&audience=whatever",
            body_credentials(&c.client_id(), &c.secret)
        ));
    let r = oauth.send(req).await;
    let token = assert_granted(&r, &["admin"]);
    assert_acts_as(&app, &token, c.id, t.sub_a, &["admin"]).await;
});

both_backends!(percent_encoded_basic_credentials_work, |app| async move {
    let t = app.tree().await;
    let c = create_client(&app, &app.admin_token, t.reseller_a, "HaloPSA", &["viewer"]).await;
    let header = basic(&percent_all(&c.client_id()), &percent_all(&c.secret));
    let r = token_request(&app, "grant_type=client_credentials", Some(&header)).await;
    let token = assert_granted(&r, &["viewer"]);
    assert_acts_as(&app, &token, c.id, t.reseller_a, &["viewer"]).await;
    // Decoding is the server's job: the encoded form of a wrong secret is still wrong.
    let header = basic(&percent_all(&c.client_id()), &percent_all(&format!("{}x", c.secret)));
    let r = token_request(&app, "grant_type=client_credentials", Some(&header)).await;
    assert_oauth_error(&r, 401, "invalid_client");
});

both_backends!(both_ways_at_once_is_invalid_request, |app| async move {
    let t = app.tree().await;
    let c = create_client(&app, &app.admin_token, t.reseller_a, "Both", &["viewer"]).await;
    let r = token_request(
        &app,
        &body_credentials(&c.client_id(), &c.secret),
        Some(&basic(&c.client_id(), &c.secret)),
    )
    .await;
    assert_oauth_error(&r, 400, "invalid_request");
    // A secret in the body next to Basic credentials is two methods too.
    let body = form(&[("grant_type", "client_credentials"), ("client_secret", &c.secret)]);
    let r = token_request(&app, &body, Some(&basic(&c.client_id(), &c.secret))).await;
    assert_oauth_error(&r, 400, "invalid_request");
});

both_backends!(
    missing_credentials_are_invalid_client_with_a_challenge,
    |app| async move {
        let t = app.tree().await;
        let c = create_client(&app, &app.admin_token, t.reseller_a, "Nobody", &["viewer"]).await;
        for body in [
            "grant_type=client_credentials".to_string(),
            form(&[("grant_type", "client_credentials"), ("client_id", &c.client_id())]),
            form(&[("grant_type", "client_credentials"), ("client_secret", &c.secret)]),
        ] {
            let r = token_request(&app, &body, None).await;
            assert_oauth_error(&r, 401, "invalid_client");
        }
        // A bearer token is not client authentication.
        let r = token_request(
            &app,
            "grant_type=client_credentials",
            Some(&format!("Bearer {}", app.admin_token)),
        )
        .await;
        assert_oauth_error(&r, 401, "invalid_client");
    }
);

both_backends!(
    wrong_or_unknown_credentials_are_one_generic_invalid_client,
    |app| async move {
        let t = app.tree().await;
        let c = create_client(&app, &app.admin_token, t.reseller_a, "Target", &["viewer"]).await;
        let other = create_client(&app, &app.admin_token, t.reseller_b, "Other", &["admin"]).await;
        let id = c.client_id();
        let unknown = Uuid::now_v7().to_string();
        let wrong = format!("{}x", c.secret);
        let attempts = [
            ("wrong secret, Basic", grant_basic(&app, &id, &wrong).await),
            (
                "wrong secret, body",
                token_request(&app, &body_credentials(&id, &wrong), None).await,
            ),
            ("empty secret", grant_basic(&app, &id, "").await),
            ("secret prefix", grant_basic(&app, &id, &c.secret[..20]).await),
            ("another client's secret", grant_basic(&app, &id, &other.secret).await),
            ("unknown id", grant_basic(&app, &unknown, &c.secret).await),
            (
                "unknown id, body",
                token_request(&app, &body_credentials(&unknown, &c.secret), None).await,
            ),
            ("not a UUID", grant_basic(&app, "connectwise", &c.secret).await),
            (
                "not a UUID, body",
                token_request(&app, &body_credentials("1 OR 1=1", &c.secret), None).await,
            ),
        ];
        let mut bodies = BTreeSet::new();
        for (what, r) in &attempts {
            assert_oauth_error(r, 401, "invalid_client");
            assert!(r.body.get("access_token").is_none(), "{what}: {}", r.text);
            assert!(
                !r.text.contains(&c.secret) && !r.text.contains(&other.secret),
                "{what}: {}",
                r.text
            );
            bodies.insert(r.text.clone());
        }
        assert_eq!(bodies.len(), 1, "unknown and wrong answer alike: {bodies:?}");
        // Malformed Basic credentials are refused too.
        for header in [
            "Basic !!!not-base64!!!",
            &format!("Basic {}", b64(b"no-colon-here")),
            "Basic",
        ] {
            let r = token_request(&app, "grant_type=client_credentials", Some(header)).await;
            assert_oauth_error(&r, 401, "invalid_client");
        }
        // None of that was a use of the client.
        let r = app.admin().api_clients().get(c.id).await;
        assert!(r.body["last_used_at"].is_null(), "{}", r.text);
        // The right pair still works.
        access_token(&app, &id, &c.secret).await;
    }
);

both_backends!(grant_type_is_required_and_only_client_credentials, |app| async move {
    let t = app.tree().await;
    let c = create_client(&app, &app.admin_token, t.reseller_a, "Grants", &["viewer"]).await;
    let auth = basic(&c.client_id(), &c.secret);
    for grant in ["password", "authorization_code", "refresh_token", "CLIENT_CREDENTIALS"] {
        let body = form(&[
            ("grant_type", grant),
            ("username", "admin@contoso-cloud.example"),
            ("password", "x"),
        ]);
        let r = token_request(&app, &body, Some(&auth)).await;
        assert_oauth_error(&r, 400, "unsupported_grant_type");
    }
    for body in ["", "scope=viewer", "grant=client_credentials"] {
        let r = token_request(&app, body, Some(&auth)).await;
        assert_oauth_error(&r, 400, "invalid_request");
    }
    assert_granted(&grant_basic(&app, &c.client_id(), &c.secret).await, &["viewer"]);
});

both_backends!(repeated_parameters_are_invalid_request, |app| async move {
    let t = app.tree().await;
    let c = create_client(&app, &app.admin_token, t.reseller_a, "Repeats", &["viewer"]).await;
    let auth = basic(&c.client_id(), &c.secret);
    let r = token_request(
        &app,
        "grant_type=client_credentials&grant_type=client_credentials",
        Some(&auth),
    )
    .await;
    assert_oauth_error(&r, 400, "invalid_request");
    let body = format!(
        "{}&client_secret=pps_other",
        body_credentials(&c.client_id(), &c.secret)
    );
    let r = token_request(&app, &body, None).await;
    assert_oauth_error(&r, 400, "invalid_request");
    let body = format!(
        "{}&client_id={}",
        body_credentials(&c.client_id(), &c.secret),
        c.client_id()
    );
    let r = token_request(&app, &body, None).await;
    assert_oauth_error(&r, 400, "invalid_request");
});

both_backends!(only_form_bodies_are_read, |app| async move {
    let t = app.tree().await;
    let c = create_client(&app, &app.admin_token, t.reseller_a, "Json", &["viewer"]).await;
    let fields = json!({"grant_type": "client_credentials", "client_id": c.client_id(), "client_secret": c.secret});
    let oauth = app.anonymous().oauth();
    let r = oauth.send(oauth.request().json(&fields)).await;
    assert_oauth_error(&r, 400, "invalid_request");
    // With Basic credentials too: the body must still be a form.
    let r = oauth
        .send(
            oauth
                .request()
                .header("authorization", basic(&c.client_id(), &c.secret))
                .json(&json!({"grant_type": "client_credentials"})),
        )
        .await;
    assert_oauth_error(&r, 400, "invalid_request");
    // A form body without its content type is not read either.
    let r = oauth
        .send(oauth.request().body(body_credentials(&c.client_id(), &c.secret)))
        .await;
    assert_oauth_error(&r, 400, "invalid_request");
    // Credentials in the query string are not client authentication.
    let anonymous = app.anonymous();
    let query = format!("?client_id={}&client_secret={}", c.client_id(), c.secret);
    let r = anonymous
        .send(
            anonymous
                .request(Method::POST, &format!("{}{query}", paths::OAUTH_TOKEN))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials"),
        )
        .await;
    assert_oauth_error(&r, 401, "invalid_client");
});

// RFC 6749 §3.2: "Parameters sent without a value MUST be treated as if they were
// omitted from the request."
both_backends!(
    empty_credential_parameters_beside_basic_count_as_omitted,
    |app| async move {
        let t = app.tree().await;
        let c = create_client(&app, &app.admin_token, t.reseller_a, "Empty values", &["viewer"]).await;
        let auth = basic(&c.client_id(), &c.secret);
        let r = token_request(
            &app,
            "grant_type=client_credentials&client_id=&client_secret=",
            Some(&auth),
        )
        .await;
        let token = assert_granted(&r, &["viewer"]);
        assert_acts_as(&app, &token, c.id, t.reseller_a, &["viewer"]).await;
    }
);

both_backends!(an_empty_grant_type_counts_as_missing, |app| async move {
    let t = app.tree().await;
    let c = create_client(&app, &app.admin_token, t.reseller_a, "Empty grant", &["viewer"]).await;
    let r = token_request(&app, "grant_type=", Some(&basic(&c.client_id(), &c.secret))).await;
    assert_oauth_error(&r, 400, "invalid_request");
});

both_backends!(the_issued_token_is_checked_by_the_server, |app| async move {
    let t = app.tree().await;
    let viewer = create_client(&app, &app.admin_token, t.reseller_a, "Viewer", &["viewer"]).await;
    let admin = create_client(&app, &app.admin_token, t.reseller_b, "Admin", &["admin"]).await;
    let token = access_token(&app, &viewer.client_id(), &viewer.secret).await;
    let other = access_token(&app, &admin.client_id(), &admin.secret).await;
    assert_eq!(app.as_(&token).platform().me().await.status, 200);

    let parts: Vec<&str> = token.split('.').collect();
    let other_parts: Vec<&str> = other.split('.').collect();
    // One character of the signature changed.
    let mut sig: Vec<char> = parts[2].chars().collect();
    let mid = sig.len() / 2;
    sig[mid] = if sig[mid] == 'A' { 'B' } else { 'A' };
    let flipped: String = sig.into_iter().collect();
    // Another client's claims under this token's signature (an attempt to become the admin client).
    let forged = [
        format!("{}.{}.{}", parts[0], parts[1], flipped),
        format!("{}.{}.{}", parts[0], other_parts[1], parts[2]),
        format!("{}.{}.", parts[0], parts[1]),
        token[..token.len() - 1].to_string(),
    ];
    for bad in forged {
        let r = app.as_(&bad).platform().me().await;
        assert_eq!(r.status, 401, "{bad}: {}", r.text);
        assert_eq!(r.code(), Some("invalid_token"));
        let r = app
            .as_(&bad)
            .organizations()
            .create(json!({"parent_id": t.reseller_b, "kind": "partner", "name": "Forged"}))
            .await;
        assert_eq!(r.status, 401, "{}", r.text);
    }
    let r = app.admin().organizations().children(t.reseller_b, "").await;
    assert!(!r.names().contains(&"Forged".to_string()), "{}", r.text);
});

both_backends!(a_suspended_home_refuses_its_clients, |app| async move {
    let t = app.tree().await;
    let root_path = app.store.organization(app.root).unwrap().unwrap().path;
    app.store
        .change_organization_status(
            &root_path,
            t.reseller_a,
            StatusChange::Activate,
            &persistence::AuditEntry::by(persistence::Actor::System),
        )
        .expect("activate");
    let c = create_client(&app, &app.admin_token, t.reseller_a, "Suspended soon", &["viewer"]).await;
    let token = access_token(&app, &c.client_id(), &c.secret).await;
    assert_acts_as(&app, &token, c.id, t.reseller_a, &["viewer"]).await;

    let r = app.admin().organizations().suspend(t.reseller_a).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.as_(&token).platform().me().await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.code(), Some("invalid_token"));
    let r = app.as_(&token).organizations().descendants(t.reseller_a, "").await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_oauth_error(
        &grant_basic(&app, &c.client_id(), &c.secret).await,
        401,
        "invalid_client",
    );

    // Reactivated, the client acts again (it was never revoked).
    let r = app.admin().organizations().reactivate(t.reseller_a).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let token = access_token(&app, &c.client_id(), &c.secret).await;
    assert_acts_as(&app, &token, c.id, t.reseller_a, &["viewer"]).await;
});
