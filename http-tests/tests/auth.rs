//! Authentication through HTTP: every refused token is a 401 problem (never a 500),
//! the API's own tokens are checked for kind, key, algorithm, issuer, audience and
//! validity period, identity-provider tokens find their operator by e-mail, and
//! rule 4 (role and status changes apply on the very next request).

use domain::Role;
use http_tests::{both_backends, paths, Reply, TestApp, IDP_AUDIENCE, IDP_ISSUER, IDP_KID};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

const IDP_PRIVATE_PEM: &[u8] = include_bytes!("../fixtures/idp-private.pem");

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Base64url without padding, as JWT segments are written.
fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// A token assembled by hand: any header, any claims, any signature bytes.
fn raw_token(header: &Value, claims: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes()),
        signature
    )
}

/// The claims of a valid access token for `sub`, as the API itself would sign them.
fn access_claims(app: &TestApp, sub: Uuid) -> Value {
    let now = now();
    serde_json::to_value(api::auth::AccessClaims {
        iss: app.config.issuer(),
        aud: api::auth::ACCESS_AUDIENCE.to_string(),
        sub: sub.to_string(),
        pty: "operator".to_string(),
        typ: api::auth::ACCESS_TOKEN_TYPE.to_string(),
        iat: now,
        nbf: now,
        exp: now + 600,
        jti: Uuid::now_v7().to_string(),
        scope: None,
    })
    .expect("claims")
}

/// Signed with the server's own key and `kid`.
fn sign(app: &TestApp, claims: &Value) -> String {
    app.signing_keys().sign(claims).expect("sign")
}

/// The server's own private key, for tokens with a header `sign` would not write.
fn own_encoding_key(app: &TestApp) -> EncodingKey {
    let pem = std::fs::read(app.config.data_dir.join("signing-key.pem")).expect("signing key file");
    EncodingKey::from_ed_pem(&pem).expect("ed25519 pem")
}

fn own_kid(app: &TestApp) -> String {
    app.signing_keys().kid().to_string()
}

fn idp_claims(email: &str) -> Value {
    let now = now();
    json!({"iss": IDP_ISSUER, "aud": IDP_AUDIENCE, "exp": now + 600, "nbf": now - 5, "iat": now - 5, "email": email})
}

fn idp_token_with_kid(claims: &Value, kid: &str) -> String {
    let key = EncodingKey::from_rsa_pem(IDP_PRIVATE_PEM).expect("idp key");
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_string());
    encode(&header, claims, &key).expect("idp token")
}

fn idp_token(claims: &Value) -> String {
    idp_token_with_kid(claims, IDP_KID)
}

/// Replaces the first character of the signature segment, so its first byte differs.
fn tamper_signature(token: &str) -> String {
    let (rest, sig) = token.rsplit_once('.').expect("three parts");
    let first = if sig.starts_with('A') { 'B' } else { 'A' };
    format!("{rest}.{first}{}", &sig[1..])
}

async fn me(app: &TestApp, token: &str) -> Reply {
    app.as_(token).platform().me().await
}

/// A 401 as RFC 6750 and RFC 9457 want it: a Bearer challenge and a problem body.
/// `GET /v1/me` with this `Authorization` header, as sent.
async fn with_authorization(app: &TestApp, value: &str) -> Reply {
    let anonymous = app.anonymous();
    anonymous
        .send(anonymous.request(Method::GET, paths::ME).header("Authorization", value))
        .await
}

fn assert_unauthorized(r: &Reply, code: &str, what: &str) {
    assert_eq!(r.status, 401, "{what}: {}", r.text);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{what}"
    );
    let challenge = r.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer"),
        "{what}: WWW-Authenticate is {challenge:?}"
    );
    assert_eq!(r.body["status"], 401, "{what}: {}", r.text);
    assert_eq!(r.code(), Some(code), "{what}: {}", r.text);
    for field in ["type", "title", "detail"] {
        assert!(r.body[field].is_string(), "{what}: no {field} in {}", r.text);
    }
    assert!(
        r.body["id"].is_null(),
        "{what}: a refused token must not reveal the caller"
    );
}

/// A refused token: invalid, whatever the reason.
fn assert_refused(r: &Reply, what: &str) {
    assert_eq!(r.status, 401, "{what}: {}", r.text);
    let code = r.code().unwrap_or_default().to_string();
    assert!(
        code == "invalid_token" || code == "unauthenticated",
        "{what}: code {code:?} in {}",
        r.text
    );
    assert_unauthorized(r, &code, what);
}

