//! SIGTERM drains the real binary: `/readyz` turns 503 at once while requests
//! are still served for `SHUTDOWN_DRAIN_SECS`; then new connections are
//! refused; an export still streaming when `SHUTDOWN_GRACE_SECS` ends is cut —
//! its chunked body stops without the final chunk, so the client sees a broken
//! transfer, never a short file that looks complete — and the cut is logged.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use chrono::Utc;
use domain::{BillingCycle, OrgKind, OrgStatus, SubscriptionStatus};
use persistence::{BulkOrganization, BulkSubscription, Store};
use support::{cli, curl, database_url, free_port, token, Server, ADMIN};
use uuid::Uuid;

/// A customer with `n` subscriptions under the provider root (whose id is
/// returned): a report far larger than the socket buffers between server and client.
fn large_report(dir: &std::path::Path, n: usize) -> Uuid {
    let out = cli(dir).arg("migrate").output().expect("migrate runs");
    assert!(out.status.success(), "migrate: {}", support::text(&out.stderr));
    let store = Store::connect(&database_url(dir), 2).expect("store");
    let root = store.root().expect("root").expect("a root");
    let id = Uuid::now_v7();
    let path = root.path.child(id);
    store
        .bulk_insert_organizations(&[BulkOrganization {
            id,
            parent_id: Some(root.id),
            kind: OrgKind::Customer,
            name: "Large Customer".into(),
            status: OrgStatus::Active,
            path: path.clone(),
            primary_domain: Some("largecustomer.onmicrosoft.com".into()),
        }])
        .expect("customer");
    let now = Utc::now().naive_utc();
    let subs: Vec<BulkSubscription> = (0..n)
        .map(|i| BulkSubscription {
            customer_id: id,
            customer_path: path.clone(),
            sku: format!("SKU_{i}"),
            description: format!("A subscription with a fairly long description, number {i}"),
            quantity: 10,
            assigned: 5,
            unit_price_minor: 1890,
            currency: "NZD".into(),
            billing_cycle: BillingCycle::Monthly,
            renews_on: now.date(),
            status: SubscriptionStatus::Active,
            history: vec![(now, 10, 5)],
        })
        .collect();
    store.bulk_insert_customer_data(&subs, &[]).expect("subscriptions");
    root.id
}

/// An export request on a socket with a small receive buffer, its response
/// head read; the body is left unread.
fn start_export(addr: SocketAddr, token: &str, org: Uuid) -> (TcpStream, String) {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    socket.connect(&addr.into()).expect("connect");
    let mut stream: TcpStream = socket.into();
    write!(
        stream,
        "GET /v1/organizations/{org}/reports/subscriptions.csv HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\n\r\n"
    )
    .expect("request");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).expect("response head");
        head.push(byte[0]);
    }
    (stream, String::from_utf8_lossy(&head).to_lowercase())
}

fn status(url: &str) -> u16 {
    let out = std::process::Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", url])
        .output()
        .expect("curl runs");
    String::from_utf8_lossy(&out.stdout).parse().unwrap_or(0)
}

#[test]
fn sigterm_drains_then_stops_and_cuts_running_exports() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = large_report(dir.path(), 60_000);
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut server = Server::start(
        dir.path(),
        &bind,
        &[
            ("SHUTDOWN_DRAIN_SECS", "2"),
            ("SHUTDOWN_GRACE_SECS", "2"),
            ("RUST_LOG", "info"),
        ],
    );
    let token = token(dir.path(), &bind, ADMIN);
    let (mut export, head) = start_export(bind.parse().expect("address"), &token, root);
    assert!(head.starts_with("http/1.1 200"), "{head}\n{}", server.output());
    assert!(head.contains("transfer-encoding: chunked"), "{head}");

    let t0 = Instant::now();
    server.terminate();
    // Draining: not ready, still serving.
    let mut unready_after = None;
    while t0.elapsed() < Duration::from_secs(1) {
        if status(&format!("{}/readyz", server.base)) == 503 {
            unready_after = Some(t0.elapsed());
            break;
        }
    }
    let unready_after = unready_after.expect("/readyz turned 503 within a second of SIGTERM");
    let (me, _) = curl("GET", &format!("{}/v1/me", server.base), Some(&token), None);
    assert_eq!(me, 200, "requests are served while draining");
    let served_at = t0.elapsed();
    assert!(served_at < Duration::from_secs(2), "served inside the drain window");

    // Then the listener closes.
    let mut refused_after = None;
    while t0.elapsed() < Duration::from_secs(10) {
        if status(&format!("{}/healthz", server.base)) == 0 {
            refused_after = Some(t0.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let refused_after = refused_after.expect("connections refused after the drain window");
    assert!(
        refused_after >= Duration::from_secs(2),
        "not before the drain window ends: {refused_after:?}"
    );

    // The export, still running when the grace period ends, is cut.
    std::thread::sleep(Duration::from_secs(5).saturating_sub(t0.elapsed()));
    export.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    let mut body = Vec::new();
    let read = export.read_to_end(&mut body);
    let ended_after = t0.elapsed();
    assert!(read.is_ok() || !body.is_empty(), "the body was readable: {read:?}");
    assert!(!body.is_empty(), "part of the file was sent");
    assert!(
        !body.ends_with(b"0\r\n\r\n"),
        "the chunked body must not end cleanly ({} bytes read)",
        body.len()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.exited() {
        assert!(Instant::now() < deadline, "the server exits after its grace period");
        std::thread::sleep(Duration::from_millis(50));
    }
    let exited_after = t0.elapsed();
    let log = server.output();
    eprintln!(
        "drain timeline: SIGTERM at 0; /readyz 503 after {unready_after:?}; a request served at {served_at:?}; \
         connections refused after {refused_after:?}; export body broken, read to its end at {ended_after:?} \
         ({} of the file's bytes); process exited after {exited_after:?}",
        body.len()
    );
    assert!(log.contains("draining"), "{log}");
    assert!(log.contains("cutting the exports still streaming"), "{log}");
    assert!(log.contains("reason=\"shutdown\""), "the cut export is logged:\n{log}");
    assert!(
        log.contains("body=\"broken\""),
        "its access line says the body broke:\n{log}"
    );
}
