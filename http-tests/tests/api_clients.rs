//! API clients through HTTP: an admin creates one for a channel organisation in
//! scope and gets its secret exactly once; list, read, rotate and revoke never show
//! it again; a revoked client's tokens stop working on the next request; clients
//! act through the same scope and role checks as operators; the audit log names
//! them and never holds their secret.

use std::collections::BTreeSet;
use std::process::Command;

use domain::Role;
use http_tests::{both_backends, Reply, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

// ---- helpers shared with `oauth.rs` ----

/// Standard base64 with padding (RFC 4648 §4), as HTTP Basic credentials are written.
pub(crate) fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `application/x-www-form-urlencoded` escaping of one value.
pub(crate) fn form_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A form body from pairs, in order (repeats allowed).
pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", form_escape(k), form_escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The `Authorization` value of HTTP Basic client authentication, parts as given.
pub(crate) fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", b64(format!("{id}:{secret}").as_bytes()))
}

/// `POST /oauth/token` with a form body and an optional `Authorization` header.
pub(crate) async fn token_request(app: &TestApp, body: &str, authorization: Option<&str>) -> Reply {
    app.anonymous().oauth().token(body, authorization).await
}

/// The client-credentials grant with HTTP Basic credentials.
pub(crate) async fn grant_basic(app: &TestApp, id: &str, secret: &str) -> Reply {
    token_request(app, "grant_type=client_credentials", Some(&basic(id, secret))).await
}

/// An access token for the client (asserting the grant succeeds).
pub(crate) async fn access_token(app: &TestApp, id: &str, secret: &str) -> String {
    let r = grant_basic(app, id, secret).await;
    assert_eq!(r.status, 200, "grant: {}", r.text);
    r.body["access_token"].as_str().expect("access_token").to_string()
}

/// A created API client: its id, its secret and the creation answer.
pub(crate) struct Created {
    pub id: Uuid,
    pub secret: String,
    pub reply: Reply,
}

impl Created {
    pub fn client_id(&self) -> String {
        self.id.to_string()
    }
}

/// Creates an API client in `org` as `token` (asserting 201).
pub(crate) async fn create_client(app: &TestApp, token: &str, org: Uuid, name: &str, roles: &[&str]) -> Created {
    let r = app
        .as_(token)
        .api_clients()
        .create(org, json!({"name": name, "roles": roles}))
        .await;
    assert_eq!(r.status, 201, "create client {name}: {}", r.text);
    let secret = r.body["client_secret"].as_str().expect("client_secret").to_string();
    Created {
        id: r.id(),
        secret,
        reply: r,
    }
}

/// The refusal of a grant in RFC 6749 §5.2's form: JSON (not problem+json) with
/// exactly `error` and `error_description`, never cached, never a token.
#[track_caller]
pub(crate) fn assert_oauth_error(r: &Reply, status: u16, error: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    let content_type = r.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "RFC 6749 errors are application/json, got {content_type:?}: {}",
        r.text
    );
    let keys: BTreeSet<&str> = r
        .body
        .as_object()
        .unwrap_or_else(|| panic!("not a JSON object: {}", r.text))
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, BTreeSet::from(["error", "error_description"]), "{}", r.text);
    assert_eq!(r.body["error"], error, "{}", r.text);
    assert!(
        !r.body["error_description"].as_str().unwrap_or_default().is_empty(),
        "{}",
        r.text
    );
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    if status == 401 {
        let challenge = r.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with("Basic"),
            "401 invalid_client carries a Basic challenge, got {challenge:?}"
        );
    }
}

/// The roles of a JSON array, as a set.
pub(crate) fn role_set(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|r| r.as_str().expect("role").to_string())
        .collect()
}

pub(crate) fn set(roles: &[&str]) -> BTreeSet<String> {
    roles.iter().map(|r| (*r).to_string()).collect()
}

