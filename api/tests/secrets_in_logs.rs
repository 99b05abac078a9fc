//! API client secrets never reach the server's output or the database: the real
//! `partner-portal serve`, logging at debug level, takes a client through creation,
//! token grants (HTTP Basic, form body, a wrong secret), use and rotation; then
//! neither secret appears in its stdout or stderr, nor anywhere in the bytes of the
//! SQLite database (audit log included), which holds only the secret's hash.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

mod support;

use serde_json::{json, Value};
use support::{contains, curl, curl_args, database_bytes, free_port, json_of, token, Server, ADMIN};

fn get(base: &str, token: &str, path: &str) -> (u16, Value) {
    let (status, body) = curl("GET", &format!("{base}{path}"), Some(token), None);
    (status, json_of(&body))
}

fn post(base: &str, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let (status, text) = curl("POST", &format!("{base}{path}"), Some(token), Some(body));
    (status, json_of(&text))
}

/// The grant with HTTP Basic credentials (curl writes the header).
fn grant_basic(base: &str, id: &str, secret: &str) -> (u16, Value) {
    let (status, text) = curl_args(&[
        "-u",
        &format!("{id}:{secret}"),
        "--data-binary",
        "grant_type=client_credentials",
        &format!("{base}/oauth/token"),
    ]);
    (status, json_of(&text))
}

/// The grant with the credentials in the form body.
fn grant_body(base: &str, id: &str, secret: &str) -> (u16, Value) {
    let (status, text) = curl_args(&[
        "-H",
        "content-type: application/x-www-form-urlencoded",
        "--data-binary",
        &format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
        &format!("{base}/oauth/token"),
    ]);
    (status, json_of(&text))
}

fn token_of(answer: &(u16, Value), what: &str) -> String {
    assert_eq!(answer.0, 200, "{what}: {}", answer.1);
    answer.1["access_token"].as_str().expect("access_token").to_string()
}

#[test]
fn client_secrets_never_reach_the_logs_or_the_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bind = format!("127.0.0.1:{}", free_port());
    let mut server = Server::start(dir.path(), &bind, &[]);
    let base = server.base.clone();
    let admin = token(dir.path(), &bind, ADMIN);

    let (status, me) = get(&base, &admin, "/v1/me");
    assert_eq!(status, 200, "{me}");
    let root = me["home_organization_id"].as_str().unwrap().to_string();
    let (status, org) = post(
        &base,
        &admin,
        "/v1/organizations",
        &json!({"parent_id": root, "kind": "partner", "name": "Logged Partner"}),
    );
    assert_eq!(status, 201, "{org}");
    let org = org["id"].as_str().unwrap().to_string();

    // Created: the first secret.
    let (status, created) = post(
        &base,
        &admin,
        &format!("/v1/organizations/{org}/api-clients"),
        &json!({"name": "PSA sync", "roles": ["admin"]}),
    );
    assert_eq!(status, 201, "{created}");
    let id = created["client_id"].as_str().unwrap().to_string();
    let first = created["client_secret"].as_str().unwrap().to_string();
    assert!(first.starts_with("pps_"), "{first}");

    // Grants: Basic, body, and a wrong secret in both forms.
    let mut access = vec![
        token_of(&grant_basic(&base, &id, &first), "Basic grant"),
        token_of(&grant_body(&base, &id, &first), "body grant"),
    ];
    let wrong = "pps_ThisWrongSecretMustNotBeLoggedEither000000000";
    for (status, answer) in [grant_basic(&base, &id, wrong), grant_body(&base, &id, wrong)] {
        assert_eq!(status, 401, "{answer}");
        assert_eq!(answer["error"], "invalid_client");
    }
    // The client acts.
    let (status, me) = get(&base, &access[0], "/v1/me");
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["principal_type"], "api_client");
    let (status, made) = post(
        &base,
        &access[1],
        "/v1/organizations",
        &json!({"parent_id": org, "kind": "partner", "name": "Made By The Client"}),
    );
    assert_eq!(status, 201, "{made}");

    // Rotated: the second secret; the first is refused.
    let (status, rotated) = post(
        &base,
        &admin,
        &format!("/v1/api-clients/{id}/rotate-secret"),
        &json!({}),
    );
    assert_eq!(status, 200, "{rotated}");
    let second = rotated["client_secret"].as_str().unwrap().to_string();
    assert_ne!(second, first);
    access.push(token_of(&grant_basic(&base, &id, &second), "grant after rotation"));
    let (status, answer) = grant_body(&base, &id, &first);
    assert_eq!(status, 401, "{answer}");
    let (status, _) = get(&base, &admin, &format!("/v1/api-clients/{id}"));
    assert_eq!(status, 200);
    let (status, _) = get(&base, &admin, &format!("/v1/organizations/{org}/api-clients"));
    assert_eq!(status, 200);

    server.stop();

    // The logs were written (so their silence about secrets means something)…
    let stdout = std::fs::read(&server.stdout).unwrap();
    let stderr = std::fs::read(&server.stderr).unwrap();
    let logs = [stdout, stderr].concat();
    assert!(contains(&logs, "listening on"), "no logs captured");
    assert!(contains(&logs, "DEBUG"), "the server did not log at debug level");
    assert!(
        contains(&logs, "graceful shutdown"),
        "the server was not stopped gracefully"
    );
    // …and hold no secret, in clear or as the Basic header carries it.
    let basic_first = encode_basic(&format!("{id}:{first}"));
    let basic_second = encode_basic(&format!("{id}:{second}"));
    let basic_wrong = encode_basic(&format!("{id}:{wrong}"));
    for (what, needle) in [
        ("the first secret", first.as_str()),
        ("the second secret", second.as_str()),
        ("the wrong secret", wrong),
        ("the secret's random part", &first[4..]),
        ("the second secret's random part", &second[4..]),
        ("Basic credentials", basic_first.as_str()),
        ("Basic credentials after rotation", basic_second.as_str()),
        ("wrong Basic credentials", basic_wrong.as_str()),
    ] {
        assert!(!contains(&logs, needle), "the server's output shows {what}");
    }
    for token in &access {
        assert!(!contains(&logs, token), "the server's output shows an access token");
    }

    // The database (main file, WAL and all) holds the hash, never the secret.
    let db = database_bytes(dir.path());
    assert!(contains(&db, &id), "the client is stored");
    assert!(
        contains(&db, &api::secrets::hash(&second)),
        "the current secret's hash is stored"
    );
    for (what, needle) in [
        ("the first secret", first.as_str()),
        ("the second secret", second.as_str()),
        ("the wrong secret", wrong),
        ("the first secret's random part", &first[4..]),
        ("the second secret's random part", &second[4..]),
    ] {
        assert!(!contains(&db, needle), "the database holds {what}");
    }
}

/// Standard base64 (RFC 4648 §4), as in an `Authorization: Basic` header.
fn encode_basic(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
}
