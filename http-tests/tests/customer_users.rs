//! Customer users over HTTP: list (status filter, e-mail/name search, pages), add
//! (201, Location, ETag), read, update under `If-Match`; validation (any mailbox
//! provider, E.164 mobiles, `master_admin` implies `admin`); one e-mail per
//! customer, also under races; a customer never loses its last active master
//! admin, also when two demotions race; scope (404 like a random id, and for
//! organisations that are not customers) and roles (403). Impersonation: a
//! customer-portal token (EdDSA, kid from the JWKS, `aud` customer-portal, `typ`
//! impersonation, `act` naming the operator, at most 15 minutes), audited, refused
//! to viewers, API clients, disabled users, suspended customers and callers out
//! of scope, and never accepted by this API as a bearer token.

use domain::{Role, StatusChange};
use http_tests::{both_backends, join_all, paths, Reply, TestApp};
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api_clients::{access_token, create_client};

fn users_of(customer: Uuid) -> String {
    paths::of_customer(customer, "users")
}

fn user_path(id: Uuid) -> String {
    paths::customer_user(id)
}

/// `POST /v1/customers/{customer}/users` with `email`, a name, and `extra` fields.
async fn add(app: &TestApp, token: &str, customer: Uuid, email: &str, extra: Value) -> Reply {
    let mut body = json!({"email": email, "name": format!("Name of {email}")});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    app.as_(token).customer_users().create(customer, body).await
}

/// Adds through the API and returns the new id (asserting 201).
async fn added(app: &TestApp, token: &str, customer: Uuid, email: &str, extra: Value) -> Uuid {
    let r = add(app, token, customer, email, extra).await;
    assert_eq!(r.status, 201, "add {email}: {}", r.text);
    r.id()
}

async fn read(app: &TestApp, id: Uuid) -> Value {
    let r = app.admin().customer_users().get(id).await;
    assert_eq!(r.status, 200, "read {id}: {}", r.text);
    r.body
}

