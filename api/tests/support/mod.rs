//! The real `partner-portal` binary for the onboarding tests: a clean
//! environment, `serve` in a temporary folder with its output captured, and
//! curl for HTTP (as a newcomer following the README would use it).

#![allow(dead_code, reason = "each test binary uses a part of it")]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_partner-portal");
pub const ADMIN: &str = "admin@contoso-cloud.example";

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
    "PUBLIC_RATE_LIMIT_PER_MINUTE",
    "DB_POOL_SIZE",
    "WORKERS",
    "SKIP_MIGRATIONS",
    "ACTIVATION_TTL_HOURS",
    "ACTIVATION_BASE_URL",
    "SMTP_URL",
    "MAIL_FROM",
    "MAIL_DIR",
    "RUST_LOG",
    "TEST_DATABASE_URL",
];

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The binary in `dir` with a clean environment: a SQLite file and a data folder there.
pub fn cli(dir: &Path, bind: &str) -> Command {
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

/// `partner-portal token --email …`: the bare token a script captures.
pub fn token(dir: &Path, bind: &str, email: &str) -> String {
    let out = cli(dir, bind)
        .args(["token", "--email", email])
        .output()
        .expect("token runs");
    assert!(
        out.status.success(),
        "token --email {email}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8").trim().to_string()
}

/// The running server; killed if the test fails before stopping it.
pub struct Server {
    child: Child,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
    pub base: String,
}

impl Server {
    /// `serve` in `dir`, logging at debug level, with `env` added.
    pub fn start(dir: &Path, bind: &str, env: &[(&str, &str)]) -> Server {
        let stdout = dir.join("serve.stdout");
        let stderr = dir.join("serve.stderr");
        let mut cmd = cli(dir, bind);
        cmd.env("RUST_LOG", "debug");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(File::create(&stdout).expect("stdout file"))
            .stderr(File::create(&stderr).expect("stderr file"))
            .spawn()
            .expect("serve starts");
        let mut server = Server {
            child,
            stdout,
            stderr,
            base: format!("http://{bind}"),
        };
        server.wait_ready();
        server
    }

    pub fn output(&self) -> String {
        format!(
            "{}{}",
            std::fs::read_to_string(&self.stdout).unwrap_or_default(),
            std::fs::read_to_string(&self.stderr).unwrap_or_default()
        )
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                panic!("serve exited ({status}) before it was ready:\n{}", self.output());
            }
            let out = Command::new("curl")
                .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2"])
                .arg(format!("{}/readyz", self.base))
                .output()
                .expect("curl runs");
            if out.stdout == b"200" {
                return;
            }
            assert!(Instant::now() < deadline, "not ready after 60 s:\n{}", self.output());
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// SIGTERM (a graceful stop, so logs are flushed), then waits.
    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().expect("try_wait").is_none() {
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

/// One HTTP exchange through curl: (status, body). `token` adds a bearer token,
/// `body` makes it a JSON request of `method`.
pub fn curl(method: &str, url: &str, token: Option<&str>, body: Option<&Value>) -> (u16, String) {
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "--max-time", "15", "-w", "\n%{http_code}", "-X", method]);
    if let Some(t) = token {
        cmd.args(["-H", &format!("authorization: Bearer {t}")]);
    }
    if let Some(b) = body {
        cmd.args(["-H", "content-type: application/json", "--data-binary", &b.to_string()]);
    }
    let out = cmd.arg(url).output().expect("curl runs");
    assert!(
        out.status.success(),
        "curl {method} {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8 answer");
    let (body, status) = text.rsplit_once('\n').expect("status line");
    (status.parse().expect("status"), body.to_string())
}

pub fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// Polls `probe` every 100 ms for up to 60 s (waiting for the mail worker, not timing it).
pub fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The contents of the files in `dir` (not recursive), oldest name first.
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
}

/// The activation link (whole URL) in a raw mail.
pub fn link_in(mail: &str) -> Option<String> {
    mail.lines()
        .map(str::trim)
        .find(|l| l.starts_with("http") && l.contains("/v1/activations/"))
        .map(str::to_owned)
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}
