//! Webhooks with real `serve` processes on one PostgreSQL database: two servers
//! deliver each event exactly once to a healthy receiver, and a server killed
//! while a delivery is in flight loses nothing (another server sends it once
//! the lease has run out, with the same `webhook-id`). PostgreSQL only; each
//! test is ignored without `TEST_DATABASE_URL`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

mod support;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use support::replica::Replica;
use support::{curl, json_of, postgres, wait_for};

/// Webhook ids received, in order; while `hold` is set, requests get no answer.
#[derive(Clone, Default)]
struct Receiver {
    ids: Arc<Mutex<Vec<String>>>,
    hold: Arc<AtomicBool>,
}

impl Receiver {
    fn start(&self) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let me = self.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let me = me.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream);
                    let (mut line, mut id, mut length) = (String::new(), String::new(), 0);
                    while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                        let lower = line.to_ascii_lowercase();
                        if let Some(v) = lower.strip_prefix("webhook-id:") {
                            id = v.trim().to_string();
                        }
                        if let Some(v) = lower.strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        line.clear();
                    }
                    let mut body = vec![0; length];
                    let _ = reader.read_exact(&mut body);
                    me.ids.lock().unwrap().push(id);
                    while me.hold.load(Ordering::Relaxed) {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    let _ = reader
                        .into_inner()
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                });
            }
        });
        url
    }

    fn ids(&self) -> Vec<String> {
        self.ids.lock().unwrap().clone()
    }
}

/// Webhooks to the test's own receiver, and leases short enough to run out in a test.
const WEBHOOK_ENV: &[(&str, &str)] = &[("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true"), ("WEBHOOK_LEASE_SECS", "12")];

impl Replica {
    fn call(&self, method: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
        let (status, answer) = curl(
            method,
            &format!("{}{path}", self.server.base),
            Some(&self.token),
            Some(&body),
        );
        assert!((200..300).contains(&status), "{method} {path}: {status} {answer}");
        json_of(&answer)
    }

    fn root(&self) -> String {
        let (_, me) = curl("GET", &format!("{}/v1/me", self.server.base), Some(&self.token), None);
        json_of(&me)["home_organization_id"].as_str().unwrap().to_string()
    }

    fn create_partner(&self, root: &str, name: &str) {
        self.call(
            "POST",
            "/v1/organizations",
            json!({"parent_id": root, "kind": "partner", "name": name}),
        );
    }
}

fn subscribe(replica: &Replica, root: &str, url: &str) {
    replica.call(
        "POST",
        &format!("/v1/organizations/{root}/webhook-endpoints"),
        json!({"url": url, "events": ["organization.created"]}),
    );
}

#[test]
#[cfg_attr(not(test_database), ignore = "TEST_DATABASE_URL is not set (PostgreSQL)")]
fn two_servers_deliver_each_event_exactly_once() {
    let db = postgres();
    let a = Replica::start_with(&db.url, WEBHOOK_ENV);
    let b = Replica::start_with(&db.url, WEBHOOK_ENV);
    let receiver = Receiver::default();
    let url = receiver.start();
    let root = a.root();
    subscribe(&a, &root, &url);
    for i in 0..30 {
        let server = if i % 2 == 0 { &a } else { &b };
        server.create_partner(&root, &format!("Partner {i}"));
    }
    wait_for("30 events", || (receiver.ids().len() >= 30).then_some(()));
    // A late duplicate would arrive within a few worker rounds.
    std::thread::sleep(Duration::from_secs(2));
    let ids = receiver.ids();
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), 30, "each event once: {ids:?}");
    assert_eq!(distinct.len(), 30);
}

#[test]
#[cfg_attr(not(test_database), ignore = "TEST_DATABASE_URL is not set (PostgreSQL)")]
fn a_server_killed_mid_delivery_loses_nothing() {
    let db = postgres();
    let mut a = Replica::start_with(&db.url, WEBHOOK_ENV);
    let receiver = Receiver::default();
    receiver.hold.store(true, Ordering::Relaxed);
    let url = receiver.start();
    let root = a.root();
    subscribe(&a, &root, &url);
    a.create_partner(&root, "Crash Partner");
    // The delivery is in flight at `a`, whose receiver never answers: kill it.
    wait_for("the first attempt", || (!receiver.ids().is_empty()).then_some(()));
    a.server.kill();
    receiver.hold.store(false, Ordering::Relaxed);
    let b = Replica::start_with(&db.url, WEBHOOK_ENV);
    // Once `a`'s lease (12 s) has run out, `b` sends the event again.
    wait_for("the delivery after the crash", || {
        (receiver.ids().len() >= 2).then_some(())
    });
    let ids = receiver.ids();
    assert_eq!(ids[0], ids[1], "the same webhook-id: {ids:?}");
    drop(b);
}