both_backends!(missing_or_garbage_credentials_are_401, |app| async move {
    // The control: the same call with a good token answers.
    assert_eq!(me(&app, &app.admin_token).await.status, 200);

    let r = app.anonymous().platform().me().await;
    assert_unauthorized(&r, "unauthenticated", "no Authorization header");
    let r = app
        .anonymous()
        .organizations()
        .create(json!({"parent_id": app.root, "kind": "distributor", "name": "Anonymous"}))
        .await;
    assert_unauthorized(&r, "unauthenticated", "anonymous create");

    for header in [
        "Basic x".to_string(),
        format!("Basic {}", b64url(b"admin@contoso-cloud.example:secret")),
        "Bearer".to_string(),
        "Bearer ".to_string(),
        "Token abc".to_string(),
        app.admin_token.clone(),
        format!("Digest {}", app.admin_token),
    ] {
        let r = with_authorization(&app, &header).await;
        assert_unauthorized(&r, "unauthenticated", &format!("Authorization: {header}"));
    }
    for garbage in [
        "garbage",
        "a.b.c",
        "abc.def.ghi",
        "....",
        "eyJhbGciOiJFZERTQSJ9",
        "eyJhbGciOiJFZERTQSJ9.e30",
        "%%%.%%%.%%%",
        "eyJhbGciOiJFZERTQSIsImtpZCI6IngifQ.bm90IGpzb24.c2ln",
    ] {
        let r = me(&app, garbage).await;
        assert_unauthorized(&r, "invalid_token", &format!("token {garbage:?}"));
        assert!(r
            .header("www-authenticate")
            .unwrap_or_default()
            .contains("invalid_token"));
    }
    // The scheme name is case-insensitive (RFC 7235).
    let r = with_authorization(&app, &format!("bearer {}", app.admin_token)).await;
    assert_eq!(r.status, 200, "{}", r.text);
});

both_backends!(a_token_we_sign_names_its_operator, |app| async move {
    let (id, _) = app.operator(app.root, "ops@contoso-cloud.example", &[Role::Admin]);
    let token = sign(&app, &access_claims(&app, id));
    let r = me(&app, &token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["id"], id.to_string());
    assert_eq!(r.body["email"], "ops@contoso-cloud.example");
});

both_backends!(unknown_or_odd_kid_is_401_never_500, |app| async move {
    let (id, _) = app.operator(app.root, "ops@contoso-cloud.example", &[Role::Admin]);
    let claims = access_claims(&app, id);
    let key = own_encoding_key(&app);
    let with_kid = |kid: Option<String>| {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = kid;
        encode(&header, &claims, &key).expect("token")
    };
    // The control: our key, our kid, written by hand.
    assert_eq!(me(&app, &with_kid(Some(own_kid(&app)))).await.status, 200);

    let odd = [
        None,
        Some(String::new()),
        Some("unknown-key".to_string()),
        Some(format!("{}x", own_kid(&app))),
        Some(own_kid(&app).to_uppercase()).filter(|k| *k != own_kid(&app)),
        Some("../../../../etc/passwd".to_string()),
        Some("https://attacker.example/jwks.json".to_string()),
        Some("k\u{0}id".to_string()),
        Some("x".repeat(4000)),
        // The identity provider's kid with our EdDSA signature: the wrong algorithm for that key.
        Some(IDP_KID.to_string()),
    ];
    for kid in odd {
        let r = me(&app, &with_kid(kid.clone())).await;
        assert_refused(&r, &format!("kid {kid:?}"));
    }
    // A kid that is not a string at all.
    let header = json!({"alg": "EdDSA", "typ": "JWT", "kid": 42});
    let r = me(&app, &raw_token(&header, &claims, "c2ln")).await;
    assert_refused(&r, "numeric kid");
});

both_backends!(alg_none_hs256_and_rs256_with_our_kid_are_401, |app| async move {
    let (id, _) = app.operator(app.root, "ops@contoso-cloud.example", &[Role::Admin]);
    let claims = access_claims(&app, id);
    let kid = own_kid(&app);
    assert_eq!(me(&app, &sign(&app, &claims)).await.status, 200, "control");

    for alg in ["none", "None", "NONE"] {
        let header = json!({"alg": alg, "typ": "JWT", "kid": kid});
        for signature in ["", "c2ln"] {
            let r = me(&app, &raw_token(&header, &claims, signature)).await;
            assert_refused(&r, &format!("alg {alg} signature {signature:?}"));
        }
    }
    // HS256 keyed with what an attacker knows: our public key (the classic key-confusion attack).
    let jwks = app.anonymous().platform().jwks().await;
    let x = jwks.body["keys"][0]["x"].as_str().expect("x").to_string();
    for secret in [x.as_bytes(), b"secret".as_slice()] {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(kid.clone());
        let token = encode(&header, &claims, &EncodingKey::from_secret(secret)).expect("hs256");
        assert_refused(&me(&app, &token).await, "HS256 with our kid");
    }
    // RS256 (a key the server trusts, but for identity-provider tokens) with our kid.
    let token = idp_token_with_kid(&claims, &kid);
    assert_refused(&me(&app, &token).await, "RS256 with our kid");
});