/// Rows of `query`, run with the database's own command-line client (`sqlite3` or
/// `psql`), columns joined by `|`. The HTTP tests have no diesel connection of
/// their own; the clients are test prerequisites (README), so a missing one fails.
pub(crate) fn sql(app: &TestApp, query: &str) -> Vec<String> {
    let url = &app.config.database_url;
    let (program, mut cmd) = if url.starts_with("postgres") {
        let mut c = Command::new("psql");
        c.args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-F",
            "|",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-c",
            query,
        ]);
        ("psql", c)
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        let mut c = Command::new("sqlite3");
        c.args(["-cmd", ".timeout 5000", path, query]);
        ("sqlite3", c)
    };
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{program} (a test prerequisite, see the README): {e}"));
    assert!(
        out.status.success(),
        "{program} {query}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// (actor_type, actor_id, action) of every audit event about `target`, sorted.
pub(crate) fn audit_events_of(app: &TestApp, target: Uuid) -> Vec<(String, String, String)> {
    let rows = sql(
        app,
        &format!("SELECT actor_type, actor_id, action FROM audit_events WHERE target_id = '{target}'"),
    );
    let mut events: Vec<(String, String, String)> = rows
        .iter()
        .map(|row| {
            let cols: Vec<&str> = row.split('|').collect();
            assert_eq!(cols.len(), 3, "{row}");
            (cols[0].to_string(), cols[1].to_string(), cols[2].to_string())
        })
        .collect();
    events.sort();
    events
}

fn assert_no_secret(r: &Reply, secrets: &[&str], what: &str) {
    for secret in secrets {
        assert!(!r.text.contains(secret), "{what} shows a client secret: {}", r.text);
    }
    assert!(
        r.body.get("client_secret").is_none(),
        "{what} has a client_secret field: {}",
        r.text
    );
}

async fn get_client(app: &TestApp, token: &str, id: Uuid) -> Reply {
    app.as_(token).api_clients().get(id).await
}

async fn list_clients(app: &TestApp, token: &str, org: Uuid) -> Reply {
    app.as_(token).api_clients().list(org).await
}

async fn rotate(app: &TestApp, token: &str, id: Uuid) -> Reply {
    app.as_(token).api_clients().rotate_secret(id).await
}

async fn revoke(app: &TestApp, token: &str, id: Uuid) -> Reply {
    app.as_(token).api_clients().revoke(id).await
}

fn ids(r: &Reply) -> Vec<String> {
    r.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {}", r.text))
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_string())
        .collect()
}

// ---- tests ----

both_backends!(create_answers_the_secret_exactly_once, |app| async move {
    let t = app.tree().await;
    let c = create_client(
        &app,
        &app.admin_token,
        t.reseller_a,
        "ConnectWise sync",
        &["viewer", "billing"],
    )
    .await;
    let r = &c.reply;
    assert_eq!(r.header("location"), Some(format!("/v1/api-clients/{}", c.id)));
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(r.body["client_id"], c.id.to_string());
    assert!(c.secret.starts_with("pps_"), "{}", c.secret);
    assert!(c.secret.len() >= 4 + 43, "at least 256 bits of secret: {}", c.secret);
    assert_eq!(r.body["name"], "ConnectWise sync");
    assert_eq!(r.body["home_organization_id"], t.reseller_a.to_string());
    assert_eq!(role_set(&r.body["roles"]), set(&["viewer", "billing"]));
    assert_eq!(r.body["status"], "active");
    assert!(r.body["last_used_at"].is_null(), "{}", r.text);
    assert!(r.body["created_at"].is_string());

    // Two clients never share a secret.
    let other = create_client(&app, &app.admin_token, t.reseller_a, "Autotask", &["viewer"]).await;
    assert_ne!(other.secret, c.secret);

    // The Location answers, without the secret.
    let location = r.header("location").unwrap();
    let got = app.admin().get(&location).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.body["client_id"], c.id.to_string());
    assert_eq!(got.body["status"], "active");
    assert_eq!(role_set(&got.body["roles"]), set(&["viewer", "billing"]));
    assert_no_secret(&got, &[&c.secret, &other.secret], "GET");

    // Lists of the home and of every ancestor show it, never a secret.
    for org in [t.reseller_a, t.dist, app.root] {
        let list = list_clients(&app, &app.admin_token, org).await;
        assert_eq!(list.status, 200, "{}", list.text);
        assert!(ids(&list).contains(&c.id.to_string()), "{}", list.text);
        assert_no_secret(&list, &[&c.secret, &other.secret], "list");
        for item in list.body["items"].as_array().unwrap() {
            assert!(item.get("client_secret").is_none(), "{item}");
        }
    }

    // What is stored is not the secret.
    let stored = app.store.api_client(c.id).unwrap().expect("stored client");
    assert!(!stored.secret_hash.contains(&c.secret));
    assert!(!stored.secret_hash.contains(&c.secret[4..]));
    assert_ne!(stored.secret_hash, c.secret);

    // The creation is audited, under the client's id.
    assert_eq!(app.store.audit_event_count(c.id).unwrap(), 1);
});