async fn emails(app: &TestApp, token: &str, customer: Uuid, query: &str) -> Vec<String> {
    let r = app.as_(token).customer_users().list(customer, query).await;
    assert_eq!(
        r.status,
        200,
        "{}{query}: {}",
        paths::of_customer(customer, "users"),
        r.text
    );
    r.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {}", r.text))
        .iter()
        .map(|i| i["email"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Active master admins of a customer, by e-mail.
async fn active_master_admins(app: &TestApp, customer: Uuid) -> Vec<String> {
    let r = app
        .admin()
        .customer_users()
        .list(customer, "?status=active&limit=500")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {}", r.text))
        .iter()
        .filter(|u| u["master_admin"] == true)
        .map(|u| u["email"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn call(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> Reply {
    let caller = app.as_(token);
    let method = Method::from_bytes(method.as_bytes()).expect("method");
    let req = caller.request(method, path);
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    caller.send(req).await
}

/// Every customer-user endpoint for a customer and one of its users.
fn endpoints(customer: Uuid, user: Uuid) -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        ("GET", users_of(customer), None),
        (
            "POST",
            users_of(customer),
            Some(json!({"email": "new@fourthcoffee.example", "name": "New"})),
        ),
        ("GET", user_path(user), None),
        ("PATCH", user_path(user), Some(json!({"name": "Renamed"}))),
        ("POST", format!("{}/impersonate", user_path(user)), None),
    ]
}

fn assert_problem(r: &Reply, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.code(), Some(code), "{}", r.text);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{}",
        r.text
    );
}

both_backends!(admin_adds_reads_lists_and_updates_customer_users, |app| async move {
    let t = app.tree().await;
    let (_, admin) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    // Any mailbox provider; stored lowercased; master_admin implies admin.
    let r = add(
        &app,
        &admin,
        t.customer_a,
        " Kim.Abercrombie@Gmail.com ",
        json!({"name": "Kim Abercrombie", "mobile": "+64211234567", "master_admin": true}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let kim = r.id();
    assert_eq!(r.header("location"), Some(user_path(kim)));
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(r.body["customer_id"], t.customer_a.to_string());
    assert_eq!(r.body["email"], "kim.abercrombie@gmail.com");
    assert_eq!(r.body["name"], "Kim Abercrombie");
    assert_eq!(r.body["mobile"], "+64211234567");
    assert_eq!(r.body["admin"], true);
    assert_eq!(r.body["master_admin"], true);
    assert_eq!(r.body["status"], "active");
    assert!(r.body["last_sign_in_at"].is_null(), "{}", r.text);
    assert_eq!(r.body["version"], 1);
    assert_eq!(app.store.audit_event_count(kim).unwrap(), 1);

    // Defaults: neither admin nor master admin, no mobile.
    let r = add(&app, &admin, t.customer_a, "lee@fourthcoffee.example", json!({})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let lee = r.id();
    assert_eq!(r.body["admin"], false);
    assert_eq!(r.body["master_admin"], false);
    assert!(r.body["mobile"].is_null());
    let ana = added(
        &app,
        &admin,
        t.customer_a,
        "ana@fourthcoffee.example",
        json!({"name": "Ana Trujillo", "admin": true}),
    )
    .await;

    // Read: the same record, with its ETag.
    let r = app.as_(&admin).customer_users().get(kim).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(r.body["email"], "kim.abercrombie@gmail.com");

    // List: oldest first, in pages.
    let all = emails(&app, &admin, t.customer_a, "").await;
    assert_eq!(
        all,
        vec![
            "kim.abercrombie@gmail.com",
            "lee@fourthcoffee.example",
            "ana@fourthcoffee.example"
        ]
    );
    let r = app.as_(&admin).customer_users().list(t.customer_a, "?limit=2").await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 2, "{}", r.text);
    let cursor = r.body["next_cursor"].as_str().expect("a next page").to_string();
    let r = app
        .as_(&admin)
        .customer_users()
        .list(t.customer_a, &format!("?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["items"][0]["email"], "ana@fourthcoffee.example");
    assert!(r.body["next_cursor"].is_null(), "{}", r.text);
    let r = app
        .as_(&admin)
        .customer_users()
        .list(t.customer_a, "?cursor=bm9wZQ")
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("cursor"));
    // Search in e-mail and (case-insensitively) in name.
    assert_eq!(
        emails(&app, &admin, t.customer_a, "?q=GMAIL").await,
        vec!["kim.abercrombie@gmail.com"]
    );
    assert_eq!(
        emails(&app, &admin, t.customer_a, "?q=trujILLO").await,
        vec!["ana@fourthcoffee.example"]
    );
    assert_eq!(
        emails(&app, &admin, t.customer_a, "?q=%25").await,
        Vec::<String>::new(),
        "LIKE wildcards are literal"
    );
    // Other customers' users are not listed.
    assert!(emails(&app, &admin, t.customer_a2, "").await.is_empty());

    // Update under If-Match: a stale tag is 412, the current one applies.
    let body = json!({"name": "Lee Chen", "mobile": "+14155550100", "admin": true});
    let r = app
        .as_(&admin)
        .customer_users()
        .update(lee, body.clone(), Some("\"7\""))
        .await;
    assert_problem(&r, 412, "stale_version");
    let r = app.as_(&admin).customer_users().update(lee, body, Some("\"1\"")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(r.body["name"], "Lee Chen");
    assert_eq!(r.body["mobile"], "+14155550100");
    assert_eq!(r.body["admin"], true);
    assert_eq!(r.body["master_admin"], false);
    // master_admin true sets admin; null clears the mobile; e-mail changes.
    let r = app
        .as_(&admin)
        .customer_users()
        .update(
            lee,
            json!({"master_admin": true, "mobile": null, "email": "LEE@Contoso.example"}),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["master_admin"], true);
    assert_eq!(r.body["admin"], true);
    assert!(r.body["mobile"].is_null(), "{}", r.text);
    assert_eq!(r.body["email"], "lee@contoso.example");
    assert_eq!(r.body["version"], 3);
    // Disable and re-enable.
    let r = app
        .as_(&admin)
        .customer_users()
        .update(ana, json!({"status": "disabled"}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "disabled");
    assert_eq!(
        emails(&app, &admin, t.customer_a, "?status=disabled").await,
        vec!["ana@fourthcoffee.example"]
    );
    assert_eq!(
        emails(&app, &admin, t.customer_a, "?status=active").await,
        vec!["kim.abercrombie@gmail.com", "lee@contoso.example"]
    );
    let r = app
        .as_(&admin)
        .customer_users()
        .update(ana, json!({"status": "active"}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "active");
    // Every change wrote an audit event.
    assert_eq!(app.store.audit_event_count(lee).unwrap(), 3);
    assert_eq!(app.store.audit_event_count(ana).unwrap(), 3);
    // The record reads back as last written.
    let lee_now = read(&app, lee).await;
    assert_eq!(lee_now["name"], "Lee Chen");
    assert_eq!(lee_now["version"], 3);
});

both_backends!(invalid_fields_are_422_naming_the_field, |app| async move {
    let t = app.tree().await;
    let c = t.customer_a;
    let token = app.admin_token.clone();
    for (body, field, code) in [
        (json!({"email": "not-an-email", "name": "X"}), "email", "invalid_email"),
        (json!({"email": "x@localhost", "name": "X"}), "email", "invalid_email"),
        (
            json!({"email": "x@fourthcoffee.example", "name": "  "}),
            "name",
            "required",
        ),
        (
            json!({"email": "x@fourthcoffee.example", "name": "X", "mobile": "021 123 4567"}),
            "mobile",
            "invalid_mobile",
        ),
        (
            json!({"email": "x@fourthcoffee.example", "name": "X", "mobile": "+0211234567"}),
            "mobile",
            "invalid_mobile",
        ),
        (
            json!({"email": "x@fourthcoffee.example", "name": "X", "mobile": "+123456"}),
            "mobile",
            "invalid_mobile",
        ),
        (
            json!({"email": "x@fourthcoffee.example", "name": "X", "admin": false, "master_admin": true}),
            "admin",
            "master_admin_requires_admin",
        ),
        (
            json!({"email": "x@fourthcoffee.example", "name": "X", "status": "disabled"}),
            "status",
            "unknown_field",
        ),
        (
            json!({"email": "x@fourthcoffee.example", "name": "X", "customer_id": Uuid::now_v7()}),
            "customer_id",
            "unknown_field",
        ),
        (json!({"name": "X"}), "email", "required"),
    ] {
        let r = app.as_(&token).customer_users().create(c, body.clone()).await;
        assert_problem(&r, 422, "validation_failed");
        assert_eq!(r.error_field(), Some(field), "{body}: {}", r.text);
        assert_eq!(r.body["errors"][0]["code"], code, "{body}: {}", r.text);
    }
    assert!(emails(&app, &token, c, "").await.is_empty(), "nothing was added");

    let master = added(
        &app,
        &token,
        c,
        "kim@fourthcoffee.example",
        json!({"master_admin": true}),
    )
    .await;
    for (body, field) in [
        (json!({"mobile": "12345678"}), "mobile"),
        (json!({"email": "nope"}), "email"),
        (json!({"name": ""}), "name"),
        (json!({"status": "invited"}), "status"),
        (json!({"admin": false, "master_admin": true}), "admin"),
        // Taking admin away from a master admin (without demoting them) is refused too.
        (json!({"admin": false}), "admin"),
        (json!({"roles": ["admin"]}), "roles"),
    ] {
        let r = app
            .as_(&token)
            .customer_users()
            .update(master, body.clone(), None)
            .await;
        assert_problem(&r, 422, "validation_failed");
        assert_eq!(r.error_field(), Some(field), "{body}: {}", r.text);
    }
    let r = app.as_(&token).customer_users().list(c, "?status=invited").await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("status"));
    let unchanged = read(&app, master).await;
    assert_eq!(unchanged["version"], 1);
    assert_eq!(unchanged["admin"], true);
    // Demoting and dropping admin in one request is fine once another master exists.
    added(
        &app,
        &token,
        c,
        "lee@fourthcoffee.example",
        json!({"master_admin": true}),
    )
    .await;
    let r = app
        .as_(&token)
        .customer_users()
        .update(master, json!({"admin": false, "master_admin": false}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["admin"], false);
    assert_eq!(r.body["master_admin"], false);
});

both_backends!(emails_are_unique_per_customer_also_when_racing, |app| async move {
    let t = app.tree().await;
    let token = app.admin_token.clone();
    added(&app, &token, t.customer_a, "kim@fourthcoffee.example", json!({})).await;
    // The same address, in any case, is a 409 naming `email`.
    let r = add(&app, &token, t.customer_a, "KIM@FourthCoffee.example", json!({})).await;
    assert_problem(&r, 409, "duplicate");
    assert_eq!(r.error_field(), Some("email"), "{}", r.text);
    // Another customer may have the same address.
    added(&app, &token, t.customer_b, "kim@fourthcoffee.example", json!({})).await;
    // Changing an e-mail to a taken one is refused the same way.
    let lee = added(&app, &token, t.customer_a, "lee@fourthcoffee.example", json!({})).await;
    let r = app
        .as_(&token)
        .customer_users()
        .update(lee, json!({"email": "kim@fourthcoffee.example"}), None)
        .await;
    assert_problem(&r, 409, "duplicate");
    assert_eq!(r.error_field(), Some("email"));
    assert_eq!(read(&app, lee).await["email"], "lee@fourthcoffee.example");

    // Racing adds of one address: exactly one wins.
    let replies =
        join_all((0..6).map(|_| add(&app, &token, t.customer_a2, "race@fourthcoffee.example", json!({})))).await;
    let created = replies.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1, "{:?}", replies.iter().map(|r| &r.text).collect::<Vec<_>>());
    for r in replies.iter().filter(|r| r.status != 201) {
        assert_problem(r, 409, "duplicate");
        assert_eq!(r.error_field(), Some("email"));
    }
    assert_eq!(
        emails(&app, &token, t.customer_a2, "").await,
        vec!["race@fourthcoffee.example"]
    );
});

both_backends!(a_customer_never_loses_its_last_active_master_admin, |app| async move {
    let t = app.tree().await;
    let (_, admin) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let c = t.customer_a;
    // Without a master admin yet, adding and changing users is fine.
    let lee = added(&app, &admin, c, "lee@fourthcoffee.example", json!({})).await;
    let r = app
        .as_(&admin)
        .customer_users()
        .update(lee, json!({"status": "disabled"}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let kim = added(
        &app,
        &admin,
        c,
        "kim@fourthcoffee.example",
        json!({"master_admin": true}),
    )
    .await;
    // The only active master admin can be neither demoted nor disabled.
    for body in [
        json!({"master_admin": false}),
        json!({"status": "disabled"}),
        json!({"master_admin": false, "admin": false, "name": "Kim"}),
    ] {
        let r = app.as_(&admin).customer_users().update(kim, body.clone(), None).await;
        assert_problem(&r, 409, "last_master_admin");
        assert_eq!(app.store.audit_event_count(kim).unwrap(), 1, "{body}: nothing written");
    }
    // Other changes to them are fine.
    let r = app
        .as_(&admin)
        .customer_users()
        .update(kim, json!({"name": "Kim A."}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A disabled master admin does not count.
    let r = app
        .as_(&admin)
        .customer_users()
        .update(lee, json!({"master_admin": true}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "disabled");
    let r = app
        .as_(&admin)
        .customer_users()
        .update(kim, json!({"master_admin": false}), None)
        .await;
    assert_problem(&r, 409, "last_master_admin");
    // Re-enabled, it does: now either may step down, but not both.
    let r = app
        .as_(&admin)
        .customer_users()
        .update(lee, json!({"status": "active"}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .as_(&admin)
        .customer_users()
        .update(kim, json!({"master_admin": false}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["admin"], true, "demoting keeps admin");
    let r = app
        .as_(&admin)
        .customer_users()
        .update(lee, json!({"status": "disabled"}), None)
        .await;
    assert_problem(&r, 409, "last_master_admin");
    assert_eq!(active_master_admins(&app, c).await, vec!["lee@fourthcoffee.example"]);
    // Kim, no longer a master admin, can be disabled.
    let r = app
        .as_(&admin)
        .customer_users()
        .update(kim, json!({"status": "disabled"}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
});

both_backends!(concurrent_demotions_cannot_both_pass, |app| async move {
    let t = app.tree().await;
    let token = app.admin_token.clone();
    let c = t.customer_a;
    let mut survivor = added(
        &app,
        &token,
        c,
        "first@fourthcoffee.example",
        json!({"master_admin": true}),
    )
    .await;
    for round in 0..4 {
        let other = added(
            &app,
            &token,
            c,
            &format!("round{round}@fourthcoffee.example"),
            json!({"master_admin": true}),
        )
        .await;
        // Two masters; both step down (or get disabled) at once.
        let (a, b) = if round % 2 == 0 {
            (json!({"master_admin": false}), json!({"master_admin": false}))
        } else {
            (json!({"status": "disabled"}), json!({"master_admin": false}))
        };
        let users = app.as_(&token).customer_users();
        let replies = join_all([users.update(survivor, a, None), users.update(other, b, None)]).await;
        let ok: Vec<usize> = (0..2).filter(|i| replies[*i].status == 200).collect();
        assert_eq!(
            ok.len(),
            1,
            "round {round}: exactly one may pass: {:?}",
            replies.iter().map(|r| &r.text).collect::<Vec<_>>()
        );
        let refused = &replies[1 - ok[0]];
        assert_problem(refused, 409, "last_master_admin");
        let masters = active_master_admins(&app, c).await;
        assert_eq!(masters.len(), 1, "round {round}: {masters:?}");
        survivor = if ok[0] == 0 { other } else { survivor };
    }
});

both_backends!(out_of_scope_is_404_like_a_random_id, |app| async move {
    let t = app.tree().await;
    let user = added(
        &app,
        &app.admin_token,
        t.customer_a,
        "kim@fourthcoffee.example",
        json!({"master_admin": true}),
    )
    .await;
    let (_, admin_b) = app.operator(t.reseller_b, "admin@reseller-b.example", &[Role::Admin]);
    let random = (Uuid::now_v7(), Uuid::now_v7());
    for ((method, path, body), (_, random_path, random_body)) in endpoints(t.customer_a, user)
        .into_iter()
        .zip(endpoints(random.0, random.1))
    {
        let hidden = call(&app, &admin_b, method, &path, body).await;
        let absent = call(&app, &admin_b, method, &random_path, random_body).await;
        assert_problem(&hidden, 404, "not_found");
        assert_eq!(
            hidden.text, absent.text,
            "{method} {path}: the body must not reveal existence"
        );
    }
    // A partner, distributor or the provider is not a customer: 404 on /v1/customers.
    for org in [t.reseller_a, t.dist, app.root] {
        let hidden = app.admin().customer_users().list(org, "").await;
        let absent = app.admin().customer_users().list(random.0, "").await;
        assert_problem(&hidden, 404, "not_found");
        assert_eq!(hidden.text, absent.text);
        let r = add(&app, &app.admin_token, org, "x@fourthcoffee.example", json!({})).await;
        assert_problem(&r, 404, "not_found");
    }
    // Nothing changed, nothing was impersonated.
    let unchanged = read(&app, user).await;
    assert_eq!(unchanged["name"], "Name of kim@fourthcoffee.example");
    assert_eq!(app.store.audit_event_count(user).unwrap(), 1);
    assert_eq!(
        emails(&app, &app.admin_token, t.customer_a, "").await,
        vec!["kim@fourthcoffee.example"]
    );
    // Callers above see them: the partner's admin and the sub-partner's customer.
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    assert_eq!(app.as_(&admin_a).customer_users().get(user).await.status, 200);
    assert_eq!(
        app.as_(&admin_a).customer_users().list(t.customer_a2, "").await.status,
        200
    );
});

both_backends!(viewers_read_but_only_admins_change, |app| async move {
    let t = app.tree().await;
    let user = added(
        &app,
        &app.admin_token,
        t.customer_a,
        "kim@fourthcoffee.example",
        json!({"master_admin": true}),
    )
    .await;
    let (_, viewer) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
    let (_, billing) = app.operator(t.reseller_a, "billing@reseller-a.example", &[Role::Billing]);
    for token in [&viewer, &billing] {
        assert_eq!(
            emails(&app, token, t.customer_a, "").await,
            vec!["kim@fourthcoffee.example"]
        );
        let r = app.as_(token).customer_users().get(user).await;
        assert_eq!(r.status, 200, "{}", r.text);
        for (method, path, body) in endpoints(t.customer_a, user)
            .into_iter()
            .filter(|(m, _, _)| *m != "GET")
        {
            let r = call(&app, token, method, &path, body).await;
            assert_problem(&r, 403, "forbidden");
        }
    }
    let unchanged = read(&app, user).await;
    assert_eq!(unchanged["version"], 1);
    assert_eq!(app.store.audit_event_count(user).unwrap(), 1);
    assert_eq!(emails(&app, &viewer, t.customer_a, "").await.len(), 1);
});

both_backends!(an_admin_operator_impersonates_an_active_user, |app| async move {
    let t = app.tree().await;
    let (operator, admin) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let user = added(
        &app,
        &admin,
        t.customer_a2,
        "kim@gmail.com",
        json!({"master_admin": true}),
    )
    .await;
    let before = app.store.audit_event_count(user).unwrap();
    let r = app.as_(&admin).customer_users().impersonate(user).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 900);
    assert_eq!(r.body["customer_user_id"], user.to_string());
    assert_eq!(r.body["customer_id"], t.customer_a2.to_string());
    let token = r.body["access_token"].as_str().expect("access_token").to_string();

    // Verifiable with the published key alone.
    let jwks = app.anonymous().platform().jwks().await;
    let key = &jwks.body["keys"][0];
    let header = decode_header(&token).expect("a JWT header");
    assert_eq!(header.alg, Algorithm::EdDSA);
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
    let decoding = DecodingKey::from_ed_components(key["x"].as_str().expect("x")).expect("key");
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&["customer-portal"]);
    validation.set_issuer(&[app.config.issuer()]);
    validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
    let claims = decode::<Value>(&token, &decoding, &validation)
        .expect("a valid customer-portal token")
        .claims;
    assert_eq!(claims["aud"], "customer-portal");
    assert_eq!(claims["typ"], "impersonation");
    assert_eq!(claims["sub"], user.to_string());
    assert_eq!(claims["tid"], t.customer_a2.to_string());
    assert_eq!(claims["act"]["sub"], operator.to_string());
    assert_eq!(claims["act"]["email"], "admin@reseller-a.example");
    let iat = claims["iat"].as_i64().expect("iat");
    let exp = claims["exp"].as_i64().expect("exp");
    assert!(exp > iat && exp - iat <= 900, "lifetime {}", exp - iat);
    assert!(claims["nbf"].as_i64().is_some_and(|n| n <= iat));
    let jti = claims["jti"].as_str().expect("jti");
    assert!(Uuid::try_parse(jti).is_ok(), "{jti}");
    // Not for this API: the wrong audience is refused by a validator for ours.
    let mut ours = Validation::new(Algorithm::EdDSA);
    ours.set_audience(&[api::auth::ACCESS_AUDIENCE]);
    assert!(decode::<Value>(&token, &decoding, &ours).is_err());

    // Audited, once per impersonation, without the token.
    assert_eq!(app.store.audit_event_count(user).unwrap(), before + 1);
    let r = app.as_(&admin).customer_users().impersonate(user).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_ne!(
        r.body["access_token"].as_str(),
        Some(token.as_str()),
        "a fresh token each time"
    );
    assert_eq!(app.store.audit_event_count(user).unwrap(), before + 2);
    let rows = crate::api_clients::sql(
        &app,
        &format!("SELECT actor_id, action, details FROM audit_events WHERE target_id = '{user}' AND action = 'customer_user.impersonated'"),
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert!(
            row.starts_with(&format!("{operator}|customer_user.impersonated|")),
            "{row}"
        );
        assert!(!row.contains(&token), "the token is never stored");
    }
    assert!(rows.iter().any(|row| row.contains(jti)), "the jti is kept: {rows:?}");

    // Our own API refuses it as a bearer token.
    for path in [paths::ME.to_string(), user_path(user), users_of(t.customer_a2)] {
        let r = app.as_(&token).get(&path).await;
        assert_problem(&r, 401, "invalid_token");
    }
    // The provider's admin may impersonate anyone below.
    let r = app.admin().customer_users().impersonate(user).await;
    assert_eq!(r.status, 200, "{}", r.text);
});

both_backends!(impersonation_is_refused_with_the_right_status, |app| async move {
    let t = app.tree().await;
    let (_, admin) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let c = t.customer_a;
    let kim = added(
        &app,
        &admin,
        c,
        "kim@fourthcoffee.example",
        json!({"master_admin": true}),
    )
    .await;
    let lee = added(&app, &admin, c, "lee@fourthcoffee.example", json!({})).await;
    let audited = |id: Uuid| app.store.audit_event_count(id).unwrap();
    let (kim_events, lee_events) = (audited(kim), audited(lee));

    // Viewers and billing operators: 403.
    for role in [Role::Viewer, Role::Billing] {
        let (_, token) = app.operator(t.reseller_a, &format!("{}@reseller-a.example", role.as_str()), &[role]);
        let r = app.as_(&token).customer_users().impersonate(kim).await;
        assert_problem(&r, 403, "forbidden");
    }
    // An API client, even an admin one: 403.
    let client = create_client(&app, &app.admin_token, t.reseller_a, "HaloPSA", &["admin"]).await;
    let client_token = access_token(&app, &client.client_id(), &client.secret).await;
    assert_eq!(
        app.as_(&client_token).customer_users().get(kim).await.status,
        200,
        "it can read"
    );
    let r = app.as_(&client_token).customer_users().impersonate(kim).await;
    assert_problem(&r, 403, "forbidden");
    // Out of scope: 404, like a random id.
    let (_, admin_b) = app.operator(t.reseller_b, "admin@reseller-b.example", &[Role::Admin]);
    let hidden = app.as_(&admin_b).customer_users().impersonate(kim).await;
    let absent = app.as_(&admin_b).customer_users().impersonate(Uuid::now_v7()).await;
    assert_problem(&hidden, 404, "not_found");
    assert_eq!(hidden.text, absent.text);
    // A disabled user: 409 user_disabled.
    let r = app
        .as_(&admin)
        .customer_users()
        .update(lee, json!({"status": "disabled"}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let lee_events = lee_events + 1;
    let r = app.as_(&admin).customer_users().impersonate(lee).await;
    assert_problem(&r, 409, "user_disabled");
    // A pending customer is fine; a suspended one is 409 customer_inactive.
    let r = app.as_(&admin).customer_users().impersonate(kim).await;
    assert_eq!(r.status, 200, "pending customer: {}", r.text);
    let kim_events = kim_events + 1;
    let root_path = app.store.organization(app.root).unwrap().unwrap().path;
    app.store
        .change_organization_status(
            &root_path,
            c,
            StatusChange::Activate,
            &persistence::AuditEntry::by(persistence::Actor::System),
        )
        .expect("activate");
    let r = app.as_(&admin).customer_users().impersonate(kim).await;
    assert_eq!(r.status, 200, "active customer: {}", r.text);
    let kim_events = kim_events + 1;
    let r = app.admin().organizations().suspend(c).await;
    assert_eq!(r.status, 200, "suspend: {}", r.text);
    let r = app.as_(&admin).customer_users().impersonate(kim).await;
    assert_problem(&r, 409, "customer_inactive");
    // Archived: the same, and no users can be added any more.
    let r = app.admin().organizations().archive(c).await;
    assert_eq!(r.status, 200, "archive: {}", r.text);
    let r = app.as_(&admin).customer_users().impersonate(kim).await;
    assert_problem(&r, 409, "customer_inactive");
    let r = add(&app, &admin, c, "new@fourthcoffee.example", json!({})).await;
    assert_problem(&r, 409, "customer_archived");
    // Refusals wrote nothing; the two successes wrote one event each.
    assert_eq!(audited(kim), kim_events);
    assert_eq!(audited(lee), lee_events);
});