both_backends!(a_tampered_signature_or_payload_is_401, |app| async move {
    let (admin, _) = app.operator(app.root, "ops@contoso-cloud.example", &[Role::Admin]);
    let (_, viewer_token) = app.operator(app.root, "viewer@contoso-cloud.example", &[Role::Viewer]);
    assert_eq!(me(&app, &viewer_token).await.status, 200, "control");
    assert_refused(&me(&app, &tamper_signature(&viewer_token)).await, "tampered signature");
    // The viewer's signature on an admin's claims.
    let mut parts = viewer_token.split('.');
    let (header, _, signature) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
    let forged = format!(
        "{header}.{}.{signature}",
        b64url(access_claims(&app, admin).to_string().as_bytes())
    );
    assert_refused(&me(&app, &forged).await, "swapped payload");
    // No signature at all.
    assert_refused(
        &me(&app, &format!("{header}.{}.", b64url(b"{}"))).await,
        "empty signature",
    );
});

both_backends!(expired_and_not_yet_valid_tokens_are_401, |app| async move {
    let (id, _) = app.operator(app.root, "ops@contoso-cloud.example", &[Role::Admin]);
    let now = now();
    // The control: a token that became valid a while ago and is still valid.
    let mut ok = access_claims(&app, id);
    ok["iat"] = json!(now - 3000);
    ok["nbf"] = json!(now - 3000);
    assert_eq!(me(&app, &sign(&app, &ok)).await.status, 200, "control");

    let mut expired = ok.clone();
    expired["exp"] = json!(now - 120);
    let r = me(&app, &sign(&app, &expired)).await;
    assert_refused(&r, "expired");
    assert!(
        r.body["detail"].as_str().unwrap_or_default().contains("expired"),
        "{}",
        r.text
    );
    expired["exp"] = json!(now - 3600 * 24 * 365);
    assert_refused(&me(&app, &sign(&app, &expired)).await, "expired a year ago");

    let mut early = access_claims(&app, id);
    early["nbf"] = json!(now + 300);
    early["exp"] = json!(now + 900);
    assert_refused(&me(&app, &sign(&app, &early)).await, "nbf in the future");
});

both_backends!(wrong_issuer_audience_or_kind_is_401, |app| async move {
    let (id, _) = app.operator(app.root, "ops@contoso-cloud.example", &[Role::Admin]);
    let good = access_claims(&app, id);
    assert_eq!(me(&app, &sign(&app, &good)).await.status, 200, "control");

    let variants: Vec<(&str, &str, Value)> = vec![
        ("iss", "another issuer", json!("https://attacker.example")),
        (
            "iss",
            "issuer with a trailing slash",
            json!(format!("{}/", app.config.issuer())),
        ),
        ("iss", "the identity provider's issuer", json!(IDP_ISSUER)),
        ("aud", "another audience", json!("partner-portal-customer-portal")),
        ("aud", "the identity provider's audience", json!(IDP_AUDIENCE)),
        ("aud", "an empty audience list", json!([])),
        ("typ", "an impersonation token", json!("impersonation")),
        ("typ", "an activation token", json!("activation")),
        ("typ", "an empty type", json!("")),
        ("pty", "an unknown principal type", json!("customer_user")),
        ("pty", "an API client that does not exist", json!("api_client")),
        ("sub", "a subject that is not a UUID", json!("admin")),
        (
            "sub",
            "an operator that does not exist",
            json!(Uuid::now_v7().to_string()),
        ),
    ];
    for (claim, what, value) in variants {
        let mut claims = good.clone();
        claims[claim] = value;
        assert_refused(&me(&app, &sign(&app, &claims)).await, what);
    }
    // An impersonation-shaped token (other audience and type, an `act` claim) signed with our key.
    let mut impersonation = good.clone();
    impersonation["aud"] = json!("partner-portal-customer-portal");
    impersonation["typ"] = json!("impersonation");
    impersonation["act"] = json!({"sub": id.to_string()});
    assert_refused(&me(&app, &sign(&app, &impersonation)).await, "impersonation token");
});