both_backends!(create_validates_and_refuses_chosen_secrets, |app| async move {
    let t = app.tree().await;
    let cases = [
        (json!({"name": "", "roles": ["viewer"]}), "name"),
        (json!({"name": "No roles", "roles": []}), "roles"),
        (json!({"name": "Bad role", "roles": ["owner"]}), "roles"),
        (json!({"roles": ["viewer"]}), "name"),
        (
            json!({"name": "Chosen", "roles": ["viewer"], "client_secret": "pps_chosen-by-the-caller"}),
            "client_secret",
        ),
        (
            json!({"name": "Revoked", "roles": ["viewer"], "status": "revoked"}),
            "status",
        ),
    ];
    for (body, field) in cases {
        let r = app.admin().api_clients().create(t.reseller_a, body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        let named = r.error_field().unwrap_or_default();
        assert!(named.starts_with(field), "{body} must name {field}: {}", r.text);
        assert!(r.body.get("client_secret").is_none(), "{}", r.text);
    }
    let list = list_clients(&app, &app.admin_token, t.reseller_a).await;
    assert_eq!(ids(&list).len(), 0, "nothing was created: {}", list.text);
    // A secret chosen by the caller is never accepted at the token endpoint either.
    let r = token_request(
        &app,
        &form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &Uuid::now_v7().to_string()),
            ("client_secret", "pps_chosen-by-the-caller"),
        ]),
        None,
    )
    .await;
    assert_oauth_error(&r, 401, "invalid_client");
});

both_backends!(customers_hold_no_api_clients, |app| async move {
    let t = app.tree().await;
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    for token in [&app.admin_token, &admin_a] {
        let r = app
            .as_(token)
            .api_clients()
            .create(t.customer_a, json!({"name": "Tenant sync", "roles": ["viewer"]}))
            .await;
        assert_eq!(r.status, 409, "{}", r.text);
        assert_eq!(r.code(), Some("customer_has_no_api_clients"));
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
        assert!(r.body.get("client_secret").is_none());
    }
    let list = list_clients(&app, &app.admin_token, t.customer_a).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(ids(&list).is_empty(), "{}", list.text);
    // A sub-partner of the admin's home is fine.
    let c = create_client(&app, &admin_a, t.sub_a, "Sub A sync", &["viewer"]).await;
    assert_eq!(c.reply.body["home_organization_id"], t.sub_a.to_string());
});

both_backends!(only_admins_in_scope_manage_api_clients, |app| async move {
    let t = app.tree().await;
    let (_, viewer_a) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
    let (_, billing_a) = app.operator(t.reseller_a, "billing@reseller-a.example", &[Role::Billing]);
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let a = create_client(&app, &admin_a, t.reseller_a, "A sync", &["viewer"]).await;
    let sub = create_client(&app, &admin_a, t.sub_a, "Sub A sync", &["viewer"]).await;
    let b = create_client(&app, &app.admin_token, t.reseller_b, "B sync", &["admin"]).await;

    // In scope without the admin role: 403, and nothing changes.
    for token in [&viewer_a, &billing_a] {
        let r = app
            .as_(token)
            .api_clients()
            .create(t.reseller_a, json!({"name": "Mine", "roles": ["viewer"]}))
            .await;
        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(r.code(), Some("forbidden"));
        let r = list_clients(&app, token, t.reseller_a).await;
        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(r.code(), Some("forbidden"));
        for r in [
            get_client(&app, token, a.id).await,
            rotate(&app, token, a.id).await,
            revoke(&app, token, a.id).await,
        ] {
            assert_eq!(r.status, 403, "{}", r.text);
            assert_no_secret(&r, &[&a.secret], "a refusal");
        }
    }
    access_token(&app, &a.client_id(), &a.secret).await;

    // Reseller A's admin sees A's subtree only.
    let list = list_clients(&app, &admin_a, t.reseller_a).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let mut seen = ids(&list);
    seen.sort();
    let mut expected = vec![a.id.to_string(), sub.id.to_string()];
    expected.sort();
    assert_eq!(seen, expected, "A's and Sub A's clients, not B's");
    assert_no_secret(&list, &[&a.secret, &sub.secret, &b.secret], "list");

    // Reseller B's client and organisation are 404 for A's admin, like random ids.
    let random = Uuid::now_v7();
    for (hidden, absent) in [
        (
            get_client(&app, &admin_a, b.id).await,
            get_client(&app, &admin_a, random).await,
        ),
        (rotate(&app, &admin_a, b.id).await, rotate(&app, &admin_a, random).await),
        (revoke(&app, &admin_a, b.id).await, revoke(&app, &admin_a, random).await),
        (
            list_clients(&app, &admin_a, t.reseller_b).await,
            list_clients(&app, &admin_a, random).await,
        ),
    ] {
        assert_eq!(hidden.status, 404, "{}", hidden.text);
        assert_eq!(hidden.text, absent.text, "the body must not reveal existence");
        assert_no_secret(&hidden, &[&b.secret], "a 404");
    }
    for parent in [t.reseller_b, t.dist, app.root] {
        let r = app
            .as_(&admin_a)
            .api_clients()
            .create(parent, json!({"name": "Sideways", "roles": ["admin"]}))
            .await;
        assert_eq!(r.status, 404, "{}", r.text);
        assert!(r.body.get("client_secret").is_none());
    }
    // B's client is untouched: still active, its secret still works.
    let r = get_client(&app, &app.admin_token, b.id).await;
    assert_eq!(r.body["status"], "active");
    access_token(&app, &b.client_id(), &b.secret).await;
    let r = list_clients(&app, &app.admin_token, t.reseller_b).await;
    assert_eq!(ids(&r), vec![b.id.to_string()], "nothing was created beside A");
});

