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

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_partner-portal");
const ADMIN: &str = "admin@contoso-cloud.example";

/// Every variable the binary reads, so the parent environment cannot leak in.
const CONFIG_VARS: &[&str] = &[
    "DATABASE_URL",
    "BIND",
    "PUBLIC_URL",
    "DATA_DIR",
    "SIGNING_KEY_FILE",
    "BOOTSTRAP_ADMIN_EMAIL",
    "PROVIDER_NAME",
    "ACCESS_TOKEN_TTL_SECS",
    "OIDC_ISSUER",
    "OIDC_AUDIENCE",
    "OIDC_JWKS_PATH",
    "MAX_BODY_BYTES",
    "IMPORT_MAX_BYTES",
    "DB_POOL_SIZE",
    "WORKERS",
    "SKIP_MIGRATIONS",
    "RUST_LOG",
    "TEST_DATABASE_URL",
];

/// The binary in `dir` with a clean environment: a SQLite file and a data folder there.
fn cli(dir: &Path, bind: &str) -> Command {
    let mut cmd = Command::new(BIN);
    for var in CONFIG_VARS {
        cmd.env_remove(var);
    }
    cmd.current_dir(dir)
        .env("DATABASE_URL", format!("sqlite://{}", dir.join("pp.db").display()))
        .env("DATA_DIR", dir.join("data"))
        .env("BIND", bind);
    cmd
}

/// The running server; killed if the test fails before stopping it.
struct Server {
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Server {
    fn start(dir: &Path, bind: &str) -> Server {
        let stdout = dir.join("serve.stdout");
        let stderr = dir.join("serve.stderr");
        let child = cli(dir, bind)
            .env("RUST_LOG", "debug")
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(File::create(&stdout).unwrap())
            .stderr(File::create(&stderr).unwrap())
            .spawn()
            .expect("serve starts");
        Server { child, stdout, stderr }
    }

    fn output(&self) -> String {
        format!(
            "{}{}",
            std::fs::read_to_string(&self.stdout).unwrap_or_default(),
            std::fs::read_to_string(&self.stderr).unwrap_or_default()
        )
    }

    fn wait_ready(&mut self, base: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("serve exited ({status}) before it was ready:\n{}", self.output());
            }
            let out = Command::new("curl")
                .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2"])
                .arg(format!("{base}/readyz"))
                .output()
                .expect("curl runs");
            if out.stdout == b"200" {
                return;
            }
            assert!(Instant::now() < deadline, "not ready after 60 s:\n{}", self.output());
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// SIGTERM (a graceful stop, so logs and the database are flushed), then waits.
    fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One HTTP exchange through curl: (status, body).
fn curl(args: &[&str]) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "15", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl runs");
    assert!(
        out.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8 answer");
    let (body, status) = text.rsplit_once('\n').expect("status line");
    (status.parse().expect("status"), body.to_string())
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

fn get(base: &str, token: &str, path: &str) -> (u16, Value) {
    let (status, body) = curl(&[
        "-H",
        &format!("authorization: Bearer {token}"),
        &format!("{base}{path}"),
    ]);
    (status, json_of(&body))
}

fn post(base: &str, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let (status, text) = curl(&[
        "-X",
        "POST",
        "-H",
        &format!("authorization: Bearer {token}"),
        "-H",
        "content-type: application/json",
        "--data-binary",
        &body.to_string(),
        &format!("{base}{path}"),
    ]);
    (status, json_of(&text))
}

/// The grant with HTTP Basic credentials (curl writes the header).
fn grant_basic(base: &str, id: &str, secret: &str) -> (u16, Value) {
    let (status, text) = curl(&[
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
    let (status, text) = curl(&[
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

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn client_secrets_never_reach_the_logs_or_the_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let base = format!("http://{bind}");
    let mut server = Server::start(dir.path(), &bind);
    server.wait_ready(&base);

    let out = cli(dir.path(), &bind)
        .args(["token", "--email", ADMIN])
        .output()
        .expect("token runs");
    assert!(out.status.success(), "token: {}", String::from_utf8_lossy(&out.stderr));
    let admin = String::from_utf8(out.stdout).unwrap().trim().to_string();

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
    let mut db = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name().to_string_lossy().starts_with("pp.db") {
            db.extend(std::fs::read(entry.path()).unwrap());
        }
    }
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
