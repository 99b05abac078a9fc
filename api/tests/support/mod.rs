//! The real `partner-portal` binary for the tests that run it as a user would: a
//! clean environment, commands and `serve` in a temporary folder with their output
//! captured, and curl for HTTP (as a newcomer following the README would use it).

#![allow(dead_code, reason = "each test binary uses a part of it")]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub mod own_postgres;
pub mod replica;

pub const BIN: &str = env!("CARGO_BIN_EXE_partner-portal");
pub const ADMIN: &str = "admin@contoso-cloud.example";

/// A SQLite file in `dir`: where `cli` keeps the database.
pub fn database_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("pp.db").display())
}

/// The binary in `dir` on a SQLite file there (`database_url`), with a data folder there.
pub fn cli(dir: &Path) -> Command {
    cli_on(dir, &database_url(dir))
}

/// The binary in `dir` on the database at `url`, with a data folder in `dir`, and
/// nothing else of the test's environment, so none of its settings leak in (the
/// binary starts no other program, so it needs no `PATH` either).
pub fn cli_on(dir: &Path, url: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .current_dir(dir)
        .env("DATABASE_URL", url)
        .env("DATA_DIR", dir.join("data"));
    cmd
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the binary runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// A database of its own on the PostgreSQL of `TEST_DATABASE_URL`, for a test
/// that only means something there (and carries
/// `#[cfg_attr(not(test_database), ignore = …)]`).
pub fn postgres() -> persistence::testing::TestDatabase {
    persistence::testing::TestDatabase::postgres()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `partner-portal token --email …`: the bare token a script captures.
pub fn token(dir: &Path, bind: &str, email: &str) -> String {
    let out = cli(dir)
        .env("BIND", bind)
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
        let mut cmd = cli(dir);
        // No drain window unless a test asks for one: SIGTERM stops at once.
        cmd.env("BIND", bind)
            .env("RUST_LOG", "debug")
            .env("SHUTDOWN_DRAIN_SECS", "0")
            // Load and race tests send more than a caller's quota; a test of
            // the limits themselves sets its own.
            .env("RATE_LIMIT_PER_MINUTE", "1000000000")
            .env("PUBLIC_RATE_LIMIT_PER_MINUTE", "1000000000");
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

    /// SIGKILL: the process dies mid-request, as in a crash.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and returns at once (the drain runs on).
    pub fn terminate(&self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
    }

    /// Whether the process has exited.
    pub fn exited(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_some()
    }

    /// SIGTERM (a graceful stop, so logs and the database are flushed), then waits.
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
    let auth = token.map(|t| format!("authorization: Bearer {t}"));
    let body = body.map(Value::to_string);
    let mut args = vec!["-X", method];
    if let Some(auth) = &auth {
        args.extend(["-H", auth.as_str()]);
    }
    if let Some(body) = &body {
        args.extend(["-H", "content-type: application/json", "--data-binary", body.as_str()]);
    }
    args.push(url);
    curl_args(&args)
}

/// One HTTP exchange through curl with `args` (the URL among them), for requests
/// `curl` does not make (form bodies, HTTP Basic): (status, body).
pub fn curl_args(args: &[&str]) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "15", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl runs");
    assert!(out.status.success(), "curl {args:?}: {}", text(&out.stderr));
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

/// The bytes of the SQLite database in `dir` (main file, WAL and all).
pub fn database_bytes(dir: &Path) -> Vec<u8> {
    let mut db = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the test folder") {
        let entry = entry.expect("a folder entry");
        if entry.file_name().to_string_lossy().starts_with("pp.db") {
            db.extend(std::fs::read(entry.path()).expect("a database file"));
        }
    }
    db
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}