both_backends!(rotation_shows_only_the_new_secret_once, |app| async move {
    let t = app.tree().await;
    let c = create_client(&app, &app.admin_token, t.reseller_a, "HaloPSA", &["viewer"]).await;
    let old = c.secret.clone();
    let before = access_token(&app, &c.client_id(), &old).await;

    let r = rotate(&app, &app.admin_token, c.id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let new = r.body["client_secret"].as_str().expect("new secret").to_string();
    assert!(new.starts_with("pps_"), "{new}");
    assert_ne!(new, old);
    assert!(!r.text.contains(&old), "the rotation shows the old secret: {}", r.text);
    assert_eq!(r.body["client_id"], c.id.to_string());
    assert_eq!(r.body["status"], "active");

    // The old secret is refused at once; the new one works.
    for attempt in [
        grant_basic(&app, &c.client_id(), &old).await,
        token_request(
            &app,
            &form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &c.client_id()),
                ("client_secret", &old),
            ]),
            None,
        )
        .await,
    ] {
        assert_oauth_error(&attempt, 401, "invalid_client");
    }
    let after = access_token(&app, &c.client_id(), &new).await;
    let me = app.as_(&after).platform().me().await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["id"], c.id.to_string());
    // A token issued before the rotation is not tied to the secret (documented).
    assert_eq!(app.as_(&before).platform().me().await.status, 200);

    // Neither secret shows anywhere afterwards.
    for (what, r) in [
        ("GET", get_client(&app, &app.admin_token, c.id).await),
        ("list", list_clients(&app, &app.admin_token, t.reseller_a).await),
        ("me", me),
    ] {
        assert_eq!(r.status, 200, "{}", r.text);
        assert_no_secret(&r, &[&old, &new], what);
    }
    // A second rotation shows a third secret, and neither earlier one.
    let r = rotate(&app, &app.admin_token, c.id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(!r.text.contains(&old) && !r.text.contains(&new), "{}", r.text);
    assert_oauth_error(&grant_basic(&app, &c.client_id(), &new).await, 401, "invalid_client");
});