both_backends!(tokens_missing_a_required_claim_are_401, |app| async move {
    let (id, _) = app.operator(app.root, "ops@contoso-cloud.example", &[Role::Admin]);
    let good = access_claims(&app, id);
    assert_eq!(me(&app, &sign(&app, &good)).await.status, 200, "control");
    for claim in ["exp", "nbf", "iss", "aud", "typ", "sub", "pty"] {
        let mut claims = good.clone();
        claims.as_object_mut().expect("object").remove(claim);
        assert_refused(&me(&app, &sign(&app, &claims)).await, &format!("no {claim}"));
        let mut claims = good.clone();
        claims[claim] = Value::Null;
        assert_refused(&me(&app, &sign(&app, &claims)).await, &format!("{claim}: null"));
    }
});

both_backends!(disabled_operator_is_refused_at_once, |app| async move {
    let t = app.tree().await;
    let (id, token) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
    assert_eq!(app.as_(&token).organizations().get(t.reseller_a).await.status, 200);

    app.disable_operator(id).await;
    assert_refused(
        &app.as_(&token).organizations().get(t.reseller_a).await,
        "disabled operator, token issued before",
    );
    assert_refused(&me(&app, &token).await, "disabled operator on /v1/me");
    // A token minted after the change does not help either.
    assert_refused(&me(&app, &app.token_for(id)).await, "disabled operator, fresh token");

    app.enable_operator(id).await;
    let r = app.as_(&token).organizations().get(t.reseller_a).await;
    assert_eq!(r.status, 200, "re-enabled: {}", r.text);
    assert_eq!(r.body["name"], "Reseller A");
});

both_backends!(demoted_admin_gets_403_at_once, |app| async move {
    let t = app.tree().await;
    let (id, token) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let body = |name: &str| json!({"parent_id": t.reseller_a, "kind": "partner", "name": name});
    let r = app.as_(&token).organizations().create(body("Before Demotion")).await;
    assert_eq!(r.status, 201, "{}", r.text);

    app.set_roles(id, &[Role::Viewer]).await;
    let r = app.as_(&token).organizations().create(body("While Viewer")).await;
    assert_eq!(r.status, 403, "demoted, same token: {}", r.text);
    assert_eq!(r.code(), Some("forbidden"));
    let r = me(&app, &token).await;
    assert_eq!(r.body["roles"], json!(["viewer"]), "{}", r.text);
    assert!(!permissions(&r).contains(&"create_organization".to_string()));
    // Still a viewer: reading works.
    assert_eq!(app.as_(&token).organizations().get(t.reseller_a).await.status, 200);

    app.set_roles(id, &[Role::Admin]).await;
    let r = app.as_(&token).organizations().create(body("After Promotion")).await;
    assert_eq!(r.status, 201, "promoted back: {}", r.text);

    let r = app.as_(&token).organizations().children(t.reseller_a, "").await;
    let names = r.names();
    assert!(names.contains(&"Before Demotion".to_string()), "{names:?}");
    assert!(names.contains(&"After Promotion".to_string()), "{names:?}");
    assert!(
        !names.contains(&"While Viewer".to_string()),
        "the refused create wrote nothing: {names:?}"
    );
});

