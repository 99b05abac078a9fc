//! Seal after commit on PostgreSQL, with real `serve` processes on one database:
//! concurrent writers on two servers leave one verifiable chain with exactly one
//! event per acknowledged change; a server killed mid-run loses no acknowledged
//! write and sealing resumes; a move racing creates under the moved subtree
//! leaves no stale path. PostgreSQL only (SQLite has one writer and seals at
//! append time): each test is ignored without `TEST_DATABASE_URL`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::json;
use support::replica::Replica;
use support::{assert_success, cli_on, curl, json_of, postgres, run, text, wait_for};

/// One value from psql.
fn sql(url: &str, query: &str) -> String {
    let out = Command::new("psql")
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", query])
        .output()
        .expect("psql runs");
    assert!(out.status.success(), "{query}: {}", text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

impl Replica {
    fn client(&self) -> Client {
        Client {
            base: self.server.base.clone(),
            token: self.token.clone(),
        }
    }
}

/// What a writer needs to call a replica (no borrow of its process, which a test may kill).
#[derive(Clone)]
struct Client {
    base: String,
    token: String,
}

impl Client {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The new organisation's id on 201; `None` when the request failed or the
    /// server is gone (a killed server's writers stop there).
    fn create(&self, parent: &str, kind: &str, name: &str) -> Option<String> {
        let auth = format!("authorization: Bearer {}", self.token);
        let body = json!({"parent_id": parent, "kind": kind, "name": name}).to_string();
        let out = Command::new("curl")
            .args([
                "-sS",
                "--max-time",
                "15",
                "-w",
                "\n%{http_code}",
                "-X",
                "POST",
                "-H",
                &auth,
            ])
            .args(["-H", "content-type: application/json", "--data-binary", &body])
            .arg(self.url("/v1/organizations"))
            .output()
            .expect("curl runs");
        let answer = text(&out.stdout);
        let (body, status) = answer.rsplit_once('\n')?;
        (out.status.success() && status == "201").then(|| json_of(body)["id"].as_str().unwrap().to_string())
    }

    fn root(&self) -> String {
        let (_, me) = curl("GET", &self.url("/v1/me"), Some(&self.token), None);
        json_of(&me)["home_organization_id"].as_str().unwrap().to_string()
    }
}

/// `audit verify` passes, nothing is left unsealed, and each id has exactly one event.
fn assert_one_chain(dir: &Path, url: &str, acknowledged: &[String]) {
    let out = run(cli_on(dir, url).args(["audit", "verify"]));
    assert_success(&out, "audit verify");
    assert_eq!(sql(url, "SELECT count(*) FROM audit_events WHERE seq IS NULL"), "0");
    let total = sql(url, "SELECT count(*) FROM audit_events");
    assert!(
        text(&out.stdout).contains(&format!("{total} event(s) verified")),
        "{}",
        text(&out.stdout)
    );
    let ids = acknowledged
        .iter()
        .map(|i| format!("'{i}'"))
        .collect::<Vec<_>>()
        .join(",");
    let wrong = sql(
        url,
        &format!(
            "SELECT count(*) FROM (SELECT o.id FROM organizations o \
             LEFT JOIN audit_events a ON a.target_id = o.id AND a.action = 'organization.created' \
             WHERE o.id IN ({ids}) GROUP BY o.id HAVING count(a.id) <> 1) x"
        ),
    );
    assert_eq!(wrong, "0", "acknowledged creates without exactly one event");
    let found = sql(url, &format!("SELECT count(*) FROM organizations WHERE id IN ({ids})"));
    assert_eq!(
        found,
        acknowledged.len().to_string(),
        "an acknowledged create is missing"
    );
}

/// `writers` threads create partners under `parents` (round robin) through
/// `replicas` until `stop` says so; returns the acknowledged ids.
fn write_concurrently(
    replicas: &[Client],
    parents: &[String],
    writers: usize,
    stop: impl Fn(usize) -> bool + Sync,
) -> Vec<String> {
    let acknowledged = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for w in 0..writers {
            let replica = &replicas[w % replicas.len()];
            let parent = &parents[(w / replicas.len()) % parents.len()];
            let (acknowledged, stop) = (&acknowledged, &stop);
            s.spawn(move || {
                let mut n = 0;
                while !stop(n) {
                    match replica.create(parent, "partner", &format!("Writer {w} partner {n}")) {
                        Some(id) => acknowledged.lock().unwrap().push(id),
                        None => return,
                    }
                    n += 1;
                }
            });
        }
    });
    acknowledged.into_inner().unwrap()
}

