//! The `partner-portal` binary as a user runs it: the committed OpenAPI document
//! matches the code, `token` prints a bare JWT for scripts, `seed --demo` can run
//! twice, and `openapi` needs no database.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

mod support;

use std::path::Path;
use std::process::Output;

use support::{assert_success, cli, database_url, run, text};

/// Stdout, which must be UTF-8.
fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn is_base64url(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The token a script would capture with `TOKEN=$(partner-portal token --email …)`.
fn token(dir: &Path, email: &str) -> Output {
    run(cli(dir).args(["token", "--email", email]))
}

fn migrate(dir: &Path) {
    let out = run(cli(dir).arg("migrate"));
    assert_success(&out, "migrate");
}

/// The one line `token` prints, checked to be a bare JWT.
fn jwt_line(out: &Output, what: &str) -> String {
    assert_success(out, what);
    let text = stdout(out);
    assert!(text.ends_with('\n'), "{what}: stdout must be one line: {text:?}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{what}: exactly one line on stdout, got {text:?}");
    let jwt = lines[0];
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "{what}: not a JWT: {jwt:?}");
    assert!(parts.iter().all(|p| is_base64url(p)), "{what}: not base64url: {jwt:?}");
    jwt.to_string()
}

#[test]
fn committed_openapi_matches_the_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(cli(dir.path()).arg("openapi"));
    assert_success(&out, "openapi");
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let committed = std::fs::read(&committed_path).expect("openapi/openapi.json is committed");
    if out.stdout != committed {
        let generated = String::from_utf8_lossy(&out.stdout);
        let committed = String::from_utf8_lossy(&committed);
        let first = generated
            .lines()
            .zip(committed.lines())
            .enumerate()
            .find(|(_, (g, c))| g != c)
            .map(|(i, (g, c))| {
                format!(
                    "first difference at line {}:\n  code:      {g}\n  committed: {c}",
                    i + 1
                )
            })
            .unwrap_or_else(|| {
                format!(
                    "one is a prefix of the other ({} vs {} lines)",
                    generated.lines().count(),
                    committed.lines().count()
                )
            });
        panic!(
            "openapi/openapi.json is out of date with the code; regenerate it with\n\n    \
             cargo run -p api -- openapi > openapi/openapi.json\n\n{first}"
        );
    }
}

#[test]
fn openapi_needs_no_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("no").join("such").join("folder");
    for url in [
        database_url(&missing),
        "postgres://nobody:secret@127.0.0.1:1/nothing".to_string(),
    ] {
        let out = run(cli(dir.path()).env("DATABASE_URL", &url).arg("openapi"));
        assert_success(&out, &format!("openapi with DATABASE_URL={url}"));
        let spec: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON document");
        assert!(spec["openapi"].as_str().unwrap_or_default().starts_with("3.1"));
        assert!(spec["paths"]["/v1/me"].is_object());
    }
    assert!(!missing.exists(), "openapi must not create the database folder");
    assert!(!dir.path().join("pp.db").exists(), "openapi must not create a database");
}

#[test]
fn token_prints_one_jwt_for_a_known_operator_and_nothing_for_an_unknown_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    migrate(dir.path());

    let out = run(cli(dir.path()).env("PUBLIC_URL", "https://portal.example").args([
        "token",
        "--email",
        "admin@contoso-cloud.example",
    ]));
    let jwt = jwt_line(&out, "token for the bootstrap admin");

    // The token is one the API accepts: our key, our issuer, naming the admin.
    let pem = std::fs::read_to_string(dir.path().join("data").join("signing-key.pem")).expect("key in DATA_DIR");
    let keys = std::sync::Arc::new(api::auth::SigningKeys::from_pem(&pem).expect("key"));
    let verifier = api::auth::TokenVerifier::new(keys, "https://portal.example".into(), None);
    let subject = verifier.verify(&jwt).expect("the API would accept this token");
    let store = persistence::Store::connect(&database_url(dir.path()), 1).expect("store");
    let admin = store
        .operators_by_email("admin@contoso-cloud.example")
        .expect("query")
        .pop()
        .expect("bootstrap admin");
    assert_eq!(subject.subject, api::auth::VerifiedSubject::Operator(admin.id));

    // The e-mail is matched case-insensitively.
    jwt_line(
        &token(dir.path(), "Admin@Contoso-Cloud.EXAMPLE"),
        "token, mixed-case e-mail",
    );

    for email in ["nobody@contoso-cloud.example", "not-an-email"] {
        let out = token(dir.path(), email);
        assert!(!out.status.success(), "token for {email} must fail");
        assert!(
            out.stdout.is_empty(),
            "nothing on stdout for {email}: {:?}",
            stdout(&out)
        );
        let err = text(&out.stderr);
        assert!(err.contains(email), "stderr names the e-mail: {err}");
    }
}

#[test]
fn seed_demo_twice_creates_the_demo_data_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    for run_no in 1..=2 {
        let out = run(cli(dir.path()).args(["seed", "--demo"]));
        assert_success(&out, &format!("seed --demo, run {run_no}"));
    }
    // Each demo operator exists exactly once: otherwise `token` would refuse an e-mail found in
    // several organisations (a second tree), or fail to find it (no tree).
    for email in [
        "viewer@contoso-cloud.example",
        "admin@northwind.example",
        "admin@fabrikam.example",
        "viewer@proseware.example",
    ] {
        jwt_line(&token(dir.path(), email), &format!("token for {email} after two seeds"));
    }
    // And each organisation too.
    let store = persistence::Store::connect(&database_url(dir.path()), 1).expect("store");
    let operators = store.operators_by_email("admin@northwind.example").expect("query");
    assert_eq!(operators.len(), 1);
    let northwind = operators[0].home_organization_id;
    let root = store.root().expect("query").expect("root");
    let children = store
        .children(root.id, &Default::default(), None, 100)
        .expect("children");
    let mut names: Vec<String> = children.iter().map(|o| o.name.clone()).collect();
    names.sort();
    assert_eq!(
        names,
        vec!["Northwind Distribution", "Tailspin Distribution"],
        "the root's children"
    );
    assert!(children.iter().any(|o| o.id == northwind));
}