fn permissions(r: &Reply) -> Vec<String> {
    r.body["permissions"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

both_backends!(me_describes_the_caller, |app| async move {
    let t = app.tree().await;
    let (id, token) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
    let r = me(&app, &token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["id"], id.to_string());
    assert_eq!(r.body["principal_type"], "operator");
    assert_eq!(r.body["email"], "viewer@reseller-a.example");
    assert_eq!(r.body["home_organization_id"], t.reseller_a.to_string());
    assert_eq!(r.body["home_organization_kind"], "partner");
    assert_eq!(r.body["roles"], json!(["viewer"]));
    let p = permissions(&r);
    assert!(p.contains(&"read_organizations".to_string()), "{p:?}");
    assert!(!p.contains(&"create_organization".to_string()), "{p:?}");

    let r = me(&app, &app.admin_token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["email"], app.config.bootstrap_admin_email.as_str());
    assert_eq!(r.body["home_organization_id"], app.root.to_string());
    assert_eq!(r.body["home_organization_kind"], "provider");
    assert_eq!(r.body["roles"], json!(["admin"]));
    let p = permissions(&r);
    assert!(p.contains(&"read_organizations".to_string()), "{p:?}");
    assert!(p.contains(&"create_organization".to_string()), "{p:?}");
});

both_backends!(identity_provider_token_finds_the_operator_by_email, |app| async move {
    let t = app.tree().await;
    let (id, _) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
    for email in [
        "viewer@reseller-a.example",
        "Viewer@Reseller-A.EXAMPLE",
        " VIEWER@reseller-a.example ",
    ] {
        let r = me(&app, &idp_token(&idp_claims(email))).await;
        assert_eq!(r.status, 200, "{email}: {}", r.text);
        assert_eq!(r.body["id"], id.to_string(), "{email}");
        assert_eq!(r.body["principal_type"], "operator");
        assert_eq!(r.body["email"], "viewer@reseller-a.example");
        assert_eq!(r.body["home_organization_id"], t.reseller_a.to_string());
        assert_eq!(r.body["home_organization_kind"], "partner");
        assert_eq!(r.body["roles"], json!(["viewer"]));
    }
    // Its scope and role apply as for any other token.
    let token = idp_token(&idp_claims("Viewer@Reseller-A.EXAMPLE"));
    assert_eq!(app.as_(&token).organizations().get(t.customer_a).await.status, 200);
    assert_eq!(app.as_(&token).organizations().get(t.customer_b).await.status, 404);
    let r = app
        .as_(&token)
        .organizations()
        .create(json!({"parent_id": t.reseller_a, "kind": "partner", "name": "No"}))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    // Rule 4 holds for identity-provider tokens too.
    app.disable_operator(id).await;
    assert_refused(&me(&app, &token).await, "disabled, identity-provider token");
});

both_backends!(bad_identity_provider_tokens_are_401, |app| async move {
    app.operator(app.root, "viewer@contoso-cloud.example", &[Role::Viewer]);
    let good = idp_claims("viewer@contoso-cloud.example");
    assert_eq!(me(&app, &idp_token(&good)).await.status, 200, "control");
    let now = now();

    let variants: Vec<(&str, &str, Value)> = vec![
        (
            "iss",
            "another issuer",
            json!("https://login.attacker.test/tenant/v2.0"),
        ),
        ("iss", "our own issuer", json!(app.config.issuer())),
        ("aud", "another audience", json!("api://another-app")),
        ("aud", "our own access audience", json!(api::auth::ACCESS_AUDIENCE)),
        ("exp", "expired", json!(now - 120)),
        ("nbf", "not yet valid", json!(now + 300)),
        ("email", "no @ in the e-mail", json!("viewer")),
        ("email", "an unknown e-mail", json!("nobody@contoso-cloud.example")),
    ];
    for (claim, what, value) in variants {
        let mut claims = good.clone();
        claims[claim] = value;
        assert_refused(&me(&app, &idp_token(&claims)).await, what);
    }
    for claim in ["exp", "nbf", "iss", "aud", "email"] {
        let mut claims = good.clone();
        claims.as_object_mut().expect("object").remove(claim);
        assert_refused(&me(&app, &idp_token(&claims)).await, &format!("no {claim}"));
    }
    // Signed by another key under the same kid: here, a signature that is not the key's.
    assert_refused(
        &me(&app, &tamper_signature(&idp_token(&good))).await,
        "tampered RS256 signature",
    );
    // The right key under a kid the server does not know.
    assert_refused(
        &me(&app, &idp_token_with_kid(&good, "test-idp-key-2")).await,
        "unknown idp kid",
    );
    // HS256 keyed with the identity provider's public modulus, under its kid.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(IDP_KID.to_string());
    let token = encode(
        &header,
        &good,
        &EncodingKey::from_secret(b"s34Azbf8uVUrW9Hj3C0IDGeGAbt0906VJ1SMkjUwqFSuOS8RP5V"),
    )
    .expect("hs256");
    assert_refused(&me(&app, &token).await, "HS256 under the idp kid");
    // alg none under the identity provider's kid.
    let token = raw_token(&json!({"alg": "none", "kid": IDP_KID}), &good, "");
    assert_refused(&me(&app, &token).await, "alg none under the idp kid");
});

both_backends!(identity_provider_email_in_two_organisations_is_401, |app| async move {
    let t = app.tree().await;
    let (in_a, _) = app.operator(t.reseller_a, "shared@channel.example", &[Role::Admin]);
    let (in_b, _) = app.operator(t.reseller_b, "shared@channel.example", &[Role::Viewer]);
    let r = me(&app, &idp_token(&idp_claims("Shared@Channel.example"))).await;
    assert_refused(&r, "e-mail of operators in two organisations");
    // Each of them can still use a token that names it by id.
    for (id, home) in [(in_a, t.reseller_a), (in_b, t.reseller_b)] {
        let r = me(&app, &app.token_for(id)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["home_organization_id"], home.to_string());
    }
});