both_backends!(revoked_client_is_locked_out_on_its_next_request, |app| async move {
    let t = app.tree().await;
    let c = create_client(&app, &app.admin_token, t.reseller_a, "Retired sync", &["admin"]).await;
    let token = access_token(&app, &c.client_id(), &c.secret).await;
    assert_eq!(app.as_(&token).platform().me().await.status, 200);
    let created = app.create(&token, t.reseller_a, "partner", "Before Revocation").await;
    let events_before = app.store.audit_event_count(c.id).unwrap();

    let r = revoke(&app, &app.admin_token, c.id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "revoked");
    assert_no_secret(&r, &[&c.secret], "revoke");
    assert_eq!(app.store.audit_event_count(c.id).unwrap(), events_before + 1);

    // The token obtained before is refused on its very next request.
    let me = app.as_(&token).platform().me().await;
    assert_eq!(me.status, 401, "{}", me.text);
    assert_eq!(me.code(), Some("invalid_token"));
    let r = app
        .as_(&token)
        .organizations()
        .create(json!({"parent_id": t.reseller_a, "kind": "partner", "name": "After Revocation"}))
        .await;
    assert_eq!(r.status, 401, "{}", r.text);
    let r = app.as_(&token).organizations().get(created).await;
    assert_eq!(r.status, 401, "{}", r.text);
    let children = app.admin().organizations().children(t.reseller_a, "").await;
    assert!(
        !children.names().contains(&"After Revocation".to_string()),
        "{}",
        children.text
    );

    // No new token, by either way of presenting the credentials.
    assert_oauth_error(
        &grant_basic(&app, &c.client_id(), &c.secret).await,
        401,
        "invalid_client",
    );
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", &c.client_id()),
        ("client_secret", &c.secret),
    ]);
    assert_oauth_error(&token_request(&app, &body, None).await, 401, "invalid_client");

    // Revoking twice is 200 and changes nothing; a revoked client gets no new secret.
    let r = revoke(&app, &app.admin_token, c.id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "revoked");
    assert_eq!(app.store.audit_event_count(c.id).unwrap(), events_before + 1);
    let r = rotate(&app, &app.admin_token, c.id).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.code(), Some("client_revoked"));
    assert!(r.body.get("client_secret").is_none(), "{}", r.text);
    assert!(!r.text.contains("pps_"), "{}", r.text);
    assert_oauth_error(
        &grant_basic(&app, &c.client_id(), &c.secret).await,
        401,
        "invalid_client",
    );

    // It stays listed, as revoked.
    let r = get_client(&app, &app.admin_token, c.id).await;
    assert_eq!(r.body["status"], "revoked");
    let list = list_clients(&app, &app.admin_token, t.reseller_a).await;
    let item = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == c.id.to_string())
        .cloned()
        .expect("revoked clients stay listed");
    assert_eq!(item["status"], "revoked");
});

both_backends!(a_client_acts_through_the_same_permission_checks, |app| async move {
    let t = app.tree().await;
    let viewer = create_client(&app, &app.admin_token, t.reseller_a, "Read-only sync", &["viewer"]).await;
    let admin = create_client(&app, &app.admin_token, t.reseller_a, "Provisioning", &["admin"]).await;
    let viewer_token = access_token(&app, &viewer.client_id(), &viewer.secret).await;
    let admin_token = access_token(&app, &admin.client_id(), &admin.secret).await;

    // A viewer client reads its home's subtree…
    let r = app
        .as_(&viewer_token)
        .organizations()
        .descendants(t.reseller_a, "")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut names = r.names();
    names.sort();
    assert_eq!(names, vec!["Customer A", "Customer A2", "Sub A"]);
    // …but creates nothing and manages no API clients…
    let body = json!({"parent_id": t.reseller_a, "kind": "partner", "name": "By Viewer Client"});
    let r = app.as_(&viewer_token).organizations().create(body).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.code(), Some("forbidden"));
    let r = list_clients(&app, &viewer_token, t.reseller_a).await;
    assert_eq!(r.status, 403, "{}", r.text);
    // …and sees nothing above or beside its home.
    for id in [app.root, t.dist, t.reseller_b, t.customer_b] {
        let r = app.as_(&viewer_token).organizations().get(id).await;
        assert_eq!(r.status, 404, "{id}: {}", r.text);
    }

    // An admin client creates within its home's subtree only.
    let org = app.create(&admin_token, t.sub_a, "partner", "By Admin Client").await;
    let r = app.admin().organizations().get(org).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["name"], "By Admin Client");
    let r = app
        .as_(&admin_token)
        .organizations()
        .create(json!({"parent_id": t.reseller_b, "kind": "partner", "name": "Beside"}))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app.as_(&admin_token).organizations().get(t.customer_b).await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = list_clients(&app, &admin_token, t.reseller_b).await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = list_clients(&app, &admin_token, t.reseller_a).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_no_secret(&r, &[&viewer.secret, &admin.secret], "list by a client");

    // The audit log names the client as the actor of what it did.
    assert_eq!(app.store.audit_event_count(org).unwrap(), 1);
    let events = audit_events_of(&app, org);
    assert_eq!(events.len(), 1, "{events:?}");
    let (actor_type, actor_id, _) = &events[0];
    assert_eq!(actor_type, "api_client", "{events:?}");
    assert_eq!(actor_id, &admin.id.to_string(), "{events:?}");
});

