//! `Idempotency-Key` on POST and PATCH: a retry with the same key, method,
//! path and body gets the first answer again (status, body, the headers that
//! matter, and `Idempotent-Replayed: true`) and changes nothing; a different
//! request with the key is 422; keys are per caller, at most 255 visible ASCII
//! characters, and forgotten after 24 hours. One answer each for a
//! subscription create, a seat change, a billing run and an invoice issue;
//! a 4xx is replayed too.

use chrono::Utc;
use http_tests::{both_backends, paths, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::subscriptions::{body, day};

/// Sends `body` (if any) to `path` as `token` with `key`, and `If-Match` if given.
async fn keyed(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
    key: &str,
    if_match: Option<&str>,
) -> Reply {
    let mut req = app.as_(token).request(method, path).header("Idempotency-Key", key);
    if let Some(body) = body {
        req = req.json(body);
    }
    if let Some(tag) = if_match {
        req = req.header("If-Match", tag);
    }
    app.as_(token).send(req).await
}

async fn post(app: &TestApp, path: &str, body: &Value, key: &str) -> Reply {
    keyed(app, &app.admin_token, Method::POST, path, Some(body), key, None).await
}

/// `again` is `first` replayed: same status, body and headers that matter.
fn assert_replayed(first: &Reply, again: &Reply) {
    assert_eq!(first.header("idempotent-replayed"), None, "{}", first.text);
    assert_eq!(
        again.header("idempotent-replayed").as_deref(),
        Some("true"),
        "{}",
        again.text
    );
    assert_eq!(again.status, first.status, "{}", again.text);
    assert_eq!(again.text, first.text);
    for name in ["location", "etag", "content-type"] {
        assert_eq!(again.header(name), first.header(name), "{name}");
    }
}

fn this_month() -> String {
    Utc::now().format("%Y-%m").to_string()
}

fn subscriptions_of(customer: Uuid) -> String {
    paths::of_customer(customer, "subscriptions")
}

async fn count(app: &TestApp, path: &str) -> usize {
    let r = app.admin().get(path).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"].as_array().map_or(0, Vec::len)
}

both_backends!(
    a_create_a_seat_change_a_billing_run_and_an_invoice_issue_run_once_per_key,
    |app| async move {
        let t = app.tree().await;
        let subs = subscriptions_of(t.customer_a);
        let new = body("M365_E3", 3, &day(30));

        let first = post(&app, &subs, &new, "create-sub-1").await;
        assert_eq!(first.status, 201, "{}", first.text);
        let again = post(&app, &subs, &new, "create-sub-1").await;
        assert_replayed(&first, &again);
        assert_eq!(count(&app, &subs).await, 1, "one subscription");
        let sub = first.id();

        // A seat change: the retry would be 412 (the ETag moved) if it ran again.
        let tag = first.header("etag").expect("ETag");
        let seats = json!({"quantity": 7});
        let path = paths::subscription(sub);
        let token = app.admin_token.clone();
        let first = keyed(&app, &token, Method::PATCH, &path, Some(&seats), "seats-1", Some(&tag)).await;
        assert_eq!(first.status, 200, "{}", first.text);
        let again = keyed(&app, &token, Method::PATCH, &path, Some(&seats), "seats-1", Some(&tag)).await;
        assert_replayed(&first, &again);
        assert_eq!(
            app.admin().subscriptions().get(sub).await.body["version"],
            2,
            "one change"
        );

        // A billing run: without the key a second start is refused (one run is queued).
        let runs = paths::of_organization(t.dist, "billing-runs");
        let period = json!({"period": this_month()});
        let first = post(&app, &runs, &period, "bill-1").await;
        assert_eq!(first.status, 202, "{}", first.text);
        let again = post(&app, &runs, &period, "bill-1").await;
        assert_replayed(&first, &again);
        let r = app.admin().billing().run(t.dist, period.clone()).await;
        assert_eq!(r.code(), Some("billing_run_active"), "{}", r.text);
        let (store, clock) = (app.store.clone(), app.clock.clone());
        tokio::task::spawn_blocking(move || api::billing::worker::drain(&store, &clock, 100))
            .await
            .unwrap()
            .expect("the billing worker");

        // An invoice issue: without the key a second issue is refused (already issued).
        let r = app.admin().billing().invoices(t.dist, "").await;
        let invoice = r.body["items"][0]["id"].as_str().expect("an invoice").to_string();
        let issue = format!("{}/issue", paths::invoice(&invoice));
        let first = keyed(&app, &token, Method::POST, &issue, None, "issue-1", None).await;
        assert_eq!(first.status, 200, "{}", first.text);
        let again = keyed(&app, &token, Method::POST, &issue, None, "issue-1", None).await;
        assert_replayed(&first, &again);
        let r = app.admin().billing().act(&invoice, "issue").await;
        assert_eq!(r.status, 409, "{}", r.text);
    }
);

both_backends!(a_different_request_with_the_key_is_refused, |app| async move {
    let t = app.tree().await;
    let subs = subscriptions_of(t.customer_a);
    let r = post(&app, &subs, &body("SKU_A", 1, &day(30)), "reused").await;
    assert_eq!(r.status, 201, "{}", r.text);
    for (path, other) in [
        (subs.clone(), body("SKU_B", 1, &day(30))),
        (subscriptions_of(t.customer_a2), body("SKU_A", 1, &day(30))),
    ] {
        let r = post(&app, &path, &other, "reused").await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.error_field(), Some("Idempotency-Key"));
        assert_eq!(r.body["errors"][0]["code"], "idempotency_key_reused");
    }
    assert_eq!(count(&app, &subs).await, 1);
    assert_eq!(count(&app, &subscriptions_of(t.customer_a2)).await, 0);
});

