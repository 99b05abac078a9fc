//! Webhooks: endpoints per organisation (admins only, scoped like every other
//! record), and the events their subtree's changes push to them. A receiver in
//! the test process (127.0.0.1, so the server allows private targets) checks
//! the Standard Webhooks signature with the secret from the create answer, that
//! in-scope changes arrive and out-of-scope ones never do, that the payload is
//! the resource as GET returns it, the retry schedule (the tests move the
//! server's clock; they never sleep for a backoff), rotation and redelivery.
//! The dispatcher and the delivery worker are driven here as `serve` runs them.

use std::time::{Duration, Instant};

use api::webhooks::{dispatcher, sender::Sender, worker::Worker};
use domain::Role;
use http_tests::receiver::{Received, Receiver};
use http_tests::{both_backends, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

const ALLOW_PRIVATE: &str = "--webhook-allow-private-targets";

/// One round as `serve` runs it: dispatch every sealed event, then make every
/// due delivery and wait for its outcome.
async fn deliver(app: &TestApp) -> usize {
    let (store, clock) = (app.store.clone(), app.clock.clone());
    tokio::task::spawn_blocking(move || {
        while dispatcher::run_once(&store, &clock).expect("dispatch") > 0 {}
        let sender = Sender::new(true).expect("sender");
        Worker::new(store, sender, clock).drain().expect("deliver")
    })
    .await
    .expect("the delivery round")
}

/// Delivers until the receiver holds `n` requests (events of committed changes
/// are dispatched once sealed: a few milliseconds on PostgreSQL).
async fn until_received(app: &TestApp, receiver: &Receiver, n: usize) -> Vec<Received> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        deliver(app).await;
        let got = receiver.received();
        if got.len() >= n || Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn endpoint(app: &TestApp, org: Uuid, url: &str, events: &[&str]) -> (Uuid, String) {
    let r = app
        .admin()
        .webhooks()
        .create(org, json!({"url": url, "events": events, "description": "PSA"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let secret = r.body["secret"].as_str().expect("secret").to_string();
    (r.id(), secret)
}

both_backends!(
    endpoints_are_created_read_changed_rotated_and_deleted,
    |app| async move {
        let t = app.tree().await;
        let hooks = app.admin().webhooks();
        let r = hooks
        .create(
            t.reseller_a,
            json!({"url": "https://93.184.216.34/hooks", "events": ["organization.created", "invoice.issued"], "description": " ConnectWise "}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.id();
        assert_eq!(
            r.header("location").as_deref(),
            Some(format!("/v1/webhook-endpoints/{id}").as_str())
        );
        let secret = r.body["secret"].as_str().expect("secret");
        assert!(
            secret.starts_with("whsec_") && domain::WebhookSecret::parse(secret).is_ok(),
            "{secret}"
        );
        assert_eq!(r.body["description"], "ConnectWise");
        assert_eq!(r.body["events"], json!(["organization.created", "invoice.issued"]));

        let got = hooks.get(id).await;
        assert_eq!(got.status, 200);
        assert!(
            got.body.get("secret").is_none(),
            "the secret is shown once: {}",
            got.text
        );
        assert_eq!(hooks.list(t.dist).await.body["items"][0]["id"], json!(id));

        let stale = hooks.update(id, json!({"enabled": false}), Some("\"99\"")).await;
        assert_eq!(stale.status, 412, "{}", stale.text);
        let tag = got.header("etag").expect("etag");
        let changed = hooks
            .update(id, json!({"events": ["*"], "enabled": false}), Some(&tag))
            .await;
        assert_eq!(changed.status, 200, "{}", changed.text);
        assert_eq!(changed.body["events"], json!(["*"]));
        assert_eq!(changed.body["enabled"], false);
        let empty = hooks.update(id, json!({}), None).await;
        assert_eq!(empty.status, 200, "an empty change is no error: {}", empty.text);
        assert_eq!(
            (&empty.body["events"], &empty.body["enabled"]),
            (&json!(["*"]), &json!(false))
        );

        let rotated = hooks.rotate_secret(id).await;
        assert_eq!(rotated.status, 200, "{}", rotated.text);
        assert_ne!(rotated.body["secret"].as_str(), Some(secret));

        let tag = hooks.get(id).await.header("etag").expect("etag");
        assert_eq!(hooks.delete(id, Some("\"1\"")).await.status, 412);
        assert_eq!(hooks.delete(id, Some(&tag)).await.status, 204);
        assert_eq!(hooks.get(id).await.status, 404);
        // created, updated (twice, once with nothing), rotated, deleted: each audited.
        assert_eq!(app.store.audit_event_count(id).expect("count"), 5);
    }
);

both_backends!(only_admins_in_scope_manage_endpoints, |app| async move {
    let t = app.tree().await;
    let (_, viewer) = app.operator(
        t.reseller_a,
        "viewer@reseller-a.example",
        &[Role::Viewer, Role::Billing],
    );
    let (_, admin_b) = app.operator(t.reseller_b, "admin@reseller-b.example", &[Role::Admin]);
    let (id, _) = endpoint(&app, t.reseller_a, "https://93.184.216.34/hooks", &["*"]).await;
    assert_eq!(app.as_(&viewer).webhooks().get(id).await.status, 403);
    let body = json!({"url": "https://93.184.216.34/x", "events": ["*"]});
    assert_eq!(
        app.as_(&viewer)
            .webhooks()
            .create(t.reseller_a, body.clone())
            .await
            .status,
        403
    );
    assert_eq!(app.as_(&admin_b).webhooks().get(id).await.status, 404);
    assert_eq!(app.as_(&admin_b).webhooks().deliveries(id).await.status, 404);
    assert_eq!(
        app.as_(&admin_b).webhooks().create(t.reseller_a, body).await.status,
        404
    );
});

// The production body limit (64 KiB), so a list of 10,000 event types is read whole.
both_backends!(
    bad_endpoints_are_refused_naming_the_field_and_nothing_is_stored,
    flags = ["--max-body-bytes", "65536"],
    |app| async move {
        let t = app.tree().await;
        let hooks = app.admin().webhooks();
        let long = format!("https://psa.example.com/{}", "a".repeat(5_000));
        let many: Vec<&str> = vec!["*"; 10_000];
        let cases = [
            (json!({"url": "http://93.184.216.34/hooks", "events": ["*"]}), "url"),
            (json!({"url": "https://10.0.0.5/hooks", "events": ["*"]}), "url"),
            (json!({"url": "https://127.0.0.1/hooks", "events": ["*"]}), "url"),
            (json!({"url": "https://169.254.169.254/latest", "events": ["*"]}), "url"),
            (json!({"url": "https://localhost/hooks", "events": ["*"]}), "url"),
            (json!({"url": long, "events": ["*"]}), "url"),
            (
                json!({"url": "https://93.184.216.34/hooks", "events": ["organization.exploded"]}),
                "events[0]",
            ),
            (json!({"url": "https://93.184.216.34/hooks", "events": many}), "events"),
            (json!({"url": "https://93.184.216.34/hooks", "events": []}), "events"),
        ];
        for (body, field) in cases {
            let r = hooks.create(t.reseller_a, body).await;
            assert_eq!(r.status, 422, "{}", r.text);
            assert_eq!(r.error_field(), Some(field), "{}", r.text);
        }
        let (id, _) = endpoint(&app, t.reseller_a, "https://93.184.216.34/hooks", &["*"]).await;
        let r = hooks.update(id, json!({"url": "https://192.168.1.1/"}), None).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.error_field(), Some("url"));
        let listed = hooks.list(t.reseller_a).await;
        assert_eq!(
            listed.body["items"].as_array().map(Vec::len),
            Some(1),
            "{}",
            listed.text
        );
        assert_eq!(listed.body["items"][0]["url"], "https://93.184.216.34/hooks");
    }
);

both_backends!(
    signed_events_of_the_subtree_arrive_and_others_never,
    flags = [ALLOW_PRIVATE],
    |app| async move {
        let t = app.tree().await;
        let receiver = Receiver::start();
        let (_, secret) = endpoint(
            &app,
            t.reseller_a,
            &receiver.url,
            &["organization.updated", "organization.created"],
        )
        .await;
        let (_, reseller_admin) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
        // Beside and above the endpoint's organisation: never sent.
        let r = app
            .admin()
            .organizations()
            .update(t.reseller_b, json!({"name": "Reseller B2"}), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = app
            .admin()
            .organizations()
            .update(t.dist, json!({"name": "Northwind 2"}), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        // In scope, a level down.
        let r = app
            .admin()
            .organizations()
            .update(t.customer_a, json!({"name": "Customer A, renamed"}), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);

        let got = until_received(&app, &receiver, 1).await;
        assert_eq!(got.len(), 1, "only the in-scope change: {got:?}");
        let hook = &got[0];
        assert!(hook.verifies(&secret), "signed with the endpoint's secret: {hook:?}");
        let other = api::webhooks::new_secret().expose();
        assert!(!hook.verifies(&other), "no other secret verifies it");
        assert_eq!(hook.json["type"], "organization.updated");
        assert_eq!(hook.json["organization_id"], json!(t.customer_a));
        assert_eq!(hook.header("webhook-id"), hook.json["id"].as_str().unwrap_or_default());
        // The payload is the resource as its GET shows it to the endpoint's organisation.
        let seen = app.as_(&reseller_admin).organizations().get(t.customer_a).await;
        assert_eq!(hook.json["data"], seen.body, "payload is the resource");
        assert_eq!(hook.json["data"]["name"], "Customer A, renamed");
        assert!(!hook.body.contains("secret") && !hook.body.contains("hash"));

        // Nothing else turns up later.
        deliver(&app).await;
        assert_eq!(receiver.received().len(), 1);
    }
);

both_backends!(
    a_failing_receiver_gets_retries_with_growing_delays,
    flags = [ALLOW_PRIVATE],
    |app| async move {
        let t = app.tree().await;
        let receiver = Receiver::start();
        receiver.answer(&[500, 500]);
        let (id, _) = endpoint(&app, t.reseller_a, &receiver.url, &["organization.updated"]).await;
        let r = app
            .admin()
            .organizations()
            .update(t.customer_a, json!({"name": "Retry Ltd"}), None)
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(until_received(&app, &receiver, 1).await.len(), 1);
        let d = app.admin().webhooks().deliveries(id).await;
        let first = &d.body["items"][0];
        assert_eq!(first["status"], "retrying", "{}", d.text);
        assert_eq!(first["attempt"], 1);
        assert_eq!(first["response_status"], 500);
        assert_eq!(first["error"], "the endpoint answered 500");
        assert!(first["next_attempt_at"].is_string(), "{}", d.text);

        // First retry: after 5 s (plus jitter up to 20 %): not after 3 s, by 7 s.
        app.advance_clock(3);
        deliver(&app).await;
        assert_eq!(receiver.received().len(), 1, "not due yet");
        app.advance_clock(4);
        deliver(&app).await;
        assert_eq!(receiver.received().len(), 2, "the first retry");
        // Second retry: after 30 s: not after 10 s more, by 40 s.
        app.advance_clock(10);
        deliver(&app).await;
        assert_eq!(receiver.received().len(), 2, "a longer wait before the second retry");
        app.advance_clock(30);
        deliver(&app).await;
        let got = receiver.received();
        assert_eq!(got.len(), 3, "the second retry succeeds");
        let ids: Vec<&str> = got.iter().map(|h| h.header("webhook-id")).collect();
        assert!(
            ids.iter().all(|i| *i == ids[0]),
            "one webhook-id across retries: {ids:?}"
        );
        let stamps: Vec<i64> = got
            .iter()
            .map(|h| h.header("webhook-timestamp").parse().unwrap_or(0))
            .collect();
        assert!(
            stamps[2] - stamps[1] > stamps[1] - stamps[0],
            "growing delays: {stamps:?}"
        );

        // Every attempt is a line of the history, newest first, under one delivery.
        let d = app.admin().webhooks().deliveries(id).await;
        let items = d.body["items"].as_array().expect("items");
        let seen: Vec<(i64, &str, i64)> = items
            .iter()
            .map(|i| {
                (
                    i["attempt"].as_i64().unwrap_or(0),
                    i["status"].as_str().unwrap_or(""),
                    i["response_status"].as_i64().unwrap_or(0),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [(3, "succeeded", 200), (2, "retrying", 500), (1, "retrying", 500)],
            "{}",
            d.text
        );
        assert!(items.iter().all(|i| i["delivery_id"] == items[0]["delivery_id"]));
        assert!(items.iter().all(|i| i["event_id"] == items[0]["event_id"]));
        assert_eq!(items[0]["next_attempt_at"], Value::Null);
        assert!(items[0]["duration_ms"].is_i64() && items[0]["attempted_at"].is_string());
    }
);

both_backends!(
    rotation_signs_with_both_secrets_and_redelivery_keeps_the_id,
    flags = [ALLOW_PRIVATE],
    |app| async move {
        let t = app.tree().await;
        let receiver = Receiver::start();
        let (id, old) = endpoint(&app, t.reseller_a, &receiver.url, &["invoice.issued"]).await;
        let rotated = app.admin().webhooks().rotate_secret(id).await;
        let new = rotated.body["secret"].as_str().expect("new secret").to_string();

        let ping = app.admin().webhooks().test(id).await;
        assert_eq!(ping.status, 202, "{}", ping.text);
        // Queued, not tried yet: a pending line.
        let queued = app.admin().webhooks().deliveries(id).await;
        let line = &queued.body["items"][0];
        assert_eq!(line["status"], "pending", "{}", queued.text);
        assert_eq!(line["delivery_id"], ping.body["id"]);
        assert_eq!(line["attempted_at"], Value::Null);
        let got = until_received(&app, &receiver, 1).await;
        let hook = &got[0];
        assert_eq!(hook.json["type"], "ping");
        assert_eq!(hook.signatures().len(), 2, "{hook:?}");
        assert!(hook.verifies(&old) && hook.verifies(&new));

        let again = app.admin().webhooks().redeliver(ping.id()).await;
        assert_eq!(again.status, 202, "{}", again.text);
        let got = until_received(&app, &receiver, 2).await;
        assert_eq!(got[1].header("webhook-id"), hook.header("webhook-id"));
        assert_eq!(got[1].body, hook.body);

        // After 24 hours the old secret stops signing.
        app.advance_clock(25 * 3600);
        app.admin().webhooks().test(id).await;
        let got = until_received(&app, &receiver, 3).await;
        assert_eq!(got[2].signatures().len(), 1);
        assert!(got[2].verifies(&new) && !got[2].verifies(&old));
        let listed = app.admin().webhooks().deliveries(id).await;
        assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(3));
        assert_eq!(listed.body["items"][0]["event_type"], "ping", "newest first");
    }
);

both_backends!(
    two_workers_deliver_each_event_once,
    flags = [ALLOW_PRIVATE],
    |app| async move {
        let t = app.tree().await;
        let receiver = Receiver::start();
        endpoint(&app, t.reseller_a, &receiver.url, &["organization.updated"]).await;
        for i in 0..20 {
            let r = app
                .admin()
                .organizations()
                .update(t.customer_a, json!({"name": format!("Round {i}")}), None)
                .await;
            assert_eq!(r.status, 200);
        }
        let rounds = (0..2).map(|_| {
            let (store, clock) = (app.store.clone(), app.clock.clone());
            tokio::task::spawn_blocking(move || {
                let deadline = Instant::now() + Duration::from_secs(10);
                let worker = Worker::new(store.clone(), Sender::new(true).expect("sender"), clock.clone());
                let mut sent = 0;
                while Instant::now() < deadline {
                    dispatcher::run_once(&store, &clock).expect("dispatch");
                    sent += worker.drain().expect("deliver");
                    std::thread::sleep(Duration::from_millis(20));
                }
                sent
            })
        });
        let sent: Vec<usize> = http_tests::join_all(rounds)
            .await
            .into_iter()
            .map(|r| r.expect("worker"))
            .collect();
        let got = receiver.received();
        let mut ids: Vec<&str> = got.iter().map(|h| h.header("webhook-id")).collect();
        assert_eq!(got.len(), 20, "each event exactly once: {sent:?}");
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 20);
    }
);

both_backends!(
    an_endpoint_failing_everything_for_three_days_is_disabled,
    flags = [ALLOW_PRIVATE],
    |app| async move {
        let t = app.tree().await;
        let receiver = Receiver::start();
        receiver.answer(&[503; 100]);
        let (id, _) = endpoint(&app, t.reseller_a, &receiver.url, &["organization.updated"]).await;
        let r = app
            .admin()
            .organizations()
            .update(t.customer_a, json!({"name": "Gone Dark Ltd"}), None)
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(until_received(&app, &receiver, 1).await.len(), 1);
        // Every 6 hours a retry, until the third day ends.
        for _ in 0..13 {
            app.advance_clock(6 * 3600 + 60);
            deliver(&app).await;
        }
        let attempts = receiver.received().len();
        assert!((10..=14).contains(&attempts), "retried over three days: {attempts}");
        let d = app.admin().webhooks().deliveries(id).await;
        assert_eq!(d.body["items"][0]["status"], "failed", "{}", d.text);
        assert_eq!(d.body["items"][0]["next_attempt_at"], Value::Null);
        let got = app.admin().webhooks().get(id).await;
        assert_eq!(got.body["enabled"], false, "{}", got.text);
        // created, then disabled by the system.
        assert_eq!(app.store.audit_event_count(id).expect("count"), 2);
        // Nothing more is sent to a disabled endpoint.
        app.admin()
            .organizations()
            .update(t.customer_a, json!({"name": "Still Dark Ltd"}), None)
            .await;
        app.advance_clock(60);
        deliver(&app).await;
        assert_eq!(receiver.received().len(), attempts);
    }
);

both_backends!(
    a_delivery_whose_worker_died_is_sent_after_its_lease,
    flags = [ALLOW_PRIVATE],
    |app| async move {
        let t = app.tree().await;
        let receiver = Receiver::start();
        let (id, _) = endpoint(&app, t.reseller_a, &receiver.url, &["organization.updated"]).await;
        let r = app
            .admin()
            .organizations()
            .update(t.customer_a, json!({"name": "Crash Test Ltd"}), None)
            .await;
        assert_eq!(r.status, 200);
        // A worker claims the delivery and dies before sending it.
        let (store, clock) = (app.store.clone(), app.clock.clone());
        let claimed = tokio::task::spawn_blocking(move || {
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                dispatcher::run_once(&store, &clock).expect("dispatch");
                let now = clock.now();
                let lease = now + api::webhooks::worker::LEASE;
                let claimed = store
                    .claim_webhook_deliveries(now, lease, 10, 8, &Default::default())
                    .expect("claim");
                if !claimed.is_empty() || Instant::now() > deadline {
                    return claimed;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        })
        .await
        .expect("claim");
        assert_eq!(claimed.len(), 1);
        // While the lease holds, nobody else sends it; once it has run out, a live worker does.
        deliver(&app).await;
        assert!(receiver.received().is_empty());
        app.advance_clock(api::webhooks::worker::LEASE.num_seconds() + 1);
        deliver(&app).await;
        let got = receiver.received();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].header("webhook-id"), claimed[0].event_id.to_string());
        let d = app.admin().webhooks().deliveries(id).await;
        assert_eq!(d.body["items"][0]["status"], "succeeded");
        assert_eq!(d.body["items"][0]["attempt"], 2, "the lost attempt counts");
        assert_eq!(
            d.body["items"].as_array().map(Vec::len),
            Some(1),
            "the lost attempt has no outcome to show: {}",
            d.text
        );
    }
);

both_backends!(
    finished_deliveries_are_pruned_after_the_retention_period,
    flags = [ALLOW_PRIVATE],
    |app| async move {
        let t = app.tree().await;
        let receiver = Receiver::start();
        let (id, _) = endpoint(&app, t.reseller_a, &receiver.url, &["organization.updated"]).await;
        let ping = app.admin().webhooks().test(id).await.id();
        assert_eq!(until_received(&app, &receiver, 1).await.len(), 1);
        receiver.answer(&[500; 100]);
        let r = app
            .admin()
            .organizations()
            .update(t.customer_a, json!({"name": "Still Retrying Ltd"}), None)
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(until_received(&app, &receiver, 2).await.len(), 2);

        let prune = |days: i64| {
            let (store, clock) = (app.store.clone(), app.clock.clone());
            let before = domain::webhook::prunable_before(clock.now() + chrono::Duration::days(days));
            store.prune_webhook_deliveries(before, 1_000).expect("prune")
        };
        let before = app.admin().webhooks().deliveries(id).await;
        let retrying = before.body["items"][0]["delivery_id"]
            .as_str()
            .expect("delivery id")
            .to_string();
        assert_eq!(before.body["items"][0]["status"], "retrying", "{}", before.text);
        assert_eq!(prune(29), 0, "kept for thirty days");
        // The succeeded ping and both attempts go; the delivery still retrying stays.
        assert_eq!(prune(31), 3);
        let gone = app.admin().webhooks().redeliver(ping).await;
        assert_eq!(gone.status, 404, "{}", gone.text);
        let kept = Uuid::parse_str(&retrying).expect("uuid");
        assert!(app.store.webhook_delivery(kept).expect("read").is_some());
        let d = app.admin().webhooks().deliveries(id).await;
        assert_eq!(d.body["items"].as_array().map(Vec::len), Some(0), "{}", d.text);
        assert_eq!(prune(31), 0);
    }
);