both_backends!(last_used_at_records_token_grants, |app| async move {
    let t = app.tree().await;
    let used = create_client(&app, &app.admin_token, t.reseller_a, "Used", &["viewer"]).await;
    let unused = create_client(&app, &app.admin_token, t.reseller_a, "Unused", &["viewer"]).await;
    let before = chrono::Utc::now() - chrono::Duration::seconds(2);
    access_token(&app, &used.client_id(), &used.secret).await;
    let after = chrono::Utc::now() + chrono::Duration::seconds(2);
    // A failed grant is no use.
    assert_oauth_error(
        &grant_basic(&app, &unused.client_id(), &used.secret).await,
        401,
        "invalid_client",
    );

    let r = get_client(&app, &app.admin_token, used.id).await;
    let last = r.body["last_used_at"].as_str().unwrap_or_else(|| panic!("{}", r.text));
    let last = chrono::DateTime::parse_from_rfc3339(last).expect("RFC 3339").to_utc();
    assert!(before <= last && last <= after, "{last} not within the grant");
    let r = get_client(&app, &app.admin_token, unused.id).await;
    assert!(r.body["last_used_at"].is_null(), "{}", r.text);
    let list = list_clients(&app, &app.admin_token, t.reseller_a).await;
    for item in list.body["items"].as_array().unwrap() {
        assert_eq!(
            item["last_used_at"].is_null(),
            item["id"] == unused.id.to_string(),
            "{item}"
        );
    }
});

both_backends!(audit_log_names_the_client_and_never_its_secret, |app| async move {
    let t = app.tree().await;
    let (admin_a_id, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let c = create_client(&app, &admin_a, t.reseller_a, "Audited", &["admin"]).await;
    assert_eq!(app.store.audit_event_count(c.id).unwrap(), 1, "created");
    let r = rotate(&app, &admin_a, c.id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let new = r.body["client_secret"].as_str().unwrap().to_string();
    assert_eq!(app.store.audit_event_count(c.id).unwrap(), 2, "rotated");
    let token = access_token(&app, &c.client_id(), &new).await;
    let org = app.create(&token, t.reseller_a, "partner", "Made By A Client").await;
    assert_eq!(app.store.audit_event_count(org).unwrap(), 1);
    let granted = app.store.audit_event_count(c.id).unwrap();
    let r = revoke(&app, &admin_a, c.id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.store.audit_event_count(c.id).unwrap(), granted + 1, "revoked");

    // Who did what, read from the database.
    let events = audit_events_of(&app, c.id);
    let by_admin: BTreeSet<&str> = events
        .iter()
        .filter(|(ty, id, _)| ty == "operator" && *id == admin_a_id.to_string())
        .map(|(_, _, action)| action.as_str())
        .collect();
    assert_eq!(
        by_admin,
        BTreeSet::from(["api_client.created", "api_client.secret_rotated", "api_client.revoked"]),
        "what the operator did: {events:?}"
    );
    for (ty, id, _) in &events {
        let by_admin = ty == "operator" && *id == admin_a_id.to_string();
        let by_client = ty == "api_client" && *id == c.id.to_string();
        assert!(by_admin || by_client, "{events:?}");
    }
    let events = audit_events_of(&app, org);
    assert_eq!(
        events
            .iter()
            .map(|(ty, id, _)| (ty.as_str(), id.clone()))
            .collect::<Vec<_>>(),
        vec![("api_client", c.id.to_string())],
        "the organisation's creation names the client"
    );
    // No audit row, in any column, holds either secret.
    let rows = sql(&app, "SELECT * FROM audit_events");
    assert!(rows.len() >= 5, "{rows:?}");
    for row in rows {
        assert!(!row.contains(&c.secret) && !row.contains(&new), "{row}");
        assert!(!row.contains("pps_"), "{row}");
    }
    let rows = sql(&app, "SELECT * FROM api_clients");
    for row in rows {
        assert!(!row.contains(&c.secret) && !row.contains(&new), "{row}");
    }
});