both_backends!(keys_belong_to_their_caller, |app| async move {
    let t = app.tree().await;
    let subs = subscriptions_of(t.customer_a);
    let new = body("SKU_A", 1, &day(30));
    let (_, other) = app.operator(app.root, "second-admin@contoso-cloud.example", &[domain::Role::Admin]);
    let mine = post(&app, &subs, &new, "shared-key").await;
    let theirs = keyed(&app, &other, Method::POST, &subs, Some(&new), "shared-key", None).await;
    assert_eq!((mine.status, theirs.status), (201, 201), "{}", theirs.text);
    assert_eq!(theirs.header("idempotent-replayed"), None, "a fresh execution");
    assert_ne!(mine.id(), theirs.id());
    assert_eq!(count(&app, &subs).await, 2);
});

both_backends!(a_key_is_one_to_255_visible_characters, |app| async move {
    let t = app.tree().await;
    let subs = subscriptions_of(t.customer_a);
    for bad in ["k".repeat(256), "with space".to_string()] {
        let r = post(&app, &subs, &body("SKU_A", 1, &day(30)), &bad).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.error_field(), Some("Idempotency-Key"));
    }
    assert_eq!(count(&app, &subs).await, 0, "nothing ran");
    let r = post(&app, &subs, &body("SKU_A", 1, &day(30)), &"k".repeat(255)).await;
    assert_eq!(r.status, 201, "{}", r.text);
});

both_backends!(a_client_error_is_replayed_too, |app| async move {
    let t = app.tree().await;
    let subs = subscriptions_of(t.customer_a);
    let bad = body("SKU_A", -1, &day(30));
    let first = post(&app, &subs, &bad, "bad-quantity").await;
    assert_eq!(first.status, 422, "{}", first.text);
    let again = post(&app, &subs, &bad, "bad-quantity").await;
    assert_replayed(&first, &again);
});

both_backends!(keys_are_swept_after_24_hours, |app| async move {
    let t = app.tree().await;
    let subs = subscriptions_of(t.customer_a);
    let r = post(&app, &subs, &body("SKU_A", 1, &day(30)), "day-old").await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        api::idempotency::sweeper::sweep(&app.store, &app.clock).unwrap(),
        0,
        "kept for 24 h"
    );
    app.advance_clock(24 * 3600 + 60);
    assert_eq!(
        api::idempotency::sweeper::sweep(&app.store, &app.clock).unwrap(),
        1,
        "swept"
    );
    // The key is free again: another body is a fresh request, not a reuse.
    let r = post(&app, &subs, &body("SKU_B", 1, &day(30)), "day-old").await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("idempotent-replayed"), None);
    assert_eq!(count(&app, &subs).await, 2);
});

both_backends!(an_action_sent_with_an_empty_json_body_is_replayed, |app| async move {
    let t = app.tree().await;
    let r = post(
        &app,
        &subscriptions_of(t.customer_a),
        &body("SKU_A", 1, &day(30)),
        "sub",
    )
    .await;
    let suspend = format!("{}/suspend", paths::subscription(r.id()));
    let first = post(&app, &suspend, &json!({}), "suspend-1").await;
    assert_eq!(first.status, 200, "{}", first.text);
    let again = post(&app, &suspend, &json!({}), "suspend-1").await;
    assert_replayed(&first, &again);
    let r = app.admin().post(&suspend, json!({})).await;
    assert_eq!(r.status, 409, "without the key it runs again: {}", r.text);
});
