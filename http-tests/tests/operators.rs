//! Operators over HTTP: list a subtree's operators (role, status and e-mail
//! filters, pages), add one (`invited`), read, change roles or name under
//! `If-Match`, disable and enable; the admin rules (nobody disables or demotes
//! themselves, the provider keeps an active admin, one e-mail per organisation,
//! also under races); role and status changes on the very next request; scope
//! (404 like a random id) and roles (403); sign-ins recorded once per token.

use std::collections::HashSet;
use std::time::Duration;

use domain::Role;
use http_tests::{both_backends, paths, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

fn operators_of(org: Uuid) -> String {
    paths::of_organization(org, "operators")
}

fn operator_path(id: Uuid) -> String {
    paths::operator(id)
}

/// `POST /v1/organizations/{org}/operators` with the e-mail as the name.
async fn add(app: &TestApp, token: &str, org: Uuid, email: &str, roles: &[&str]) -> Reply {
    app.as_(token)
        .operators()
        .create(
            org,
            json!({"email": email, "name": format!("Name of {email}"), "roles": roles}),
        )
        .await
}

/// Adds through the API and returns the new id (asserting 201).
async fn added(app: &TestApp, token: &str, org: Uuid, email: &str, roles: &[&str]) -> Uuid {
    let r = add(app, token, org, email, roles).await;
    assert_eq!(r.status, 201, "add {email}: {}", r.text);
    r.id()
}

async fn read(app: &TestApp, id: Uuid) -> Value {
    let r = app.admin().operators().get(id).await;
    assert_eq!(r.status, 200, "read {id}: {}", r.text);
    r.body
}

async fn call(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> Reply {
    let caller = app.as_(token);
    let method = Method::from_bytes(method.as_bytes()).expect("method");
    let req = caller.request(method, path);
    let req = match body {
        Some(Value::String(csv)) => req.header("Content-Type", "text/csv").body(csv),
        Some(b) => req.json(&b),
        None => req,
    };
    caller.send(req).await
}

fn emails(r: &Reply) -> Vec<String> {
    r.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {}", r.text))
        .iter()
        .map(|i| i["email"].as_str().unwrap().to_string())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn roles_of(op: &Value) -> HashSet<String> {
    op["roles"]
        .as_array()
        .unwrap_or_else(|| panic!("no roles in {op}"))
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect()
}

fn set(v: &[&str]) -> HashSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn assert_problem(r: &Reply, status: u16, code: &str, what: &str) {
    assert_eq!(r.status, status, "{what}: {}", r.text);
    assert_eq!(r.code(), Some(code), "{what}: {}", r.text);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{what}"
    );
}

/// The bootstrap admin's id (its first request also activates it).
async fn me_id(app: &TestApp, token: &str) -> Uuid {
    let r = app.as_(token).platform().me().await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.id()
}

both_backends!(
    list_filters_by_role_status_and_email_within_the_subtree,
    |app| async move {
        let t = app.tree().await;
        let admin = app.admin_token.clone();
        added(&app, &admin, t.reseller_a, "alice@reseller-a.example", &["viewer"]).await;
        added(
            &app,
            &admin,
            t.reseller_a,
            "bob@reseller-a.example",
            &["billing", "viewer"],
        )
        .await;
        added(&app, &admin, t.reseller_a, "carol_x@reseller-a.example", &["admin"]).await;
        added(&app, &admin, t.reseller_a, "carolyx@reseller-a.example", &["viewer"]).await;
        added(&app, &admin, t.sub_a, "dave@sub-a.example", &["viewer"]).await;
        added(&app, &admin, t.reseller_b, "erin@reseller-b.example", &["viewer"]).await;
        app.operator(t.reseller_a, "frank@reseller-a.example", &[Role::Billing]);
        // A distributor's viewer reads the operators below it.
        let (_, viewer_a) = app.operator(t.dist, "viewer@northwind.example", &[Role::Viewer]);

        let list = |query: &str| {
            let query = format!("?{query}");
            let token = viewer_a.clone();
            let app = &app;
            async move {
                let r = app.as_(&token).operators().list(t.reseller_a, &query).await;
                assert_eq!(r.status, 200, "{}{query}: {}", operators_of(t.reseller_a), r.text);
                sorted(emails(&r))
            }
        };
        let all_a = strings(&[
            "alice@reseller-a.example",
            "bob@reseller-a.example",
            "carol_x@reseller-a.example",
            "carolyx@reseller-a.example",
            "dave@sub-a.example",
            "frank@reseller-a.example",
        ]);
        assert_eq!(list("").await, all_a, "the subtree's operators, not Reseller B's");
        assert_eq!(
            list("role=billing").await,
            strings(&["bob@reseller-a.example", "frank@reseller-a.example"])
        );
        assert_eq!(list("role=admin").await, strings(&["carol_x@reseller-a.example"]));
        assert_eq!(list("status=active").await, strings(&["frank@reseller-a.example"]));
        assert_eq!(list("status=disabled").await, Vec::<String>::new());
        assert_eq!(
            list("status=invited").await.len(),
            5,
            "operators added over HTTP start invited"
        );
        assert_eq!(
            list("q=ALICE").await,
            strings(&["alice@reseller-a.example"]),
            "case-insensitive"
        );
        assert_eq!(
            list("q=l_x").await,
            strings(&["carol_x@reseller-a.example"]),
            "`_` is a literal, not a wildcard"
        );
        assert_eq!(list("q=%25").await, Vec::<String>::new(), "`%` is a literal");
        assert_eq!(list("q=reseller-b").await, Vec::<String>::new());
        assert_eq!(
            list("role=viewer&status=invited&q=sub-a").await,
            strings(&["dave@sub-a.example"])
        );

        // A sub-partner's list holds only its own; the root's holds everyone.
        let r = app.as_(&viewer_a).operators().list(t.sub_a, "").await;
        assert_eq!(emails(&r), strings(&["dave@sub-a.example"]));
        let r = app.as_(&admin).operators().list(app.root, "?limit=500").await;
        let everyone = emails(&r);
        assert!(
            everyone.contains(&"erin@reseller-b.example".to_string()),
            "{everyone:?}"
        );
        assert!(
            everyone.contains(&app.config.bootstrap_admin_email.to_lowercase()),
            "{everyone:?}"
        );
        assert_eq!(everyone.len(), 9, "{everyone:?}");

        // Items carry the operator's fields.
        let r = app.as_(&viewer_a).operators().list(t.reseller_a, "?q=bob").await;
        let bob = &r.body["items"][0];
        assert_eq!(bob["home_organization_id"], t.reseller_a.to_string());
        assert_eq!(bob["name"], "Name of bob@reseller-a.example");
        assert_eq!(roles_of(bob), set(&["viewer", "billing"]));
        assert_eq!(bob["status"], "invited");
        assert!(bob["last_sign_in_at"].is_null());
        assert_eq!(bob["version"], 1);
        for field in ["id", "created_at", "updated_at"] {
            assert!(bob[field].is_string(), "{field} in {bob}");
        }

        // Bad filters name themselves.
        for (query, field) in [
            ("role=owner", "role"),
            ("status=asleep", "status"),
            ("limit=0", "limit"),
            ("limit=501", "limit"),
            ("cursor=garbage", "cursor"),
        ] {
            let r = app
                .as_(&viewer_a)
                .operators()
                .list(t.reseller_a, &format!("?{query}"))
                .await;
            assert_eq!(r.status, 422, "{query}: {}", r.text);
            assert_eq!(r.error_field(), Some(field), "{query}: {}", r.text);
        }
    }
);

both_backends!(list_pages_through_every_operator_once_oldest_first, |app| async move {
    let t = app.tree().await;
    let mut expected = Vec::new();
    for i in 0..7 {
        let email = format!("op{i}@reseller-a.example");
        expected.push(
            added(&app, &app.admin_token, t.reseller_a, &email, &["viewer"])
                .await
                .to_string(),
        );
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let query = match &cursor {
            Some(c) => format!("?limit=3&cursor={c}"),
            None => "?limit=3".to_string(),
        };
        let r = app.admin().operators().list(t.reseller_a, &query).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let items = r.body["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_string()));
        pages += 1;
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        assert!(pages < 10, "the cursor never ends");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, expected, "every operator once, in creation order");
    // A cursor of another list is refused.
    let org_cursor = app.admin().organizations().children(t.dist, "?limit=1").await.body["next_cursor"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .admin()
        .operators()
        .list(t.reseller_a, &format!("?cursor={org_cursor}"))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("cursor"));
});

both_backends!(
    create_answers_201_with_location_and_etag_and_starts_invited,
    |app| async move {
        let t = app.tree().await;
        let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
        let r = app
            .as_(&admin_a)
            .operators()
            .create(
                t.sub_a,
                json!({
                    "email": "  Jane.Doe@Sub-A.example ",
                    "name": "  Jane Doe ",
                    "roles": ["billing", "viewer", "billing"]
                }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.id();
        assert_eq!(r.header("location"), Some(format!("/v1/operators/{id}")));
        assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
        assert_eq!(
            r.body["email"], "jane.doe@sub-a.example",
            "stored lowercased and trimmed"
        );
        assert_eq!(r.body["name"], "Jane Doe");
        assert_eq!(roles_of(&r.body), set(&["viewer", "billing"]));
        assert_eq!(r.body["roles"].as_array().unwrap().len(), 2, "no duplicate roles");
        assert_eq!(r.body["status"], "invited");
        assert!(r.body["last_sign_in_at"].is_null());
        assert_eq!(r.body["home_organization_id"], t.sub_a.to_string());
        assert_eq!(r.body["version"], 1);

        // The Location reads back the same operator.
        let g = app.as_(&admin_a).get(&r.header("location").unwrap()).await;
        assert_eq!(g.status, 200, "{}", g.text);
        assert_eq!(g.body, r.body);
        assert_eq!(g.header("etag").as_deref(), Some("\"1\""));
        assert_eq!(app.store.audit_event_count(id).unwrap(), 1, "the create is audited");
    }
);

both_backends!(create_refuses_bad_fields_and_customer_homes, |app| async move {
    let t = app.tree().await;
    let admin = app.admin_token.clone();
    let body = |email: &str, roles: Value| json!({"email": email, "name": "Someone", "roles": roles});
    for (b, field, code) in [
        (
            body("someone@gmail.com", json!(["viewer"])),
            "email",
            Some("consumer_email"),
        ),
        (
            body("someone@hotmail.co.uk", json!(["viewer"])),
            "email",
            Some("consumer_email"),
        ),
        (body("not-an-email", json!(["viewer"])), "email", None),
        (body("ok@reseller-a.example", json!([])), "roles", Some("required")),
        (body("ok@reseller-a.example", json!(["owner"])), "roles", None),
        (
            json!({"email": "ok@reseller-a.example", "name": "   ", "roles": ["viewer"]}),
            "name",
            Some("required"),
        ),
        (
            json!({"email": "ok@reseller-a.example", "roles": ["viewer"]}),
            "name",
            Some("required"),
        ),
        (
            json!({"email": "ok@reseller-a.example", "name": "Someone", "roles": ["viewer"], "status": "active"}),
            "status",
            Some("unknown_field"),
        ),
    ] {
        let r = app.as_(&admin).operators().create(t.reseller_a, b.clone()).await;
        assert_eq!(r.status, 422, "{b}: {}", r.text);
        assert_eq!(r.code(), Some("validation_failed"), "{b}: {}", r.text);
        let named = r.error_field().unwrap_or_default();
        assert!(
            named.starts_with(field),
            "{b}: names {named:?}, want {field}: {}",
            r.text
        );
        if let Some(code) = code {
            assert_eq!(r.body["errors"][0]["code"], code, "{b}: {}", r.text);
        }
    }
    // Customers have customer users, not operators.
    let r = add(&app, &admin, t.customer_a, "ok@customer-a.example", &["viewer"]).await;
    assert_problem(&r, 409, "customer_has_no_operators", "operator in a customer");
    let r = app.as_(&admin).operators().list(t.reseller_a, "?limit=500").await;
    assert!(emails(&r).is_empty(), "nothing was added: {}", r.text);
    let r = app.as_(&admin).operators().list(t.customer_a, "").await;
    assert!(emails(&r).is_empty(), "nothing was added: {}", r.text);
});

both_backends!(
    same_email_twice_in_one_organisation_is_409_but_fine_elsewhere,
    |app| async move {
        let t = app.tree().await;
        let admin = app.admin_token.clone();
        let first = added(&app, &admin, t.reseller_a, "dup@example.org", &["viewer"]).await;
        let r = add(&app, &admin, t.reseller_a, "DUP@Example.org", &["admin"]).await;
        assert_problem(&r, 409, "duplicate", "same e-mail, other case");
        assert_eq!(r.error_field(), Some("email"), "{}", r.text);
        // Also against an operator that is already active, added another way.
        app.operator(t.sub_a, "pre@example.org", &[Role::Viewer]);
        let r = add(&app, &admin, t.sub_a, "pre@example.org", &["viewer"]).await;
        assert_problem(&r, 409, "duplicate", "same e-mail as an active operator");
        assert_eq!(r.error_field(), Some("email"));
        // Another organisation may have the same person.
        let other = added(&app, &admin, t.reseller_b, "dup@example.org", &["billing"]).await;
        assert_ne!(first, other);
        let r = app.as_(&admin).operators().list(t.reseller_a, "?q=dup@").await;
        assert_eq!(emails(&r), strings(&["dup@example.org"]), "one in Reseller A");
        assert_eq!(
            roles_of(&read(&app, first).await),
            set(&["viewer"]),
            "the first one is unchanged"
        );
        let r = app.as_(&admin).operators().list(t.dist, "?q=dup@").await;
        assert_eq!(emails(&r).len(), 2, "one in each reseller");
    }
);

both_backends!(racing_creates_of_one_email_give_exactly_one_201, |app| async move {
    let t = app.tree().await;
    let admin = app.admin_token.clone();
    for round in 0..6 {
        let email = format!("race{round}@reseller-a.example");
        let upper = email.to_uppercase();
        let (a, b, c, d) = tokio::join!(
            add(&app, &admin, t.reseller_a, &email, &["viewer"]),
            add(&app, &admin, t.reseller_a, &upper, &["viewer"]),
            add(&app, &admin, t.reseller_a, &email, &["admin"]),
            add(&app, &admin, t.reseller_a, &upper, &["billing"]),
        );
        let replies = [a, b, c, d];
        let created = replies.iter().filter(|r| r.status == 201).count();
        assert_eq!(
            created,
            1,
            "round {round}: {:?}",
            replies.iter().map(|r| &r.text).collect::<Vec<_>>()
        );
        for r in replies.iter().filter(|r| r.status != 201) {
            assert_problem(r, 409, "duplicate", &format!("round {round}"));
            assert_eq!(r.error_field(), Some("email"));
        }
        let r = app
            .as_(&admin)
            .operators()
            .list(t.reseller_a, &format!("?q={email}"))
            .await;
        assert_eq!(emails(&r), vec![email.clone()], "round {round}: stored once");
    }
});

both_backends!(patch_changes_roles_and_name_under_if_match, |app| async move {
    let t = app.tree().await;
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let id = added(&app, &admin_a, t.sub_a, "pat@sub-a.example", &["viewer"]).await;
    let r = app.as_(&admin_a).operators().get(id).await;
    let etag = r.header("etag").unwrap();
    assert_eq!(etag, "\"1\"");

    let r = app
        .as_(&admin_a)
        .operators()
        .update(
            id,
            json!({"roles": ["viewer", "billing"], "name": "Pat Renamed"}),
            Some(&etag),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.body["name"], "Pat Renamed");
    assert_eq!(roles_of(&r.body), set(&["viewer", "billing"]));

    // The old ETag is stale: 412, nothing changes.
    let r = app
        .as_(&admin_a)
        .operators()
        .update(id, json!({"name": "Lost Update"}), Some(&etag))
        .await;
    assert_problem(&r, 412, "stale_version", "stale If-Match");
    let now = read(&app, id).await;
    assert_eq!(now["name"], "Pat Renamed");
    assert_eq!(now["version"], 2);

    // Absent fields stay as they are.
    let r = app
        .as_(&admin_a)
        .operators()
        .update(id, json!({"name": "Pat"}), Some("\"2\""))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["name"], "Pat");
    assert_eq!(roles_of(&r.body), set(&["viewer", "billing"]));
    let r = app
        .as_(&admin_a)
        .operators()
        .update(id, json!({"roles": ["admin"]}), None)
        .await;
    assert_eq!(r.status, 200, "without If-Match: {}", r.text);
    assert_eq!(r.body["name"], "Pat");
    assert_eq!(roles_of(&r.body), set(&["admin"]));
    assert_eq!(r.body["version"], 4);

    // Bad bodies are refused, naming the field; status and e-mail are not patchable.
    for (b, field) in [
        (json!({"roles": []}), "roles"),
        (json!({"roles": ["owner"]}), "roles"),
        (json!({"name": ""}), "name"),
        (json!({"status": "disabled"}), "status"),
        (json!({"email": "new@sub-a.example"}), "email"),
        (json!({"home_organization_id": t.reseller_b}), "home_organization_id"),
    ] {
        let r = app.as_(&admin_a).operators().update(id, b.clone(), None).await;
        assert_eq!(r.status, 422, "{b}: {}", r.text);
        assert!(
            r.error_field().unwrap_or_default().starts_with(field),
            "{b}: {}",
            r.text
        );
    }
    let now = read(&app, id).await;
    assert_eq!(now["version"], 4, "refused patches changed nothing");
    assert_eq!(now["status"], "invited");
    assert_eq!(now["email"], "pat@sub-a.example");
    assert_eq!(now["home_organization_id"], t.sub_a.to_string());
    assert_eq!(app.store.audit_event_count(id).unwrap(), 4, "create and three updates");
});

both_backends!(nobody_demotes_or_disables_themselves, |app| async move {
    let t = app.tree().await;
    let (me, token) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let r = app
        .as_(&token)
        .operators()
        .update(me, json!({"roles": ["viewer"]}), None)
        .await;
    assert_problem(&r, 409, "cannot_demote_self", "self-demotion");
    assert_eq!(r.error_field(), Some("roles"));
    let r = app
        .as_(&token)
        .operators()
        .update(me, json!({"roles": ["billing"]}), Some("\"1\""))
        .await;
    assert_problem(&r, 409, "cannot_demote_self", "self-demotion with If-Match");
    let r = app.as_(&token).operators().disable(me).await;
    assert_problem(&r, 409, "cannot_disable_self", "self-disable");
    // Still an active admin who can act.
    let op = read(&app, me).await;
    assert_eq!(roles_of(&op), set(&["admin"]));
    assert_eq!(op["status"], "active");
    assert_eq!(op["version"], 1);
    assert_eq!(
        app.store.audit_event_count(me).unwrap(),
        2,
        "its creation and first sign-in; the refusals wrote nothing"
    );
    added(
        &app,
        &token,
        t.reseller_a,
        "still-admin@reseller-a.example",
        &["viewer"],
    )
    .await;
    // Renaming oneself, or adding roles, is fine.
    let r = app
        .as_(&token)
        .operators()
        .update(me, json!({"name": "Me", "roles": ["admin", "billing"]}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(roles_of(&r.body), set(&["admin", "billing"]));
    // The provider's own admin cannot disable itself either.
    let boot = me_id(&app, &app.admin_token).await;
    let r = app.admin().operators().disable(boot).await;
    assert_problem(&r, 409, "cannot_disable_self", "bootstrap admin self-disable");
});

/// An API client with the admin role at the provider, and its token: another
/// admin who is not an operator, so the operators' admin count is untouched.
async fn provider_admin_client(app: &TestApp) -> String {
    let r = app
        .admin()
        .api_clients()
        .create(app.root, json!({"name": "Ops script", "roles": ["admin"]}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        r.body["id"].as_str().unwrap(),
        r.body["client_secret"].as_str().unwrap()
    );
    let t = app.anonymous().oauth().token(&form, None).await;
    assert_eq!(t.status, 200, "{}", t.text);
    t.body["access_token"].as_str().unwrap().to_string()
}

both_backends!(the_provider_keeps_its_last_active_admin, |app| async move {
    let boot = me_id(&app, &app.admin_token).await;
    let client = provider_admin_client(&app).await;

    let r = app
        .as_(&client)
        .operators()
        .update(boot, json!({"roles": ["viewer"]}), None)
        .await;
    assert_problem(&r, 409, "last_provider_admin", "demote the last admin");
    let r = app.as_(&client).operators().disable(boot).await;
    assert_problem(&r, 409, "last_provider_admin", "disable the last admin");

    // An invited admin does not count until it signs in.
    let second = added(&app, &client, app.root, "second@contoso-cloud.example", &["admin"]).await;
    let r = app
        .as_(&client)
        .operators()
        .update(boot, json!({"roles": ["viewer"]}), None)
        .await;
    assert_problem(&r, 409, "last_provider_admin", "the other admin is only invited");
    let second_token = app.token_for(second);
    assert_eq!(app.as_(&second_token).platform().me().await.status, 200);
    assert_eq!(read(&app, second).await["status"], "active");

    // Now there is another active admin: the first may go.
    let r = app
        .as_(&client)
        .operators()
        .update(boot, json!({"roles": ["viewer"]}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(roles_of(&r.body), set(&["viewer"]));
    // ... and the second is now the last one.
    let r = app.as_(&client).operators().disable(second).await;
    assert_problem(&r, 409, "last_provider_admin", "disable the new last admin");
    let r = app
        .as_(&client)
        .operators()
        .update(second, json!({"roles": ["billing"]}), None)
        .await;
    assert_problem(&r, 409, "last_provider_admin", "demote the new last admin");
    assert_eq!(read(&app, second).await["status"], "active");
    // A disabled admin does not count either.
    let r = app
        .as_(&client)
        .operators()
        .update(boot, json!({"roles": ["admin"]}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.as_(&client).operators().disable(boot).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.as_(&client).operators().disable(second).await;
    assert_problem(&r, 409, "last_provider_admin", "the other admin is disabled");

    // Below the provider, the last admin of a partner may be demoted by someone above.
    let partner = app.create(&second_token, app.root, "partner", "Solo Partner").await;
    let (solo, _) = app.operator(partner, "solo@solo-partner.example", &[Role::Admin]);
    let r = app
        .as_(&second_token)
        .operators()
        .update(solo, json!({"roles": ["viewer"]}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
});

both_backends!(two_provider_admins_demoting_each_other_leave_one, |app| async move {
    // The bootstrap admin is never used, so it stays invited and does not count.
    let (a, ta) = app.operator(app.root, "a@contoso-cloud.example", &[Role::Admin]);
    let (b, tb) = app.operator(app.root, "b@contoso-cloud.example", &[Role::Admin]);
    let active_admins = || async {
        let r = app
            .as_(&ta)
            .operators()
            .list(app.root, "?role=admin&status=active")
            .await;
        if r.status == 200 {
            return emails(&r);
        }
        let r = app
            .as_(&tb)
            .operators()
            .list(app.root, "?role=admin&status=active")
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        emails(&r)
    };
    for round in 0..12 {
        let demote = json!({"roles": ["viewer"]});
        let (by_a, by_b) = (app.as_(&ta).operators(), app.as_(&tb).operators());
        let (ra, rb) = if round % 2 == 0 {
            tokio::join!(
                by_a.update(b, demote.clone(), None),
                by_b.update(a, demote.clone(), None),
            )
        } else {
            tokio::join!(by_a.disable(b), by_b.disable(a))
        };
        let ok = [&ra, &rb].iter().filter(|r| r.status == 200).count();
        assert_eq!(ok, 1, "round {round}: exactly one wins: {} / {}", ra.text, rb.text);
        for r in [&ra, &rb].into_iter().filter(|r| r.status != 200) {
            // Refused by the rule, or (demoted or disabled first) by its own loss of rights.
            assert!([401, 403, 409].contains(&r.status), "round {round}: {}", r.text);
            if r.status == 409 {
                assert_eq!(r.code(), Some("last_provider_admin"), "round {round}");
            }
        }
        let left = active_admins().await;
        assert_eq!(left.len(), 1, "round {round}: {left:?}");
        // The winner restores the loser for the next round.
        let (winner, loser) = if ra.status == 200 { (&ta, b) } else { (&tb, a) };
        if round % 2 == 0 {
            let r = app
                .as_(winner)
                .operators()
                .update(loser, json!({"roles": ["admin"]}), None)
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
        } else {
            let r = app.as_(winner).operators().enable(loser).await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(r.body["status"], "active");
        }
        assert_eq!(active_admins().await.len(), 2, "round {round}: restored");
    }
});

both_backends!(disabled_token_is_refused_and_enabled_works_again, |app| async move {
    let t = app.tree().await;
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let (v, viewer) = app.operator(t.sub_a, "viewer@sub-a.example", &[Role::Viewer]);
    let list = || app.as_(&viewer).operators().list(t.sub_a, "");
    assert_eq!(list().await.status, 200);

    let r = app.as_(&admin_a).operators().disable(v).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "disabled");
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    let r = list().await;
    assert_eq!(r.status, 401, "disabled, old token: {}", r.text);
    assert_eq!(r.code(), Some("invalid_token"));
    assert_eq!(
        app.as_(&app.token_for(v)).platform().me().await.status,
        401,
        "a fresh token neither"
    );
    let r = app.as_(&admin_a).operators().list(t.sub_a, "?status=disabled").await;
    assert_eq!(emails(&r), strings(&["viewer@sub-a.example"]));

    // Disabling again changes nothing.
    let r = app.as_(&admin_a).operators().disable(v).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["version"], 2);

    let r = app.as_(&admin_a).operators().enable(v).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "active", "it had signed in before");
    assert_eq!(r.body["version"], 3);
    let r = list().await;
    assert_eq!(r.status, 200, "enabled, old token: {}", r.text);
    // Enabling an enabled operator changes nothing.
    let r = app.as_(&admin_a).operators().enable(v).await;
    assert_eq!(r.body["version"], 3);
    assert_eq!(
        app.store.audit_event_count(v).unwrap(),
        4,
        "created, first sign-in, disabled, enabled; the no-ops wrote nothing"
    );

    // Someone who never signed in goes back to `invited`.
    let n = added(&app, &admin_a, t.reseller_a, "never@reseller-a.example", &["viewer"]).await;
    let r = app.as_(&admin_a).operators().disable(n).await;
    assert_eq!(r.body["status"], "disabled");
    let r = app.as_(&admin_a).operators().enable(n).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "invited");
});

both_backends!(a_removed_role_is_refused_on_the_very_next_request, |app| async move {
    let t = app.tree().await;
    let (id, token) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    added(&app, &token, t.reseller_a, "before@reseller-a.example", &["viewer"]).await;

    app.set_roles(id, &[Role::Viewer]).await;
    let r = add(&app, &token, t.reseller_a, "after@reseller-a.example", &["viewer"]).await;
    assert_problem(&r, 403, "forbidden", "same token, admin role removed");
    let r = app.as_(&token).operators().list(t.reseller_a, "").await;
    assert_eq!(r.status, 200, "still a viewer: {}", r.text);
    assert_eq!(
        sorted(emails(&r)),
        strings(&["admin@reseller-a.example", "before@reseller-a.example"]),
        "the refused add wrote nothing"
    );

    app.set_roles(id, &[Role::Admin]).await;
    let r = add(&app, &token, t.reseller_a, "after@reseller-a.example", &["viewer"]).await;
    assert_eq!(r.status, 201, "admin again, same token: {}", r.text);
});

both_backends!(a_viewer_reads_but_cannot_manage_operators, |app| async move {
    let t = app.tree().await;
    let (_, viewer) = app.operator(
        t.reseller_a,
        "viewer@reseller-a.example",
        &[Role::Viewer, Role::Billing],
    );
    let target = added(&app, &app.admin_token, t.sub_a, "target@sub-a.example", &["viewer"]).await;
    let path = operator_path(target);
    assert_eq!(
        app.as_(&viewer).operators().get(target).await.status,
        200,
        "viewers read"
    );
    assert_eq!(app.as_(&viewer).operators().list(t.reseller_a, "").await.status, 200);
    let csv = "email,name,legacy_role,organization\nx@reseller-a.example,X,Invoice,Reseller A\n";
    for (method, p, body) in [
        (
            "POST",
            operators_of(t.reseller_a),
            Some(json!({"email": "new@reseller-a.example", "name": "New", "roles": ["viewer"]})),
        ),
        ("PATCH", path.clone(), Some(json!({"roles": ["admin"]}))),
        ("PATCH", path.clone(), Some(json!({"name": "Renamed"}))),
        ("POST", format!("{path}/disable"), None),
        ("POST", format!("{path}/enable"), None),
        (
            "POST",
            format!("{}/import", operators_of(t.reseller_a)),
            Some(Value::String(csv.into())),
        ),
    ] {
        let r = call(&app, &viewer, method, &p, body).await;
        assert_problem(&r, 403, "forbidden", &format!("{method} {p}"));
    }
    let op = read(&app, target).await;
    assert_eq!(op["version"], 1, "nothing changed: {op}");
    assert_eq!(op["name"], "Name of target@sub-a.example");
    let r = app
        .as_(&viewer)
        .operators()
        .list(t.reseller_a, "?q=reseller-a.example")
        .await;
    assert_eq!(emails(&r), strings(&["viewer@reseller-a.example"]), "nothing added");
});

both_backends!(another_resellers_operators_are_404_like_a_random_id, |app| async move {
    let t = app.tree().await;
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let erin = added(
        &app,
        &app.admin_token,
        t.reseller_b,
        "erin@reseller-b.example",
        &["admin"],
    )
    .await;
    let boot = me_id(&app, &app.admin_token).await;
    let csv = |org: Uuid| format!("email,name,legacy_role,organization\nx@reseller-a.example,X,Invoice,{org}\n");
    let endpoints = |op: Uuid, org: Uuid| -> Vec<(&'static str, String, Option<Value>)> {
        vec![
            ("GET", operator_path(op), None),
            ("PATCH", operator_path(op), Some(json!({"roles": ["viewer"]}))),
            ("POST", format!("{}/disable", operator_path(op)), None),
            ("POST", format!("{}/enable", operator_path(op)), None),
            ("GET", operators_of(org), None),
            (
                "POST",
                operators_of(org),
                Some(json!({"email": "sneak@reseller-a.example", "name": "Sneak", "roles": ["admin"]})),
            ),
            (
                "POST",
                format!("{}/import", operators_of(org)),
                Some(Value::String(csv(org))),
            ),
        ]
    };
    let random = (Uuid::now_v7(), Uuid::now_v7());
    for (op, org) in [(erin, t.reseller_b), (boot, app.root), (erin, t.customer_b)] {
        for ((method, path, body), (_, random_path, random_body)) in
            endpoints(op, org).into_iter().zip(endpoints(random.0, random.1))
        {
            let hidden = call(&app, &admin_a, method, &path, body).await;
            let absent = call(&app, &admin_a, method, &random_path, random_body).await;
            assert_problem(&hidden, 404, "not_found", &format!("{method} {path}"));
            assert_eq!(
                hidden.text, absent.text,
                "{method} {path}: the body must not reveal existence"
            );
        }
    }
    let op = read(&app, erin).await;
    assert_eq!(op["version"], 1, "untouched: {op}");
    assert_eq!(op["status"], "invited");
    assert_eq!(roles_of(&op), set(&["admin"]));
    let r = app.admin().operators().list(app.root, "?q=sneak").await;
    assert!(emails(&r).is_empty(), "nothing added anywhere: {}", r.text);
    let r = app.admin().operators().list(app.root, "?q=x@").await;
    assert!(emails(&r).is_empty(), "nothing imported anywhere: {}", r.text);
});

both_backends!(
    first_sign_in_activates_and_each_new_token_is_recorded_once,
    |app| async move {
        let t = app.tree().await;
        let id = added(
            &app,
            &app.admin_token,
            t.reseller_a,
            "new@reseller-a.example",
            &["viewer"],
        )
        .await;
        let before = read(&app, id).await;
        assert_eq!(before["status"], "invited");
        assert!(before["last_sign_in_at"].is_null());
        let events = app.store.audit_event_count(id).unwrap();

        let first = app.token_for(id);
        let started = chrono::Utc::now();
        let r = app.as_(&first).platform().me().await;
        assert_eq!(r.status, 200, "{}", r.text);
        let op = read(&app, id).await;
        assert_eq!(op["status"], "active", "the first sign-in activates");
        let signed_in: chrono::DateTime<chrono::Utc> = op["last_sign_in_at"]
            .as_str()
            .unwrap_or_else(|| panic!("no last_sign_in_at: {op}"))
            .parse()
            .unwrap();
        assert!(
            (signed_in - started).num_seconds().abs() <= 5,
            "{signed_in} is about now ({started})"
        );
        assert_eq!(
            app.store.audit_event_count(id).unwrap(),
            events + 1,
            "the activation is audited"
        );

        // More requests with the same token are not new sign-ins.
        for _ in 0..3 {
            assert_eq!(app.as_(&first).operators().list(t.reseller_a, "").await.status, 200);
        }
        let again = read(&app, id).await;
        assert_eq!(again["last_sign_in_at"], op["last_sign_in_at"]);
        assert_eq!(again["status"], "active");
        assert_eq!(
            app.store.audit_event_count(id).unwrap(),
            events + 1,
            "no write per request"
        );

        // A token issued later is a new sign-in.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let second = app.token_for(id);
        assert_eq!(app.as_(&second).platform().me().await.status, 200);
        let later = read(&app, id).await;
        let later_at: chrono::DateTime<chrono::Utc> = later["last_sign_in_at"].as_str().unwrap().parse().unwrap();
        assert!(later_at > signed_in, "{later_at} after {signed_in}");
        assert_eq!(later["status"], "active");
        assert_eq!(app.store.audit_event_count(id).unwrap(), events + 2);
        // The older token still works and does not move the time back.
        assert_eq!(app.as_(&first).platform().me().await.status, 200);
        assert_eq!(read(&app, id).await["last_sign_in_at"], later["last_sign_in_at"]);
        assert_eq!(app.store.audit_event_count(id).unwrap(), events + 2);

        // A new token's first requests arriving together are still one sign-in.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let third = app.token_for(id);
        let replies = tokio::join!(
            app.as_(&third).platform().me(),
            app.as_(&third).platform().me(),
            app.as_(&third).operators().list(t.reseller_a, ""),
            app.as_(&third).operators().list(t.reseller_a, ""),
        );
        for r in [&replies.0, &replies.1, &replies.2, &replies.3] {
            assert_eq!(r.status, 200, "{}", r.text);
        }
        let last: chrono::DateTime<chrono::Utc> = read(&app, id).await["last_sign_in_at"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(last > later_at);
        assert_eq!(
            app.store.audit_event_count(id).unwrap(),
            events + 3,
            "one sign-in, not four"
        );
    }
);

both_backends!(every_change_writes_one_audit_event, |app| async move {
    let t = app.tree().await;
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let id = added(&app, &admin_a, t.reseller_a, "audited@reseller-a.example", &["viewer"]).await;
    let count = || app.store.audit_event_count(id).unwrap();
    assert_eq!(count(), 1, "create");
    let r = app
        .as_(&admin_a)
        .operators()
        .update(id, json!({"roles": ["billing"]}), Some("\"1\""))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(count(), 2, "roles");
    let r = app
        .as_(&admin_a)
        .operators()
        .update(id, json!({"name": "Audited"}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(count(), 3, "name");
    let r = app.as_(&admin_a).operators().disable(id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(count(), 4, "disable");
    let r = app.as_(&admin_a).operators().enable(id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(count(), 5, "enable");
    // Refused changes write nothing.
    let r = app
        .as_(&admin_a)
        .operators()
        .update(id, json!({"name": "Stale"}), Some("\"1\""))
        .await;
    assert_eq!(r.status, 412, "{}", r.text);
    let r = add(&app, &admin_a, t.reseller_a, "audited@reseller-a.example", &["viewer"]).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(count(), 5, "refused changes");
});

both_backends!(a_sign_in_racing_a_disable_never_undoes_it, |app| async move {
    // An operator's first request with a new token (a sign-in, which writes) and an
    // admin's disable arrive together, at slightly varying offsets. Whatever the
    // order, a disable that answered 200 must stick and the token must stop working.
    let t = app.tree().await;
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let mut undone = Vec::new();
    for i in 0..150 {
        let (id, token) = app.operator(t.sub_a, &format!("p{i}@sub-a.example"), &[Role::Viewer]);
        let delay = Duration::from_micros((i % 30) as u64 * 150);
        let (_, off) = tokio::join!(
            async {
                tokio::time::sleep(delay).await;
                app.as_(&token).platform().me().await
            },
            app.as_(&admin_a).operators().disable(id)
        );
        assert_eq!(off.status, 200, "{}", off.text);
        let status = read(&app, id).await["status"].clone();
        let after = app.as_(&token).platform().me().await.status;
        if status != "disabled" || after != 401 {
            undone.push(format!("round {i}: status {status}, token answered {after}"));
        }
    }
    assert!(
        undone.is_empty(),
        "{} of 150 disables were undone by a concurrent sign-in: {undone:#?}",
        undone.len()
    );
});
