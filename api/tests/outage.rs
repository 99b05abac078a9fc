//! PostgreSQL going away under load, on a server of the test's own
//! (`support::own_postgres`): while it is down every request answers 503
//! problem+json with `Retry-After` fast (never 500, never the pool's timeout),
//! `/readyz` within half a second, and the first success comes within a second
//! of the database being back, without a restart. Also: a database that cannot
//! be used at start is one line saying what to fix, and a non-zero exit.
//!
//! Without PostgreSQL's server binaries these tests print SKIPPED and pass.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

mod support;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::own_postgres::OwnPostgres;
use support::{cli, cli_on, free_port, text, Server, ADMIN};

/// One request: when it started (since the test's start), its status, how long it took.
#[derive(Debug, Clone, Copy)]
struct Sample {
    at: Duration,
    status: u16,
    took: Duration,
    retry_after: bool,
}

/// `GET url` through curl, timed by curl itself (its own start-up not counted).
fn get(url: &str, token: Option<&str>, t0: Instant) -> Sample {
    let at = t0.elapsed();
    let auth = token.map(|t| format!("authorization: Bearer {t}"));
    let mut cmd = Command::new("curl");
    cmd.args([
        "-s",
        "-o",
        "/dev/null",
        "-D",
        "-",
        "--max-time",
        "10",
        "-w",
        "%{http_code} %{time_total}",
    ]);
    if let Some(auth) = &auth {
        cmd.args(["-H", auth]);
    }
    let out = cmd.arg(url).output().expect("curl runs");
    let out = String::from_utf8_lossy(&out.stdout).to_string();
    let last = out.lines().last().unwrap_or_default();
    let (status, took) = last.rsplit_once(' ').unwrap_or(("0", "0"));
    let status = status.rsplit(|c: char| !c.is_ascii_digit()).next().unwrap_or("0");
    Sample {
        at,
        status: status.parse().unwrap_or(0),
        took: Duration::from_secs_f64(took.parse().unwrap_or(0.0)),
        retry_after: out.to_ascii_lowercase().contains("retry-after:"),
    }
}

fn p99(mut took: Vec<Duration>) -> Duration {
    took.sort();
    took.get((took.len() * 99).div_ceil(100).saturating_sub(1))
        .copied()
        .unwrap_or_default()
}