#[test]
#[cfg_attr(not(test_database), ignore = "TEST_DATABASE_URL is not set (PostgreSQL)")]
fn two_servers_writing_in_two_subtrees_keep_one_verifiable_chain() {
    let db = postgres();
    let (a, b) = (Replica::start(&db.url), Replica::start(&db.url));
    let root = a.client().root();
    let subtrees: Vec<String> = ["North", "South"]
        .iter()
        .map(|n| {
            a.client()
                .create(&root, "distributor", &format!("{n} Distribution"))
                .unwrap()
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(6);
    let acknowledged = write_concurrently(&[a.client(), b.client()], &subtrees, 16, |n| {
        n >= 40 || Instant::now() >= deadline
    });
    assert!(acknowledged.len() >= 32, "only {} creates answered", acknowledged.len());
    assert_one_chain(a.dir.path(), &db.url, &acknowledged);
}

#[test]
#[cfg_attr(not(test_database), ignore = "TEST_DATABASE_URL is not set (PostgreSQL)")]
fn a_killed_server_loses_no_acknowledged_write_and_sealing_resumes() {
    let db = postgres();
    let (mut a, mut b) = (Replica::start(&db.url), Replica::start(&db.url));
    let client = a.client();
    let root = client.root();
    let parent = client.create(&root, "distributor", "Crash Distribution").unwrap();
    let started = Instant::now();
    let acknowledged = std::thread::scope(|s| {
        let writes = s.spawn(|| {
            write_concurrently(std::slice::from_ref(&client), std::slice::from_ref(&parent), 8, |n| {
                n >= 200 || started.elapsed() > Duration::from_secs(8)
            })
        });
        // Kill -9 while the writers still run (each stops at its first failed request).
        std::thread::sleep(Duration::from_millis(1500));
        a.server.kill();
        writes.join().unwrap()
    });
    assert!(!acknowledged.is_empty(), "no create answered before the kill");
    // Only the restarted server is left to seal what the killed one committed.
    b.server.stop();
    a.restart();
    wait_for("the restarted server's sealer to seal the backlog", || {
        (sql(&db.url, "SELECT count(*) FROM audit_events WHERE seq IS NULL") == "0").then_some(())
    });
    assert_one_chain(a.dir.path(), &db.url, &acknowledged);
}

#[test]
#[cfg_attr(not(test_database), ignore = "TEST_DATABASE_URL is not set (PostgreSQL)")]
fn a_move_racing_creates_under_the_moved_subtree_leaves_no_stale_path() {
    let db = postgres();
    let replica = Replica::start(&db.url);
    let a = replica.client();
    let root = a.root();
    let d1 = a.create(&root, "distributor", "East Distribution").unwrap();
    let d2 = a.create(&root, "distributor", "West Distribution").unwrap();
    let moved = a.create(&d1, "partner", "Roaming Partner").unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    let acknowledged = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for w in 0..6 {
            let (a, moved, done, acknowledged) = (&a, &moved, &done, &acknowledged);
            s.spawn(move || {
                let mut n = 0;
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    // A child of the moved node, then a grandchild under that child.
                    let child = a.create(moved, "partner", &format!("Child {w}-{n}")).unwrap();
                    let grandchild = a.create(&child, "partner", &format!("Grandchild {w}-{n}")).unwrap();
                    acknowledged.lock().unwrap().extend([child, grandchild]);
                    n += 1;
                }
            });
        }
        for hop in 0..20 {
            let to = if hop % 2 == 0 { &d2 } else { &d1 };
            let (status, body) = curl(
                "POST",
                &a.url(&format!("/v1/organizations/{moved}/move")),
                Some(&a.token),
                Some(&json!({"parent_id": to})),
            );
            assert_eq!(status, 200, "{body}");
            std::thread::sleep(Duration::from_millis(25));
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let stale = sql(
        &db.url,
        "SELECT count(*) FROM organizations c JOIN organizations p ON p.id = c.parent_id \
         WHERE c.path <> p.path || replace(c.id, '-', '') || '/' OR c.depth <> p.depth + 1",
    );
    assert_eq!(stale, "0", "children with a stale path");
    let acknowledged = acknowledged.into_inner().unwrap();
    assert!(acknowledged.len() >= 12, "only {} creates answered", acknowledged.len());
    assert_one_chain(replica.dir.path(), &db.url, &acknowledged);
}