#[test]
fn a_database_outage_is_a_fast_503_and_recovery_needs_no_restart() {
    let Some(pg) = OwnPostgres::start() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let bind = format!("127.0.0.1:{}", free_port());
    let url = pg.url();
    let mut server = Server::start(dir.path(), &bind, &[("DATABASE_URL", &url), ("RUST_LOG", "info")]);
    let token = {
        let out = cli_on(dir.path(), &url)
            .env("BIND", &bind)
            .args(["token", "--email", ADMIN])
            .output()
            .expect("token runs");
        assert!(out.status.success(), "token: {}", text(&out.stderr));
        text(&out.stdout).trim().to_string()
    };
    let me = format!("{}/v1/me", server.base);
    let readyz = format!("{}/readyz", server.base);

    let t0 = Instant::now();
    let samples = Arc::new(Mutex::new(Vec::<Sample>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (0..6)
        .map(|_| {
            let (samples, stop, me, token) = (samples.clone(), stop.clone(), me.clone(), token.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let s = get(&me, Some(&token), t0);
                    samples.lock().unwrap().push(s);
                }
            })
        })
        .collect();

    std::thread::sleep(Duration::from_secs(2));
    assert!(pg.stop_server(), "pg_ctl stop:\n{}", pg.log());
    let down_at = t0.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    let mut ready_during_outage = Vec::new();
    for _ in 0..10 {
        ready_during_outage.push(get(&readyz, None, t0));
        std::thread::sleep(Duration::from_millis(200));
    }
    // The database answers before `pg_ctl start` returns: the outage ends when
    // the restart begins, the recovery is timed from when it has finished.
    let restart_at = t0.elapsed();
    assert!(pg.start_server(), "pg_ctl start:\n{}", pg.log());
    let up_at = t0.elapsed();
    std::thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::Relaxed);
    for t in load {
        t.join().expect("load thread");
    }
    server.stop();
    let samples = samples.lock().unwrap().clone();
    let log = server.output();

    // Requests sent while the database was down (after the in-flight ones settled).
    let outage: Vec<Sample> = samples
        .iter()
        .copied()
        .filter(|s| s.at > down_at + Duration::from_millis(200) && s.at + s.took < restart_at)
        .collect();
    let first_ok_after = samples
        .iter()
        .filter(|s| s.at >= up_at && s.status == 200)
        .map(|s| s.at + s.took - up_at)
        .min();
    let outage_p99 = p99(outage.iter().map(|s| s.took).collect());
    let ready_max = ready_during_outage.iter().map(|s| s.took).max().unwrap_or_default();
    eprintln!(
        "outage figures: {} requests in total, {} during the outage, p99 during the outage {:?}, \
         /readyz slowest {:?}, first 200 {:?} after the database was back",
        samples.len(),
        outage.len(),
        outage_p99,
        ready_max,
        first_ok_after
    );

    let errors: Vec<&Sample> = samples.iter().filter(|s| s.status >= 500 && s.status != 503).collect();
    assert!(errors.is_empty(), "no 5xx but 503: {errors:?}\n{log}");
    assert!(samples.iter().all(|s| s.status != 0), "every request was answered");
    assert!(outage.len() >= 10, "load ran during the outage: {outage:?}");
    assert!(
        outage.iter().all(|s| s.status == 503 && s.retry_after),
        "503 with Retry-After while down: {outage:?}"
    );
    assert!(
        outage_p99 <= Duration::from_millis(1500),
        "p99 during the outage {outage_p99:?}"
    );
    assert!(
        ready_during_outage.iter().all(|s| s.status == 503),
        "readyz 503 while down: {ready_during_outage:?}"
    );
    assert!(ready_max <= Duration::from_millis(500), "readyz took {ready_max:?}");
    let first_ok_after = first_ok_after.expect("a 200 after the database came back");
    assert!(
        first_ok_after <= Duration::from_secs(1),
        "first 200 after {first_ok_after:?}"
    );
    // The reason is logged, not once per request.
    let reasons = log.matches("the database is unreachable").count();
    assert!(
        (1..=3).contains(&reasons),
        "the outage's reason logged once per few seconds, not {reasons} times:\n{log}"
    );
    let outage_line = log
        .lines()
        .find(|l| l.contains("the database is unreachable"))
        .unwrap_or_default();
    assert!(
        outage_line.contains("Connection refused") || outage_line.contains("shutting down"),
        "the log says why: {outage_line}"
    );
    assert!(log.contains("the database is reachable again"), "{log}");
    assert!(!log.contains("Invalid connection url"), "{log}");
}

/// `serve` with `env`; it must exit non-zero with exactly one line on stderr
/// that contains every one of `expected`.
fn refuses_to_start(dir: &std::path::Path, url: &str, env: &[(&str, &str)], expected: &[&str]) {
    let mut cmd = cli_on(dir, url);
    cmd.env("BIND", format!("127.0.0.1:{}", free_port()));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.arg("serve").output().expect("serve runs");
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "serve must fail on {url}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr:?}");
    for e in expected {
        assert!(stderr.contains(e), "{e:?} in {stderr:?}");
    }
    assert!(!stderr.contains("own-pg-secret"), "no password in {stderr:?}");
}

#[test]
fn an_unusable_database_at_start_is_one_line_with_the_fix() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Nothing listens there.
    let nowhere = format!("postgres://postgres:pw@127.0.0.1:{}/postgres", free_port());
    refuses_to_start(
        dir.path(),
        &nowhere,
        &[],
        &["Connection refused", "start PostgreSQL", "DATABASE_URL"],
    );
    // An empty SQLite database with migrations skipped.
    let empty = support::database_url(dir.path());
    refuses_to_start(
        dir.path(),
        &empty,
        &[("SKIP_MIGRATIONS", "true")],
        &["SKIP_MIGRATIONS", "partner-portal migrate"],
    );
    let out = cli(dir.path()).arg("migrate").output().expect("migrate runs");
    assert!(out.status.success(), "{}", text(&out.stderr));

    let Some(pg) = OwnPostgres::start() else { return };
    refuses_to_start(
        dir.path(),
        &pg.url_with_password("wrong"),
        &[],
        &[
            "password authentication failed",
            "check the user and password in DATABASE_URL",
        ],
    );
    refuses_to_start(
        dir.path(),
        &pg.url(),
        &[("SKIP_MIGRATIONS", "true")],
        &["SKIP_MIGRATIONS", "partner-portal migrate"],
    );
}
